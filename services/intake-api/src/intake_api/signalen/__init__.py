"""Signals: recorded at the door (pseudonymised and sealed), listed and read by the attention officer."""
