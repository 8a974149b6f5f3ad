"""Partners' work notes on their tracks of a case: forwarded to intake and read back, logged."""
