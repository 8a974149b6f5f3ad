"""The attention officer's dry-run of an escalation: per (partner, purpose) what the policy would decide.

The facts come from intake (`beleidsfeiten` of the signal, in any status), never from the caller: the
hypothetical case is the signal escalated now, with its existing tracks plus a fresh track per partner and
purpose asked. Consent is the signal's actual consent, so a rule needing it shows what disclosure would do.
Only the caller's own municipality: another's signal is 404 like an unknown one (not logged, it discloses
nothing). Each dry-run is recorded as an evaluation; it discloses no case data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Final

from fastapi import Request
from meldroute_common.auth import Claims
from meldroute_common.beleid import Beslissing, CasusFeiten, Categorie, TrajectFeiten, decide
from meldroute_common.problems import Forbidden, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.beleid.schemas import Opschalingstoets, OpschalingstoetsIn, Toetsuitkomst
from privacy_gateway.casussen.schemas import GrondslagUit, WeigeringUit
from privacy_gateway.context import Gateway
from privacy_gateway.verwerkingen.vastlegging import Actie, grondslag_for, record

__all__ = ["check_opschaling"]

NIET_GEVONDEN: Final = "Signaal niet gevonden."


async def check_opschaling(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, verzoek: OpschalingstoetsIn
) -> Opschalingstoets:
    """Decide every (partner, purpose) of the proposed tracks on the case the escalation would make."""
    if not claims.gemeente:
        raise Forbidden("Het token noemt geen gemeente (aandachtsfunctionaris).")
    signaal = await gateway.intake.beleidsfeiten(verzoek.signaal_id)
    if signaal is None or signaal.gemeente_code != claims.gemeente:
        raise NotFound(NIET_GEVONDEN)
    nu = datetime.now(UTC)
    vertrouwelijkheid = verzoek.vertrouwelijkheidaanduiding or signaal.vertrouwelijkheidaanduiding
    bestaand = [
        TrajectFeiten(doel=t.doel, ontvangers=frozenset(t.partners), sinds=t.sinds, afgerond=t.afgerond)
        for t in signaal.trajecten
    ]
    uitkomsten: list[Toetsuitkomst] = []
    for traject in verzoek.trajecten:
        for partner in traject.partners:
            casus = CasusFeiten(
                fase="opgeschaald",
                vertrouwelijkheidaanduiding=vertrouwelijkheid,
                opgeschaald_op=nu,
                trajecten=[
                    *bestaand,
                    TrajectFeiten(doel=traject.doel, ontvangers=frozenset({partner}), sinds=nu),
                ],
                minderjarige_betrokken=signaal.minderjarige_betrokken,
                toestemming=signaal.toestemming,
            )
            beslissing = decide(
                beleid=gateway.beleid, partner_id=partner, doel=traject.doel, casus=casus, nu=nu
            )
            uitkomsten.append(_uitkomst(beslissing, partner=partner))
    for doel in dict.fromkeys(t.doel for t in verzoek.trajecten):
        eigen = [u for u in uitkomsten if u.doel == doel]
        await record(
            session=session, gateway=gateway, request=request, actie=Actie.EVALUATIE, doel=doel,
            grondslag=grondslag_for(gateway=gateway, beslissing=None, doel=doel), afnemer=None, betrokkenen=[],
            casus_id=signaal.id, vertrouwelijkheid=vertrouwelijkheid,
            detail={
                "gemeente": claims.gemeente, "gebruiker": claims.sub, "soort": "opschalingstoets",
                "uitkomsten": [
                    {"partner": u.partner, "toegestaan": u.toegestaan, "regelId": u.regel_id,
                     "reden": None if u.reden is None else u.reden.code.value}
                    for u in eigen
                ],
            },
            nu=nu,
        )  # fmt: skip
    return Opschalingstoets(signaal_id=signaal.id, uitkomsten=uitkomsten)


def _uitkomst(beslissing: Beslissing, *, partner: str) -> Toetsuitkomst:
    return Toetsuitkomst(
        doel=beslissing.doel,
        partner=partner,
        toegestaan=beslissing.toegestaan,
        regel_id=beslissing.regel_id,
        grondslag=None if beslissing.grondslag is None else GrondslagUit(**beslissing.grondslag.model_dump()),
        categorieen=[c.value for c in Categorie if c in beslissing.categorieen],
        vier_ogen=[c.value for c in Categorie if c in beslissing.vier_ogen],
        reden=None
        if beslissing.reden is None
        else WeigeringUit(code=beslissing.reden.code, toelichting=beslissing.reden.toelichting),
    )
