"""Additions to a signal: indicators, betrokkenen and a supplement to the description, each one entry in the
history and never an edit of what was recorded.

Betrokkenen go through the same code path as at intake (`signalen.service.add_betrokkenen`): link
pseudonyms, the identity sealed to the gateway, coarse attributes, and scrub marks for later free text. The
supplement goes through the one scrubber with the signal's own people (their scrub marks) and the people
added in the same request; its original is sealed. The history entry names the kinds added and counts,
never their content.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.catalogus import Catalogus
from meldroute_common.problems import BadRequest, Conflict, InvalidParam
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.aanvullingen.schemas import AanvullingInvoer
from intake_api.historie import lock_signaal, record_wijziging, scrub_signaaltekst, seal_tekst
from intake_api.models import Aanvulling, Betrokkene, Signaal, SignaalIndicator
from intake_api.signalen.service import (
    add_betrokkenen,
    add_schoonmerken,
    bekende_identiteiten,
    check_betrokkenen,
    get_signaal,
    vandaag,
)
from intake_api.sleutels import Sleutels

#: The statuses in which a signal is closed: nothing is added any more.
AFGESLOTEN = ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein")


def check_aanvulling(*, invoer: AanvullingInvoer, catalogus: Catalogus, nu: datetime) -> None:
    """400 for an empty addition, or naming each field with an unknown code, an invalid BSN or a future date."""
    if not invoer.indicatoren and not invoer.betrokkenen and invoer.aanvulling_omschrijving is None:
        raise BadRequest(
            "Een aanvulling bevat indicatoren, betrokkenen of een aanvullingOmschrijving.",
            invalid_params=[InvalidParam(name="indicatoren", reason="Niets om aan te vullen.")],
        )
    fouten = [
        InvalidParam(name=f"indicatoren[{index}]", reason="Onbekende code voor indicatoren.")
        for index, code in enumerate(invoer.indicatoren)
        if catalogus.onbekende_codes("indicatoren", [code])
    ]
    fouten += check_betrokkenen(betrokkenen=invoer.betrokkenen, catalogus=catalogus, vandaag=vandaag(nu=nu))
    if invoer.aanvulling_omschrijving is not None and not invoer.aanvulling_omschrijving.strip():
        fouten.append(InvalidParam(name="aanvullingOmschrijving", reason="Is leeg."))
    if fouten:
        raise BadRequest("De aanvulling is ongeldig; zie invalidParams.", invalid_params=fouten)


async def record_aanvulling(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    gemeente: str | None,
    invoer: AanvullingInvoer,
    door: str,
    catalogus: Catalogus,
    sleutels: Sleutels,
    nu: datetime,
) -> Signaal:
    """Add to a signal of the caller's municipality (404 otherwise); 400 bad input, 409 a closed signal or
    one whose retention period has purged its sealed data (an identity added now could not be purged)."""
    check_aanvulling(invoer=invoer, catalogus=catalogus, nu=nu)
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    # The betrokkenen's order numbers and the set of indicators depend on what is there: one change at a time.
    await lock_signaal(session=session, signaal=signaal)
    if signaal.status in AFGESLOTEN:
        raise Conflict("Het signaal is afgesloten; er kan niets meer worden aangevuld.")
    if signaal.gewist_op is not None:
        raise Conflict("De bewaartermijn van het signaal is verstreken; er kan niets meer worden aangevuld.")

    details: dict[str, object] = {}
    nieuwe_indicatoren = [c for c in dict.fromkeys(invoer.indicatoren) if c not in set(signaal.indicatoren)]
    if nieuwe_indicatoren:
        await session.execute(
            sa.update(Signaal)
            .where(Signaal.id == signaal.id)
            .values(indicatoren=[*signaal.indicatoren, *nieuwe_indicatoren])
            .execution_options(synchronize_session=False)
        )
        # The queue filters on the lookup rows, so an added indicator is found like one recorded at intake.
        session.add_all(SignaalIndicator(signaal_id=signaal.id, indicator=c) for c in nieuwe_indicatoren)
        details["indicatoren"] = len(nieuwe_indicatoren)
    bekend = bekende_identiteiten(betrokkenen=invoer.betrokkenen)
    if invoer.betrokkenen:
        volgende = await session.scalar(
            sa.select(sa.func.coalesce(sa.func.max(Betrokkene.volgnummer) + 1, 0)).where(
                Betrokkene.signaal_id == signaal.id
            )
        )
        await add_betrokkenen(
            session=session, signaal=signaal, invoer=invoer.betrokkenen, sleutels=sleutels,
            eerste_volgnummer=int(volgende or 0),
        )  # fmt: skip
        details["betrokkenen"] = len(invoer.betrokkenen)
    geschoond = None
    if invoer.aanvulling_omschrijving is not None:
        # Before the new marks are stored: the request's own people are passed as known identities.
        geschoond = await scrub_signaaltekst(
            session=session, signaal_id=signaal.id, tekst=invoer.aanvulling_omschrijving, sleutels=sleutels,
            known=bekend,
        )  # fmt: skip
        details["omschrijving"] = 1
        if geschoond.total:
            details["vervangenIdentificatoren"] = geschoond.total
    await add_schoonmerken(session=session, signaal_id=signaal.id, bekend=bekend, sleutels=sleutels)
    regel = await record_wijziging(
        session=session, signaal=signaal, actie="aangevuld", door=door, nu=nu, sleutels=sleutels,
        details={"soorten": [s for s in ("indicatoren", "betrokkenen", "omschrijving") if s in details], **details},
    )  # fmt: skip
    if geschoond is not None and invoer.aanvulling_omschrijving is not None:
        aanvulling_id = uuid.uuid4()
        session.add(
            Aanvulling(
                id=aanvulling_id, signaal_id=signaal.id, historie_id=regel.id, omschrijving=geschoond.text,
                omschrijving_verzegeld=seal_tekst(
                    signaal=signaal, veld=f"aanvulling.{aanvulling_id}", tekst=invoer.aanvulling_omschrijving,
                    sleutels=sleutels,
                ),
                door=door, vastgelegd_op=nu,
            )
        )  # fmt: skip
    await session.flush()
    await session.refresh(signaal)
    return signaal
