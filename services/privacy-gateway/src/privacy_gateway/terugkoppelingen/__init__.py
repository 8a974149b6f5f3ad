"""Outcomes (terugkoppelingen) partners record on the tracks of a case, forwarded to intake and logged."""
