"""Every aggregation the pages, the command line and the report show, computed in SQL."""
