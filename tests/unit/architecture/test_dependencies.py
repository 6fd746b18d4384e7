"""Every third-party import is a declared dependency, and no declared one goes unused.

deptry reads pyproject.toml ([tool.deptry] says why two pins are never imported); it
runs on the tree, then on copies with an undeclared import and with an unused pin.
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DEPTRY = Path(sys.executable).with_name("deptry")
PACKAGES = ("services", "gateway", "scripts", "tests", "bench", "deploy")


def deptry(tree):
    result = subprocess.run([str(DEPTRY), "--no-ansi", "."], cwd=tree, capture_output=True,
                            text=True, timeout=120, env={"PATH": "/usr/bin:/bin"})
    return result.returncode, result.stdout + result.stderr


@pytest.fixture
def tree(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "web", "out"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_imports_and_declared_dependencies_agree():
    status, report = deptry(ROOT)
    assert status == 0, report


def test_an_undeclared_import_fails(tree):
    # certifi is installed (requests needs it) but Haven does not declare it.
    (tree / "services" / "common" / "wrong.py").write_text("import certifi\nimport nowhere_pkg\n")
    status, report = deptry(tree)
    assert status != 0
    assert "DEP003 'certifi' imported but it is a transitive dependency" in report
    assert "DEP001 'nowhere_pkg' imported but missing from the dependency definitions" in report


def test_an_unused_dependency_fails(tree):
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(
        'dependencies = [\n', 'dependencies = [\n  "six==1.16.0",\n', 1))
    status, report = deptry(tree)
    assert status != 0
    assert "DEP002 'six' defined as a dependency but not used in the codebase" in report
