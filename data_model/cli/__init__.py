"""The command line: python -m data_model init | serve | generate | check | summary | import | export | …."""
