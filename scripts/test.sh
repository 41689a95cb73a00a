#!/usr/bin/env bash
# make test: lint, type checks, migrations check, pytest on SQLite, pytest on PostgreSQL, then
# the browser tests in headless Debian chromium. With CI=true a skipped test fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH"
unset DJANGO_SETTINGS_MODULE
export PYTHONHASHSEED=0
step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

step "Lint (ruff format --check, ruff check)"
ruff format --check .
ruff check .

step "Type check (mypy with django-stubs)"
mypy .

step "Migrations are up to date"
DATABASE_URL="sqlite:///:memory:" python manage.py makemigrations --check --dry-run --settings=config.settings.test

step "Browser and front-end tools (Debian chromium, axe-core from npm)"
# Install only what is missing: a machine's own Node.js/npm (e.g. npm 11 from NodeSource) must not
# be replaced by Debian's npm package, whose dependencies conflict with it.
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "${missing[*]} needed for the browser tests (apt-get install ${missing[*]})" >&2
  fi
fi
if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

step "Tests on SQLite"
DATABASE_URL="sqlite:///$PWD/var/test.sqlite3" pytest -q -m "not postgres and not browser"

step "Tests on PostgreSQL"
if PG_URL=$(bash scripts/postgres.sh); then
  DATABASE_URL="$PG_URL" pytest -q -m "not browser"
else
  echo "No PostgreSQL available." >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
fi

step "Browser tests (Playwright driving Debian chromium) on PostgreSQL"
DATABASE_URL="${PG_URL:-sqlite:///$PWD/var/test.sqlite3}" pytest -q -m browser
