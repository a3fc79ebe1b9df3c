"""The database: typed models, engine and sessions, settings, migrations, creating and opening a database."""
