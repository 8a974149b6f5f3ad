"""Escalated signals as the privacy gateway reads them, and link pseudonyms on request."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Sequence
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.problems import BadRequest, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.intern import schemas
from intake_api.models import Betrokkene, CasusPartner, Signaal
from intake_api.paginering import signalen_pagina
from intake_api.pseudonimisering.bsn import InvalidBsnError
from intake_api.pseudonimisering.pseudoniem import link_pseudoniemen
from intake_api.signalen.koppeling import pseudoniemen_van_persoon
from intake_api.signalen.onderdelen import (
    geldige_toestemming,
    minderjarig_betrokken,
    read_toestemmingen,
    read_trajecten,
)
from intake_api.signalen.schemas import Kenmerken, Kern
from intake_api.signalen.service import find_gekoppelde_signalen
from intake_api.tijd import utc

STANDAARD_VERTROUWELIJKHEID = "vertrouwelijk"


class _Feiten:
    """What the policy needs beyond the signal row, read for a page of signals at once."""

    def __init__(
        self,
        trajecten: dict[UUID, list[schemas.CasusTraject]],
        toestemming: dict[UUID, bool],
    ) -> None:
        self.trajecten = trajecten
        self.toestemming = toestemming

    def casus_toestemming(self, betrokkenen: Iterable[Betrokkene]) -> bool:
        return any(b.rol == "slachtoffer" and self.toestemming.get(b.id, False) for b in betrokkenen)


async def _feiten(
    *, session: AsyncSession, signaal_ids: Sequence[UUID], betrokkenen: Iterable[Betrokkene]
) -> _Feiten:
    trajecten = await read_trajecten(session=session, signaal_ids=signaal_ids)
    toestemmingen = await read_toestemmingen(session=session, betrokkene_ids=[b.id for b in betrokkenen])
    return _Feiten(
        trajecten={
            i: [
                schemas.CasusTraject(
                    id=t.id,
                    doel=t.doel,
                    status=t.status,
                    partners=list(p),
                    sinds=utc(t.geopend_op),
                )
                for t, p in rijen
            ]
            for i, rijen in trajecten.items()
        },
        toestemming={b: geldige_toestemming(r) is not None for b, r in toestemmingen.items()},
    )


async def _betrokkenen(*, session: AsyncSession, signaal_ids: Sequence[UUID]) -> dict[UUID, list[Betrokkene]]:
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


async def _gekoppeld(*, session: AsyncSession, betrokkenen: Iterable[Betrokkene]) -> dict[UUID, int]:
    """Per betrokkene, the number of other signals linked to them by any of their pseudonyms."""
    return await find_gekoppelde_signalen(session=session, betrokkenen=betrokkenen)


def _basis(signaal: Signaal, betrokkenen: list[Betrokkene], feiten: _Feiten) -> dict[str, object]:
    assert signaal.opgeschaald_op is not None and signaal.doel and signaal.vertrouwelijkheidaanduiding
    trajecten = feiten.trajecten.get(signaal.id, [])
    return {
        "id": signaal.id,
        "gemeente_code": signaal.gemeente_code,
        "status": signaal.status,
        "fase": signaal.status,
        "opgeschaald_op": utc(signaal.opgeschaald_op),
        "partners": list(dict.fromkeys(p for t in trajecten for p in t.partners))
        or list(signaal.partners or []),
        "doel": trajecten[0].doel if trajecten else signaal.doel,
        "vertrouwelijkheidaanduiding": signaal.vertrouwelijkheidaanduiding,
        # The signal's own boolean no longer counts: consent is per victim, dated and withdrawable.
        "toestemming": feiten.casus_toestemming(betrokkenen),
        "minderjarige_betrokken": minderjarig_betrokken(signaal, betrokkenen),
        "trajecten": trajecten,
        "kern": Kern(
            gemeente_code=signaal.gemeente_code,
            melder_domein=signaal.melder_domein,
            waargenomen_op=signaal.waargenomen_op,
            ontvangen_op=utc(signaal.ontvangen_op),
            uitbuitingsvormen=list(signaal.uitbuitingsvormen),
        ),
        "kenmerken": Kenmerken(
            indicatoren=list(signaal.indicatoren), sector=signaal.sector, locatietype=signaal.locatietype
        ),
        "omschrijving": signaal.omschrijving,
    }


def _betrokkene(b: Betrokkene, gekoppeld: dict[UUID, int], feiten: _Feiten) -> dict[str, object]:
    return {
        "toestemming": b.rol == "slachtoffer" and feiten.toestemming.get(b.id, False),
        "id": b.id,
        "rol": b.rol,
        "link_pseudoniem": b.link_pseudoniem,
        "leeftijdsklasse": b.leeftijdsklasse,
        "geslacht": b.geslacht,
        "nationaliteitsgroep": b.nationaliteitsgroep,
        "gekoppelde_signalen": gekoppeld.get(b.id, 0),
    }


async def get_casus(*, session: AsyncSession, signaal_id: UUID) -> schemas.Casus:
    """One escalated signal with its sealed identities; 404 when unknown or not escalated."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or signaal.status != "opgeschaald":
        raise NotFound("Casus niet gevonden.")
    betrokkenen = (await _betrokkenen(session=session, signaal_ids=[signaal.id]))[signaal.id]
    per_pseudoniem = await _gekoppeld(session=session, betrokkenen=betrokkenen)
    feiten = await _feiten(session=session, signaal_ids=[signaal.id], betrokkenen=betrokkenen)
    return schemas.Casus.model_validate(
        {
            **_basis(signaal, betrokkenen, feiten),
            "betrokkenen": [
                {
                    **_betrokkene(b, per_pseudoniem, feiten),
                    "identiteit_verzegeld": base64.b64encode(b.identiteit_verzegeld).decode()
                    if b.identiteit_verzegeld is not None
                    else None,
                }
                for b in betrokkenen
            ],
        }
    )


