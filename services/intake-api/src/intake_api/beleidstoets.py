"""The covenant check before anything is stored: may this partner be given this case for this purpose?

Escalating, opening a track, adding a partner, granting a follow-on purpose and asking advice all pass
every (partner, purpose) through `meldroute_common.beleid.toets_opschaling` on the same policy file the
privacy gateway enforces. A refusal is a 400 naming the field and, in its reason, the code and the rule:
an unknown partner (a typo) or a purpose the covenant forbids is never stored to reach no one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from meldroute_common.beleid import Beleid, WeigerReden, toets_opschaling
from meldroute_common.problems import BadRequest, InvalidParam

#: Refusals that are about the purpose, not the partner: the purpose's field is named.
_DOEL_CODES = frozenset({WeigerReden.ONBEKEND_DOEL})


@dataclass(frozen=True, slots=True)
class OpschalingsVraag:
    """One (partner, purpose) to check, with the fields of the request that hold them."""

    partner: str
    doel: str
    partner_veld: str
    doel_veld: str


def check_opschaling(
    *, beleid: Beleid, vragen: Sequence[OpschalingsVraag], vertrouwelijkheidaanduiding: str, nu: datetime
) -> None:
    """400 naming every field whose partner or purpose the policy refuses (all of them, not just the first)."""
    fouten: list[InvalidParam] = []
    gemeld: set[str] = set()
    for vraag in vragen:
        beslissing = toets_opschaling(
            beleid=beleid,
            partner_id=vraag.partner,
            doel=vraag.doel,
            vertrouwelijkheidaanduiding=vertrouwelijkheidaanduiding,
            nu=nu,
        )
        if beslissing.toegestaan or beslissing.reden is None:
            continue
        veld = vraag.doel_veld if beslissing.reden.code in _DOEL_CODES else vraag.partner_veld
        if veld in gemeld:
            continue
        gemeld.add(veld)
        regel = f" (regel {beslissing.regel_id})" if beslissing.regel_id else ""
        fouten.append(
            InvalidParam(
                name=veld, reason=f"{beslissing.reden.code.value}: {beslissing.reden.toelichting}{regel}"
            )
        )
    if fouten:
        raise BadRequest(
            "Het convenant staat dit niet toe; er is niets vastgelegd. Zie invalidParams.",
            invalid_params=fouten,
        )
