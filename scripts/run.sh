#!/usr/bin/env bash
# Set up and start the dashboard; the embedded SQLite database is created with demo data on first start.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_venv.sh
exec .venv/bin/streamlit run dashboard.py --server.headless "${HEADLESS:-true}" --server.port "${PORT:-8501}" \
  --browser.gatherUsageStats false
