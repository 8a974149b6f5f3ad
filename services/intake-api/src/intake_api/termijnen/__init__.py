"""Deadlines of signals and tracks: the policy, the date arithmetic and the stored deadlines."""
