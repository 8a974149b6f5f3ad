"""Triage: the attention officer's decisions, as an explicit state machine."""
