#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_venv.sh dev
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's chromium for the browser tests…"
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/tmp/chromium-install.log 2>&1 \
      || echo "chromium could not be installed (see /tmp/chromium-install.log): browser tests will skip"
  else
    echo "No /usr/bin/chromium and not root: browser tests will skip"
  fi
fi
scripts/office.sh test
status=0
pg_status=0
pg_log=""
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  # The two passes run at the same time: each test has its own database, so they do not meet, and the
  # suite takes the time of the longer pass instead of the sum.
  pg_log="$(mktemp -t pg-pass.XXXXXX)"
  .venv/bin/python -m pytest -q -p no:cacheprovider -m "not browser" "$@" >"$pg_log" 2>&1 &
  pg_pid=$!
fi
echo "== Test suite on SQLite =="
env -u TEST_DATABASE_URL .venv/bin/python -m pytest -q "$@" || status=$?
if [ -n "$pg_log" ]; then
  wait "$pg_pid" || pg_status=$?
  echo "== Test suite on PostgreSQL (${TEST_DATABASE_URL%%@*}@…) =="
  cat "$pg_log"
  rm -f "$pg_log"
  [ "$pg_status" -eq 0 ] || status=$pg_status
fi
exit $status
