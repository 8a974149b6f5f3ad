"""Escalated signals as the privacy gateway reads them, and link pseudonyms on request."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.problems import BadRequest, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.intern import schemas
from intake_api.paginering import signalen_pagina
from intake_api.pseudonimisering.bsn import InvalidBsnError
from intake_api.pseudonimisering.pseudoniem import link_pseudoniem
from intake_api.signalen.models import Betrokkene, CasusPartner, Signaal
from intake_api.tijd import utc

MINDERJARIGE_INDICATOR = "minderjarige-betrokken"


async def _betrokkenen(session: AsyncSession, signaal_ids: Sequence[UUID]) -> dict[UUID, list[Betrokkene]]:
    per_signaal: dict[UUID, list[Betrokkene]] = {i: [] for i in signaal_ids}
    if not signaal_ids:
        return per_signaal
    rijen = await session.scalars(
        sa.select(Betrokkene)
        .where(Betrokkene.signaal_id.in_(signaal_ids))
        .order_by(Betrokkene.signaal_id, Betrokkene.volgnummer)
    )
    for betrokkene in rijen:
        per_signaal[betrokkene.signaal_id].append(betrokkene)
    return per_signaal


async def _signalen_per_pseudoniem(session: AsyncSession, pseudoniemen: set[str]) -> dict[str, int]:
    if not pseudoniemen:
        return {}
    rijen = await session.execute(
        sa.select(Betrokkene.link_pseudoniem, sa.func.count(sa.distinct(Betrokkene.signaal_id)))
        .where(Betrokkene.link_pseudoniem.in_(sorted(pseudoniemen)))
        .group_by(Betrokkene.link_pseudoniem)
    )
    return {str(p): int(n) for p, n in rijen}


def _basis(signaal: Signaal, betrokkenen: list[Betrokkene]) -> dict[str, object]:
    assert signaal.opgeschaald_op is not None and signaal.doel and signaal.vertrouwelijkheidaanduiding
    return {
        "id": signaal.id,
        "gemeente_code": signaal.gemeente_code,
        "status": signaal.status,
        "fase": signaal.status,
        "opgeschaald_op": utc(signaal.opgeschaald_op),
        "partners": list(signaal.partners or []),
        "doel": signaal.doel,
        "vertrouwelijkheidaanduiding": signaal.vertrouwelijkheidaanduiding,
        "toestemming": signaal.toestemming,
        "minderjarige_betrokken": MINDERJARIGE_INDICATOR in signaal.indicatoren
        or any(b.leeftijdsklasse == "<18" for b in betrokkenen),
        "kern": schemas.Kern(
            gemeente_code=signaal.gemeente_code,
            melder_domein=signaal.melder_domein,
            waargenomen_op=signaal.waargenomen_op,
            ontvangen_op=utc(signaal.ontvangen_op),
            uitbuitingsvormen=list(signaal.uitbuitingsvormen),
        ),
        "kenmerken": schemas.Kenmerken(
            indicatoren=list(signaal.indicatoren), sector=signaal.sector, locatietype=signaal.locatietype
        ),
        "omschrijving": signaal.omschrijving,
    }


def _betrokkene(b: Betrokkene, per_pseudoniem: dict[str, int]) -> dict[str, object]:
    # The count includes this signal itself: the others are one fewer.
    gekoppeld = per_pseudoniem.get(b.link_pseudoniem, 1) - 1 if b.link_pseudoniem else 0
    return {
        "id": b.id,
        "rol": b.rol,
        "link_pseudoniem": b.link_pseudoniem,
        "leeftijdsklasse": b.leeftijdsklasse,
        "geslacht": b.geslacht,
        "nationaliteitsgroep": b.nationaliteitsgroep,
        "gekoppelde_signalen": max(0, gekoppeld),
    }


async def casus(*, session: AsyncSession, signaal_id: UUID) -> schemas.Casus:
    """One escalated signal with its sealed identities; 404 when unknown or not escalated."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.status != "opgeschaald":
        raise NotFound("Casus niet gevonden.")
    betrokkenen = (await _betrokkenen(session, [signaal.id]))[signaal.id]
    per_pseudoniem = await _signalen_per_pseudoniem(
        session, {b.link_pseudoniem for b in betrokkenen if b.link_pseudoniem}
    )
    return schemas.Casus.model_validate(
        {
            **_basis(signaal, betrokkenen),
            "betrokkenen": [
                {
                    **_betrokkene(b, per_pseudoniem),
                    "identiteit_verzegeld": base64.b64encode(b.identiteit_verzegeld).decode()
                    if b.identiteit_verzegeld is not None
                    else None,
                }
                for b in betrokkenen
            ],
        }
    )


async def casussen(
    *, session: AsyncSession, page_size: int, partner: str | None = None, cursor: str | None = None
) -> schemas.CasussenPagina:
    """Escalated signals, newest escalation first, without sealed blobs."""
    query = sa.select(Signaal).where(Signaal.status == "opgeschaald")
    if partner is not None:
        query = query.where(
            sa.exists().where(CasusPartner.signaal_id == Signaal.id, CasusPartner.partner == partner)
        )
    signalen, volgende = await signalen_pagina(
        session=session, query=query, moment=Signaal.opgeschaald_op, page_size=page_size, cursor=cursor
    )
    betrokkenen = await _betrokkenen(session, [s.id for s in signalen])
    per_pseudoniem = await _signalen_per_pseudoniem(
        session, {b.link_pseudoniem for bs in betrokkenen.values() for b in bs if b.link_pseudoniem}
    )
    return schemas.CasussenPagina(
        casussen=[
            schemas.CasusSamenvatting.model_validate(
                {
                    **_basis(s, betrokkenen[s.id]),
                    "betrokkenen": [_betrokkene(b, per_pseudoniem) for b in betrokkenen[s.id]],
                }
            )
            for s in signalen
        ],
        volgende=volgende,
    )


def pseudoniem(*, verzoek: schemas.PseudoniemVerzoek, sleutel: bytes) -> schemas.Pseudoniem:
    """The link pseudonym of a BSN, or of a name with a date of birth (400 otherwise)."""
    heeft_bsn = verzoek.bsn is not None and bool(verzoek.bsn.strip())
    if not heeft_bsn and (verzoek.naam is None or verzoek.geboortedatum is None):
        raise BadRequest(
            "Geef een BSN, of een naam met geboortedatum.",
            invalid_params=[InvalidParam(name="bsn", reason="Ontbreekt (of geef naam en geboortedatum).")],
        )
    try:
        waarde = link_pseudoniem(
            sleutel=sleutel,
            bsn=verzoek.bsn if heeft_bsn else None,
            naam=None if heeft_bsn else verzoek.naam,
            geboortedatum=None if heeft_bsn else verzoek.geboortedatum,
        )
    except InvalidBsnError:
        raise BadRequest(
            "Geen geldig BSN.",
            invalid_params=[InvalidParam(name="bsn", reason="Geen geldig BSN (elfproef).")],
        ) from None
    if waarde is None:
        raise BadRequest(
            "Deze gegevens leveren geen pseudoniem op.",
            invalid_params=[InvalidParam(name="naam", reason="Leeg na normalisatie.")],
        )
    return schemas.Pseudoniem(link_pseudoniem=waarde)
