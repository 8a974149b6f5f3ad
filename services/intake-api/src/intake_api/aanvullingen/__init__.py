"""Additions to a signal after intake: indicators, betrokkenen and supplements to the description."""
