.PHONY: run test bench-smoke init-demo

run:  ## set up and start the dashboard on http://localhost:8501
	scripts/run.sh

test:  ## set up and run the whole test suite (SQLite, then PostgreSQL when TEST_DATABASE_URL is set)
	scripts/test.sh

init-demo:  ## create the embedded database with demo data without starting the app
	scripts/setup_venv.sh && .venv/bin/python -m data_model init --demo
