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
status=0
echo "== Test suite on SQLite =="
env -u TEST_DATABASE_URL .venv/bin/python -m pytest -q "$@" || status=$?
if [ -n "${TEST_DATABASE_URL:-}" ]; then
  echo "== Test suite on PostgreSQL (${TEST_DATABASE_URL%%@*}@…) =="
  .venv/bin/python -m pytest -q -m "not browser" "$@" || status=$?
fi
exit $status
