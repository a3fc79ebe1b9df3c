#!/usr/bin/env bash
# Set up and start the dashboard: the database is prepared before the server starts (a new embedded SQLite database
# gets demo data), then Streamlit listens on SERVER_ADDRESS (127.0.0.1 unless set) and PORT (8501).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup_venv.sh
scripts/office.sh
exec .venv/bin/python -m data_model serve
