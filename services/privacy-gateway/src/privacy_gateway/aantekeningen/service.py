"""The work behind a partner's notes on its track: check, record in the verwerkingenlog, forward to intake.

The same check as an outcome (:mod:`privacy_gateway.terugkoppelingen.service`): the partner may write or read
its notes for purpose `doel` only when the policy would let it read the case for that purpose now, so only on
an open track of its own. A refusal by the policy is 403 with `reden` and logged; an unknown or unshared case
is 404 and logged. The text never enters the log. A partner reads back only its own organisation's notes
(intake selects them), never the municipality's or another partner's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import decide
from meldroute_common.problems import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.aantekeningen.schemas import (
    AantekeningenUit,
    AantekeningIn,
    AantekeningUit,
    AantekeningVastgelegd,
)
from privacy_gateway.casussen.service import NIET_GEVONDEN, policy_denial, shared_casus
from privacy_gateway.context import Gateway, feiten, organisatie
from privacy_gateway.intake.schemas import IntakeCasus
from privacy_gateway.referenties.service import dag
from privacy_gateway.verwerkingen.vastlegging import Actie, deny, grondslag_for, record

__all__ = ["read_aantekeningen", "record_aantekening"]


async def _toegestaan(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID, doel: str,
    actie: str,
) -> IntakeCasus | JSONResponse:  # fmt: skip
    """The shared case when the policy allows the partner this purpose on it now, its row in the
    verwerkingenlog written; else the logged refusal."""
    partner = organisatie(claims)
    casus = await shared_casus(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, doel=doel
    )
    if isinstance(casus, JSONResponse):
        return casus
    nu = datetime.now(UTC)
    basis = {"organisatie": partner, "gebruiker": claims.sub}
    beslissing = decide(beleid=gateway.beleid, partner_id=partner, doel=doel, casus=feiten(casus), nu=nu)
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        return await deny(
            session=session, gateway=gateway, request=request, probleem=policy_denial(beslissing), doel=doel,
            beslissing=beslissing, casus_id=casus.id, referentie=referentie,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
            detail={**basis, "reden": beslissing.reden.code.value, "regelId": beslissing.regel_id}, nu=nu,
        )  # fmt: skip
    await record(
        session=session, gateway=gateway, request=request, actie=actie, doel=doel,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=doel), afnemer=None, betrokkenen=[],
        casus_id=casus.id, referentie=referentie, vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, "regelId": beslissing.regel_id}, nu=nu,
    )  # fmt: skip
    return casus


async def record_aantekening(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID,
    invoer: AantekeningIn,
) -> AantekeningVastgelegd | JSONResponse:  # fmt: skip
    """Check the note against the policy, record it in the verwerkingenlog, then forward it to intake."""
    toegestaan = await _toegestaan(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie,
        doel=invoer.doel, actie=Actie.AANTEKENING,
    )  # fmt: skip
    if isinstance(toegestaan, JSONResponse):
        return toegestaan
    vastgelegd = await gateway.intake.record_aantekening(
        casus_id=toegestaan.id,
        partner=organisatie(claims),
        door=claims.sub,
        doel=invoer.doel,
        tekst=invoer.tekst,
    )
    if vastgelegd is None:
        # The track changed between the read and the write: nothing was stored, the row is rolled back too.
        raise NotFound(NIET_GEVONDEN)
    return AantekeningVastgelegd(
        casus_id=referentie, doel=invoer.doel, vastgelegd_op=dag(vastgelegd.vastgelegd_op)
    )


async def read_aantekeningen(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID, doel: str
) -> AantekeningenUit | JSONResponse:
    """The organisation's own notes on its track with this purpose, when the policy allows the purpose now."""
    toegestaan = await _toegestaan(
        session=session, gateway=gateway, request=request, claims=claims, referentie=referentie, doel=doel,
        actie=Actie.AANTEKENINGEN_TERUGGEGEVEN,
    )  # fmt: skip
    if isinstance(toegestaan, JSONResponse):
        return toegestaan
    eigen = await gateway.intake.aantekeningen(casus_id=toegestaan.id, partner=organisatie(claims), doel=doel)
    if eigen is None:
        raise NotFound(NIET_GEVONDEN)
    return AantekeningenUit(
        casus_id=referentie,
        doel=doel,
        aantekeningen=[
            AantekeningUit(door=a.door, tekst=a.tekst, vastgelegd_op=dag(a.vastgelegd_op))
            for a in eigen.aantekeningen
        ],
    )
