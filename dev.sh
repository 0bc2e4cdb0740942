#!/usr/bin/env bash
# Set-up and the two everyday jobs, on a fresh Debian machine with Python >= 3.11:
#   ./dev.sh run  [verilogeval run options]   grade the reference oracle on the embedded dataset
#   ./dev.sh test [pytest options]            ruff, mypy, lint-imports, then the whole suite in parallel
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}

die() { echo "dev.sh: $*" >&2; exit 1; }

apt_install() {  # apt_install PACKAGE... : install Debian packages, or say how to
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "dev.sh: installing $* with apt-get" >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$@" >/dev/null
  else
    die "missing $*: install it first (Debian/Ubuntu: sudo apt-get install $*)"
  fi
}

ensure_python() {
  command -v "$PYTHON" >/dev/null || die "python3 not found: install Python 3.11 or newer"
  "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || die "$("$PYTHON" --version) is too old: verilogeval needs Python 3.11 or newer"
}

ensure_icarus() {
  command -v iverilog >/dev/null && command -v vvp >/dev/null || apt_install iverilog
}

ensure_yosys() {  # the formal equivalence check (--formal); Debian's native build, see README
  command -v yosys >/dev/null || apt_install yosys
}

ensure_bwrap() {  # every compile and simulation runs inside a bubblewrap sandbox
  command -v bwrap >/dev/null || apt_install bubblewrap
}

ensure_venv() {  # (re)install only when pyproject.toml changed since the last install
  local stamp=.venv/.installed-from
  local want; want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv 2>/dev/null || { apt_install python3-venv; "$PYTHON" -m venv .venv; }
  fi
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test,inspect]"  # the extra: its tests run too
    echo "$want" > "$stamp"
  fi
}

ensure_chromium() {  # the HTML report test renders pages in headless Chromium
  command -v chromium >/dev/null || command -v chromium-browser >/dev/null || apt_install chromium
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
  run)
    ensure_python; ensure_icarus; ensure_yosys; ensure_bwrap; ensure_venv
    exec .venv/bin/verilogeval run --model oracle "$@"
    ;;
  test)
    ensure_python; ensure_icarus; ensure_yosys; ensure_bwrap; ensure_venv; ensure_chromium
    .venv/bin/ruff check .
    .venv/bin/mypy
    .venv/bin/lint-imports
    exec .venv/bin/python -m pytest -n auto "$@"
    ;;
  *)
    die "usage: ./dev.sh run|test [options]"
    ;;
esac
