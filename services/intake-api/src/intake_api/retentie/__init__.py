"""Retention: sealed identity and sealed original text are purged when a signal's period ends."""
