#!/usr/bin/env bash
# Create .venv from requirements.lock (pinned), install Heelwise editable, and make sure the
# system libraries it needs are there (installed with apt when running as root).
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION="0.13.9"

find_python() {
  for candidate in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  return 1
}

apt_install() {
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> apt-get install $*"
    if [ ! -f /tmp/.heelwise-apt-updated ]; then apt-get update -qq && touch /tmp/.heelwise-apt-updated; fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
  else
    echo "!! Please install these Debian packages: $*" >&2
    return 1
  fi
}

PY=$(find_python) || {
  echo "Heelwise needs Python 3.11 or newer." >&2
  apt_install python3 python3-venv && PY=python3
}

if [ ! -x .venv/bin/python ]; then
  echo "==> Creating .venv with $PY"
  "$PY" -m venv .venv || { apt_install python3-venv && "$PY" -m venv .venv; }
fi
if ! .venv/bin/uv --version 2>/dev/null | grep -q "$UV_VERSION"; then
  .venv/bin/python -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
fi
echo "==> Installing pinned dependencies from requirements.lock"
.venv/bin/uv pip sync -q --python .venv/bin/python requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .

# WeasyPrint (PDF care plans) needs Pango from the system.
if ! .venv/bin/python -c "import weasyprint" >/dev/null 2>&1; then
  apt_install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core || true
fi
mkdir -p var
