"""The import rules of docs/architecture.md hold, and breaking one fails the build.

lint-imports runs on the real tree, then on copies of it with one deliberately wrong
module each: every rule must catch its own kind of mistake, so a rule that cannot fail
shows up here as a failing test.
"""
import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / ".importlinter"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint(tree):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / ".importlinter")],
        cwd=tree, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, timeout=120)


def services():
    return sorted(p.name for p in (ROOT / "services").iterdir()
                  if (p / "__init__.py").exists() and p.name != "common")


def contract(name):
    parser = configparser.ConfigParser()
    parser.read(CONFIG)
    return parser[f"importlinter:contract:{name}"]


def listed(section, key):
    return {line.strip().strip("()") for line in section[key].splitlines() if line.strip()}


@pytest.fixture
def tree(tmp_path):
    """A copy of the Python packages the contracts cover, and the contracts."""
    for package in ("services", "gateway"):
        shutil.copytree(ROOT / package, tmp_path / package,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "web", "templates"))
    shutil.copy(CONFIG, tmp_path / ".importlinter")
    return tmp_path


def test_the_tree_keeps_every_rule():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


def test_every_service_is_under_every_rule():
    every = {f"services.{name}" for name in services()}
    assert listed(contract("services-independent"), "modules") == every
    assert listed(contract("service-layers"), "containers") == every
    assert listed(contract("gateway-through-rpc"), "forbidden_modules") == every
    assert listed(contract("kernel-below-services"), "forbidden_modules") == every | {"gateway"}


@pytest.mark.parametrize("path, source, broken", [
    ("services/identity/domain/wrong.py", "import sqlalchemy\n",
     "A service's domain imports neither nameko, kombu, SQLAlchemy nor werkzeug"),
    ("services/identity/domain/wrong.py", "from services.identity import models\n",
     "A service's domain imports neither nameko, kombu, SQLAlchemy nor werkzeug"),
    ("services/identity/domain/wrong.py", "import services.identity.entrypoints\n",
     "Inside a service, service > entrypoints > store > domain"),
    ("services/charts/wrong.py", "from services.identity import schemas\n",
     "Services never import each other"),
    ("gateway/wrong.py", "from services.charts import schemas\n",
     "The gateway reaches services only by RPC"),
    ("services/common/wrong.py", "import services.notify.models\n",
     "services.common imports no service and not the gateway"),
])
def test_a_wrong_import_breaks_its_rule(tree, path, source, broken):
    (tree / path).write_text(source)
    result = lint(tree)
    assert result.returncode != 0
    line = next(l for l in result.stdout.splitlines() if l.startswith(broken))
    assert line.endswith("BROKEN") or "BROKEN" in line, result.stdout


def test_every_service_and_the_gateway_declare_their_metrics():
    """A new service copies the others: it must also be measured (docs/operations.md)."""
    import importlib

    from services.common.metrics import Metrics
    for name in services() + ["gateway"]:
        module = importlib.import_module("gateway.service" if name == "gateway"
                                         else f"services.{name}.service")
        cls = getattr(module, f"{name.capitalize()}Service")
        assert any(isinstance(v, Metrics) for v in vars(cls).values()) or any(
            isinstance(v, Metrics) for base in cls.__mro__ for v in vars(base).values()), name


def test_services_take_rpc_from_the_kernel():
    """nameko's own `rpc` loses the container when the broker drops mid-reply
    (services.common.consumers); every service and test double uses the kernel's."""
    offenders = [str(path.relative_to(ROOT)) for folder in ("services", "gateway", "tests")
                 for path in (ROOT / folder).rglob("*.py")
                 if "services/common/" not in str(path)
                 and re.search(r"^from nameko\.rpc import .*\brpc\b", path.read_text(), re.M)]
    assert not offenders, offenders
