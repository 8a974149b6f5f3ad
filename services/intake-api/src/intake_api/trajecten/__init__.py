"""Tracks of a case: open one, add a partner, close one; requests for a follow-on purpose and the decision."""
