"""Outcomes partners report on a track (through the gateway), and the anonymous event for the evaluation."""
