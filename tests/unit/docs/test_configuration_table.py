"""docs/operations.md's settings are the ones the code reads: every environment variable
Haven reads is documented there, and every row of its Configuration table is read."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "operations.md"
READ = re.compile(r'(?:\benv(?:_int|_float)?|environ\.get|getenv|environ\[)\(?\s*'
                  r'["\']([A-Z][A-Z0-9_]+)["\']')
# a Haven setting also passed by name, e.g. blobstore's _setting(config, "BLOB_DIR", "HAVEN_BLOB_DIR")
HAVEN_NAME = re.compile(r'["\'](HAVEN_[A-Z0-9_]+)["\']')
WSGI_HEADER = "HTTP_"  # environ.get("HTTP_…") reads a request header, not the environment


def names_read_by_code():
    read = set()
    for folder in ("services", "gateway", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" not in path.parts:
                text = path.read_text()
                read |= {n for n in READ.findall(text) if not n.startswith(WSGI_HEADER)}
                read |= set(HAVEN_NAME.findall(text))
    services = sorted(p.name for p in (ROOT / "services").iterdir()
                      if (p / "migrations").is_dir())
    return read | {f"{name.upper()}_DATABASE_URL" for name in services}


def table_rows():
    text = DOC.read_text()
    table = text[text.index("## Configuration"):]
    table = table[:table.index("\n## ", 3)]
    return {name for line in table.splitlines() if line.startswith("| ")
            for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])}


def test_every_variable_the_code_reads_is_documented():
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", DOC.read_text()))
    missing = names_read_by_code() - documented
    assert not missing, f"document these in docs/operations.md: {sorted(missing)}"


def test_every_row_of_the_table_is_read_by_the_code():
    stale = table_rows() - names_read_by_code()
    assert not stale, f"docs/operations.md documents settings nothing reads: {sorted(stale)}"
