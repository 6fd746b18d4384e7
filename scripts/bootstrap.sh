#!/usr/bin/env bash
# Installs what Haven needs and is missing; quiet and quick when everything is there.
#
#   scripts/bootstrap.sh run     the virtualenv, and RabbitMQ when no broker listens
#   scripts/bootstrap.sh test    + Chromium and ChromeDriver, PostgreSQL when none listens,
#                                ClamAV's daemon (the tests start a private clamd)
#   scripts/bootstrap.sh bench   + wrk (optional: bench/ falls back to a Python load generator)
#
# Debian/Ubuntu with Python 3.11+. System packages come from apt-get (as root, or through
# sudo); `apt-get update` runs once, and only when something has to be installed.
set -euo pipefail

MODE="${1:-run}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PYTHON="${PYTHON:-python3}"
VENV="$ROOT/.venv"
STAMP="$VENV/.haven-installed"
AMQP_URI="${AMQP_URI:-amqp://guest:guest@127.0.0.1:5672//}"

say() { echo "bootstrap: $*" >&2; }

listens() {  # listens HOST PORT
  timeout 2 bash -c "exec 3<>/dev/tcp/$1/$2" 2>/dev/null
}

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO="sudo"; fi
fi
APT_UPDATED=0
apt_install() {  # apt_install PKG... — installs those that are not installed yet
  local missing=()
  for pkg in "$@"; do have_pkg "$pkg" || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    say "please install: ${missing[*]} (no apt-get here)"; return 1
  fi
  if [ "$(id -u)" != 0 ] && [ -z "$SUDO" ]; then
    say "please install: ${missing[*]} (needs root)"; return 1
  fi
  say "installing ${missing[*]} ..."
  if [ "$APT_UPDATED" = 0 ]; then
    $SUDO apt-get update -qq >/dev/null || say "apt-get update failed; trying the old lists"
    APT_UPDATED=1
  fi
  # RUNLEVEL=1 keeps a package's install script from starting its daemon: Haven starts
  # its own private broker / PostgreSQL when needed.
  $SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- Python -----------------------------------------------------------------------------
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  say "Haven needs Python 3.11 or newer as '$PYTHON' (set PYTHON=/path/to/python3.11)"
  exit 1
fi

# --- system packages --------------------------------------------------------------------
amqp_host_port() {
  "$PYTHON" - "$AMQP_URI" <<'EOF'
import sys
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
print(u.hostname or "127.0.0.1", u.port or 5672)
EOF
}
read -r AMQP_HOST AMQP_PORT < <(amqp_host_port)
if ! listens "$AMQP_HOST" "$AMQP_PORT" && ! command -v rabbitmq-server >/dev/null \
   && [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
  apt_install rabbitmq-server
fi

if [ "$MODE" = test ]; then
  if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    apt_install chromium chromium-driver || { [ -n "${CI:-}" ] && exit 1; true; }
  fi
  if ! listens 127.0.0.1 5432 && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
     && ! command -v initdb >/dev/null; then
    apt_install postgresql || { [ -n "${CI:-}" ] && exit 1; true; }
  fi
  # Only the binary: the integration tests run a private clamd with their own signatures
  # (no freshclam download), and RUNLEVEL=1 keeps the system daemon from starting.
  if ! command -v clamd >/dev/null && [ ! -x /usr/sbin/clamd ]; then
    apt_install clamav-daemon || { [ -n "${CI:-}" ] && exit 1; true; }
  fi
fi

if [ "$MODE" = bench ] && ! command -v wrk >/dev/null; then
  apt_install wrk || say "wrk is not installable: bench/ uses its Python load generator"
fi

# --- the virtualenv ---------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
  say "creating .venv ..."
  if ! "$PYTHON" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    apt_install python3-venv
    "$PYTHON" -m venv "$VENV"
  fi
fi
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ]; then
  say "installing Haven and its test tools into .venv (pip install -e '.[test]') ..."
  # (pip's warnings about configured package folders that are absent here are noise)
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]' \
    2> >(grep -v "is ignored: it is neither a file nor a directory" >&2)
  touch "$STAMP"
fi
