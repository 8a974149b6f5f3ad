"""The work behind the partner endpoints: the cases shared with a partner, one case, an evaluation."""

from __future__ import annotations

from privacy_gateway.context import Gateway
from privacy_gateway.intake.schemas import IntakeCasus

__all__ = ["log_pseudoniemen"]


def log_pseudoniemen(gateway: Gateway, casus: IntakeCasus) -> list[str | None]:
    """The log's pseudonym of every betrokkene of the case (None for one without a link pseudonym)."""
    return [
        None if b.link_pseudoniem is None else gateway.log_pseudoniem(b.link_pseudoniem)
        for b in casus.betrokkenen
    ]
