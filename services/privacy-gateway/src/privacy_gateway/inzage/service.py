"""Access requests: which partners received what about one person, when, for which purpose and basis.

The gateway never holds intake's link key. It asks intake for the link pseudonym of the BSN (or name
and birth date), turns it into the verwerkingenlog's own pseudonym and looks that up in the log.
The identifying input is used for that one call and neither stored nor logged.
"""

from __future__ import annotations

from typing import Final

from fastapi import Request
from meldroute_common.auth import Claims
from meldroute_common.db import as_utc
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.context import Gateway
from privacy_gateway.inzage.schemas import InzageUit, InzageverzoekIn, Ontvangst
from privacy_gateway.verwerkingen.service import rows_for_betrokkene
from privacy_gateway.verwerkingen.vastlegging import Actie, record

__all__ = ["INZAGE_DOEL", "INZAGE_GRONDSLAG", "VERSTREKKINGEN", "answer_inzageverzoek"]

#: Rows that mean data about the person left the gateway.
VERSTREKKINGEN: Final = frozenset({Actie.VERSTREKKING, Actie.ONTZEGELING})
INZAGE_DOEL: Final = "inzageverzoek_betrokkene"
INZAGE_GRONDSLAG: Final = "art. 15 AVG; art. 6 lid 1 sub c AVG"


def _tekst(waarde: object) -> str | None:
    return waarde if isinstance(waarde, str) else None


async def answer_inzageverzoek(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek: InzageverzoekIn
) -> InzageUit:
    """Every disclosure about the person (all link pseudonyms of the same person), oldest first; recorded."""
    pseudoniemen = await gateway.intake.pseudoniemen(
        bsn=verzoek.bsn, naam=verzoek.naam, geboortedatum=verzoek.geboortedatum
    )
    betrokkene = gateway.log_pseudoniem(pseudoniemen.link_pseudoniem)
    # A person recorded with a BSN on one signal and by name + birth date on another is one person.
    gekoppeld = sorted({pseudoniemen.link_pseudoniem, *pseudoniemen.koppelpseudoniemen})
    per_volgnummer = {
        rij.volgnummer: rij
        for link in gekoppeld
        for rij in await rows_for_betrokkene(session=session, betrokkene=gateway.log_pseudoniem(link))
    }
    rijen = [per_volgnummer[v] for v in sorted(per_volgnummer)]
    ontvangsten = [
        Ontvangst(
            afnemer=rij.afnemer,
            actie=rij.actie,
            categorieen=[str(c) for c in rij.detail.get("categorieen", [])],
            tijdstip=as_utc(rij.tijdstip),
            doel=rij.doel,
            grondslag=rij.grondslag,
            casus_id=rij.casus_id,
            casus_referentie=_tekst(rij.detail.get("casusReferentie")),
            volgnummer=rij.volgnummer,
        )
        for rij in rijen
        if rij.actie in VERSTREKKINGEN and rij.afnemer is not None
    ]
    await record(
        session=session, gateway=gateway, request=request,
        actie=Actie.INZAGE, doel=INZAGE_DOEL, grondslag=INZAGE_GRONDSLAG, afnemer=None, betrokkenen=[betrokkene],
        casus_id=None, vertrouwelijkheid="vertrouwelijk",
        detail={"gebruiker": claims.sub, "aantal": len(ontvangsten)},
    )  # fmt: skip
    return InzageUit(ontvangsten=ontvangsten)
