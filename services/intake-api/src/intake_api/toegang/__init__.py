"""The access log: every read of a signal by a person, append-only."""