async def get_beleidsfeiten(*, session: AsyncSession, signaal_id: UUID) -> schemas.Beleidsfeiten:
    """The facts the policy decides on, for a signal in any status (404 unknown)."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None:
        raise NotFound("Signaal niet gevonden.")
    betrokkenen = (await _betrokkenen(session=session, signaal_ids=[signaal.id]))[signaal.id]
    feiten = await _feiten(session=session, signaal_ids=[signaal.id], betrokkenen=betrokkenen)
    return schemas.Beleidsfeiten(
        id=signaal.id,
        gemeente_code=signaal.gemeente_code,
        status=signaal.status,
        vertrouwelijkheidaanduiding=signaal.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID,
        minderjarige_betrokken=minderjarig_betrokken(signaal, betrokkenen),
        toestemming=feiten.casus_toestemming(betrokkenen),
        trajecten=feiten.trajecten.get(signaal.id, []),
    )


async def search_casussen(
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
    betrokkenen = await _betrokkenen(session=session, signaal_ids=[s.id for s in signalen])
    alle = [b for bs in betrokkenen.values() for b in bs]
    per_pseudoniem = await _gekoppeld(session=session, betrokkenen=alle)
    feiten = await _feiten(session=session, signaal_ids=[s.id for s in signalen], betrokkenen=alle)
    return schemas.CasussenPagina(
        casussen=[
            schemas.CasusSamenvatting.model_validate(
                {
                    **_basis(s, betrokkenen[s.id], feiten),
                    "betrokkenen": [_betrokkene(b, per_pseudoniem, feiten) for b in betrokkenen[s.id]],
                }
            )
            for s in signalen
        ],
        volgende=volgende,
    )


async def get_pseudoniem(
    *, session: AsyncSession, verzoek: schemas.PseudoniemVerzoek, sleutel: bytes
) -> schemas.Pseudoniem:
    """The link pseudonym of a BSN, or of a name with a date of birth (400 otherwise), and every pseudonym
    linked to it: a person recorded once with BSN and name + birth date is found by either."""
    heeft_bsn = verzoek.bsn is not None and bool(verzoek.bsn.strip())
    heeft_naam = verzoek.naam is not None and verzoek.geboortedatum is not None
    if not heeft_bsn and not heeft_naam:
        raise BadRequest(
            "Geef een BSN, of een naam met geboortedatum.",
            invalid_params=[InvalidParam(name="bsn", reason="Ontbreekt (of geef naam en geboortedatum).")],
        )
    try:
        alle = link_pseudoniemen(
            sleutel=sleutel,
            bsn=verzoek.bsn if heeft_bsn else None,
            naam=verzoek.naam,
            geboortedatum=verzoek.geboortedatum,
        )
    except InvalidBsnError:
        raise BadRequest(
            "Geen geldig BSN.",
            invalid_params=[InvalidParam(name="bsn", reason="Geen geldig BSN (elfproef).")],
        ) from None
    if not alle:
        raise BadRequest(
            "Deze gegevens leveren geen pseudoniem op.",
            invalid_params=[InvalidParam(name="naam", reason="Leeg na normalisatie.")],
        )
    gekoppeld = await pseudoniemen_van_persoon(session=session, pseudoniemen=alle)
    return schemas.Pseudoniem(link_pseudoniem=alle[0][1], koppelpseudoniemen=sorted(gekoppeld))
