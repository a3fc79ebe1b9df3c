"""Moving a whole database: copy to another database, backup to a file, restore from it."""
