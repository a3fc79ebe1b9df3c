"""Record writes run the checks the features above records register (records never import reporting)."""
import subprocess
import sys


def test_startup_registers_the_reporting_checks():
    import data_model.startup  # noqa: F401
    from data_model.records.write_checks import registered_checks
    from data_model.reporting.guard import guard_bulk_writes, guard_record_change

    assert guard_record_change in registered_checks()
    assert guard_bulk_writes in registered_checks()


def test_writing_records_does_not_import_reporting_by_itself():
    code = "import data_model.records.write, data_model.records.bulk, sys; print('data_model.reporting' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
