#!/usr/bin/env bash
# Print a DATABASE_URL for PostgreSQL: $DATABASE_URL if it is PostgreSQL, else the server at
# 127.0.0.1:5432 (user postgres, trust), else a throwaway cluster under var/pg started from the
# machine's PostgreSQL binaries. Prints nothing (exit 1) when no PostgreSQL can be had.
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ "${DATABASE_URL:-}" == postgres* ]]; then echo "$DATABASE_URL"; exit 0; fi

if command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; then
  echo "postgres://postgres@127.0.0.1:5432/heelwise"; exit 0
fi

BIN=""
for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && BIN="$dir"; done
if [ -z "$BIN" ] && [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null 2>&1
  for dir in /usr/lib/postgresql/*/bin; do [ -x "$dir/initdb" ] && BIN="$dir"; done
fi
[ -n "$BIN" ] || exit 1

DATA="$PWD/var/pg/data"; SOCK="$PWD/var/pg"; PORT=54329
RUN=()
if [ "$(id -u)" = "0" ]; then RUN=(runuser -u postgres --); chown -R postgres "$PWD/var" 2>/dev/null; mkdir -p "$SOCK"; chown postgres "$SOCK"; fi
if [ ! -f "$DATA/PG_VERSION" ]; then
  mkdir -p "$DATA"; [ "$(id -u)" = "0" ] && chown -R postgres "$SOCK"
  "${RUN[@]}" "$BIN/initdb" -D "$DATA" -U postgres -A trust >/dev/null || exit 1
fi
if ! "$BIN/pg_isready" -q -h 127.0.0.1 -p $PORT; then
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$SOCK/server.log" -w \
    -o "-p $PORT -k $SOCK -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null || exit 1
fi
echo "postgres://postgres@127.0.0.1:$PORT/heelwise"
