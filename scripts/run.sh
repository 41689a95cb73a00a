#!/usr/bin/env bash
# make run: migrate, load demo data, serve with gunicorn and run the task worker beside it.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=config.settings.base
PORT="${PORT:-8000}"
mkdir -p var
if [ -z "${SECRET_KEY:-}" ] && [ -z "${SECRET_KEY_FILE:-}" ]; then
  [ -s var/secret_key ] || .venv/bin/python -c "import secrets; print(secrets.token_urlsafe(50))" > var/secret_key
  export SECRET_KEY_FILE="$PWD/var/secret_key"
fi
# Emails (confirmations, invites, reminders, password resets) go to files under var/mail/, so
# the terminal log never shows personal data; set EMAIL_BACKEND/EMAIL_HOST to send for real.
export EMAIL_BACKEND="${EMAIL_BACKEND:-django.core.mail.backends.filebased.EmailBackend}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
mkdir -p var/mail
PY=.venv/bin/python
$PY manage.py migrate --noinput -v 0
$PY manage.py createcachetable
$PY manage.py collectstatic --noinput -v 0
$PY manage.py seed_demo

$PY manage.py db_worker --interval 1 &
WORKER=$!
$PY manage.py housekeeping --loop >/dev/null &
HOUSEKEEPING=$!
cleanup() {
  kill "$WORKER" "$HOUSEKEEPING" 2>/dev/null || true
  wait "$WORKER" "$HOUSEKEEPING" 2>/dev/null || true
}
trap cleanup EXIT INT TERM

echo
echo "Heelwise is running at http://127.0.0.1:${PORT}/  (admin: /admin/, API: /api/v1/docs)"
echo "Outgoing emails are written to var/mail/ (set EMAIL_BACKEND and EMAIL_HOST to send them)."
echo "Press Ctrl-C to stop."
echo
.venv/bin/gunicorn config.wsgi:application \
  --bind "127.0.0.1:${PORT}" --workers "${WEB_CONCURRENCY:-2}" --threads 4 \
  --access-logfile - --access-logformat '%(t)s "%(m)s %(U)s" %(s)s %(M)sms' --log-level info
