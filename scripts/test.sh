#!/usr/bin/env bash
# Set up and run the whole test suite: on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_venv.sh dev
# Debian's chromium (browser tests) and nginx (the proxy and deploy tests), installed when missing
missing=""
[ -x /usr/bin/chromium ] || missing=" chromium"
[ -x /usr/sbin/nginx ] || missing="$missing nginx"
if [ -n "$missing" ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "Installing Debian's$missing for the browser and nginx tests…"
    # shellcheck disable=SC2086
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing) >/tmp/test-deps-install.log 2>&1 \
      || echo "Debian's$missing could not be installed (see /tmp/test-deps-install.log): the tests needing them will skip"
  else
    echo "No$missing and not root: the tests needing them will skip"
  fi
fi
scripts/office.sh test
echo "== Gates: ruff, import contract, mypy =="
.venv/bin/ruff check --quiet .
.venv/bin/lint-imports --no-logo --no-cache | tail -n 4
.venv/bin/mypy --no-error-summary
echo "gates passed"
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
