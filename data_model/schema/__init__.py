"""The database: typed models, engine and sessions, settings, migrations, creating, opening and starting on a database."""

# every table is on Base.metadata once the package is imported (migrations, copy and backup walk it)
from data_model.schema import documents, follow_up, joint, models, planning  # noqa: E402,F401
