"""The usefulness figures docs/statistiek.md quotes, recomputed on a generated year like the demo's."""

from __future__ import annotations

from .nut import nut


def test_the_documented_share_withheld_and_error_hold() -> None:
    cijfers = nut()
    # Figures for a policy officer: totals and one-way tables per quarter and year are nearly all shown.
    assert cijfers["0 dimensies, maand"]["onderdrukt"] == 0
    assert cijfers["1 dimensies, kwartaal"]["onderdrukt"] < 0.10
    assert cijfers["1 dimensies, jaar"]["onderdrukt"] < 0.02
    assert cijfers["2 dimensies, jaar"]["onderdrukt"] < 0.40
    # Fine tables of small months are mostly withheld: that is the protection working.
    assert cijfers["3 dimensies, maand"]["onderdrukt"] > 0.95
    for rij in cijfers.values():
        assert rij["gemiddelde_fout"] <= 1.5
