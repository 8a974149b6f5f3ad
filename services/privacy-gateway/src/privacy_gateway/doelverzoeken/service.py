"""The work behind a partner's request for a follow-on purpose: check, record, forward to intake.

The partner must be on the case (else 404, logged), and the policy must allow the partner the purpose on a
fresh track of this case (:func:`meldroute_common.beleid.toets_opschaling`; else 403 naming the code, logged).
Only then is the request recorded in the verwerkingenlog and forwarded; the attention officer decides on it
at intake. A partner that already has an active track with the purpose gets 409 (nothing stored).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import toets_opschaling
from meldroute_common.problems import NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.casussen.service import NIET_GEVONDEN, policy_denial, shared_casus
from privacy_gateway.context import Gateway, organisatie
from privacy_gateway.doelverzoeken.schemas import DoelverzoekIn, DoelverzoekUit
from privacy_gateway.verwerkingen.vastlegging import Actie, deny, grondslag_for, record

__all__ = ["record_doelverzoek"]


async def record_doelverzoek(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID,
    invoer: DoelverzoekIn,
) -> DoelverzoekUit | JSONResponse:  # fmt: skip
    """Check the follow-on purpose against the policy, record the request, then forward it to intake."""
    partner = organisatie(claims)
    casus = await shared_casus(
        session=session,
        gateway=gateway,
        request=request,
        claims=claims,
        referentie=referentie,
        doel=invoer.doel,
    )
    if isinstance(casus, JSONResponse):
        return casus
    nu = datetime.now(UTC)
    basis = {"organisatie": partner, "gebruiker": claims.sub}
    beslissing = toets_opschaling(
        beleid=gateway.beleid, partner_id=partner, doel=invoer.doel,
        vertrouwelijkheidaanduiding=casus.vertrouwelijkheidaanduiding, nu=nu,
    )  # fmt: skip
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        return await deny(
            session=session, gateway=gateway, request=request, probleem=policy_denial(beslissing),
            doel=invoer.doel, beslissing=beslissing, casus_id=casus.id, referentie=referentie,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
            detail={**basis, "reden": beslissing.reden.code.value, "regelId": beslissing.regel_id}, nu=nu,
        )  # fmt: skip
    # The reason's text never enters the log (intake scrubs and keeps it).
    await record(
        session=session, gateway=gateway, request=request, actie=Actie.DOELVERZOEK, doel=invoer.doel,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=invoer.doel), afnemer=None,
        betrokkenen=[], casus_id=casus.id, referentie=referentie,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding, detail={**basis, "regelId": beslissing.regel_id},
        nu=nu,
    )  # fmt: skip
    ingediend = await gateway.intake.record_doelverzoek(
        casus_id=casus.id, partner=partner, door=claims.sub, doel=invoer.doel, reden=invoer.reden
    )
    if ingediend is None:
        raise NotFound(NIET_GEVONDEN)  # off the case since the read: nothing stored, the row rolled back
    return DoelverzoekUit(casus_id=referentie, doel=invoer.doel, status=ingediend.status)
