"""Consent per victim: given or refused, when, how and by whom; withdrawable."""
