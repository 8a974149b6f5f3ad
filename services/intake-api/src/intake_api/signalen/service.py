"""Signals: recording one at the door, and reading them back pseudonymised.

At intake, per betrokkene: the link pseudonym (HMAC under the link key), the identifying fields sealed
to the privacy gateway (bound to signal and betrokkene id) and coarse attributes. The description is
stored with identifiers replaced; the original is sealed. Nothing identifying is stored readably,
returned or logged.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from meldroute_common.catalogus import ONBEKEND, Catalogus, Lijst, leeftijdsklasse, nationaliteitsgroep
from meldroute_common.problems import BadRequest, Forbidden, InvalidParam, NotFound
from meldroute_common.scrubbing import KnownIdentity, identity_tokens, scrub_text
from meldroute_common.sealing import (
    IDENTITEIT_VELDEN,
    VELD_IDENTITEIT,
    Identiteitsgegevens,
    SealContext,
    encode_identiteit,
    seal,
)
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.db import Base
from intake_api.idempotentie import service as idempotentie
from intake_api.models import (
    Betrokkene,
    BetrokkenePseudoniem,
    HistorieRegel,
    OutboxGebeurtenis,
    Schoonmerk,
    Signaal,
    SignaalIndicator,
    SignaalUitbuitingsvorm,
    Termijn,
    Traject,
)
from intake_api.outbox.service import outbox_rij
from intake_api.pseudonimisering.bsn import InvalidBsnError, validate_bsn
from intake_api.pseudonimisering.pseudoniem import (
    link_pseudoniem,
    link_pseudoniemen,
    schoonmerk,
    schoonmerk_sleutel,
)
from intake_api.signalen import opslaan, schemas
from intake_api.signalen.koppeling import find_koppelingen, find_koppelingen_nieuw
from intake_api.signalen.onderdelen import (
    read_aanvullingen,
    read_adviesvragen,
    read_doelverzoeken,
    read_toestemmingen,
    read_trajecten_weergave,
    toestemmingen_weergave,
)
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import nieuwe_status_termijnen, read_termijnen_weergave, termijnen_weergave
from intake_api.tijd import nu as klok
from intake_api.tijd import utc

log = logging.getLogger("intake_api.signalen")

_TIJDZONE = ZoneInfo("Europe/Amsterdam")
# --- recording -----------------------------------------------------------------------------------


def check_invoer(*, invoer: schemas.SignaalInvoer, catalogus: Catalogus, vandaag: date) -> None:
    """400 naming every field that holds an unknown code, a duplicate, an invalid BSN or a future date."""
    fouten: list[InvalidParam] = []

    def code(naam: str, lijst: Lijst, waarde: str) -> None:
        if catalogus.onbekende_codes(lijst, [waarde]):
            fouten.append(InvalidParam(name=naam, reason=f"Onbekende code voor {lijst}."))

    def codes(naam: str, lijst: Lijst, waarden: Sequence[str]) -> None:
        gezien: set[str] = set()
        for index, waarde in enumerate(waarden):
            if waarde in gezien:
                fouten.append(InvalidParam(name=f"{naam}[{index}]", reason="Staat er al eerder in."))
            gezien.add(waarde)
            code(f"{naam}[{index}]", lijst, waarde)

    code("gemeenteCode", "gemeenten", invoer.gemeente_code)
    code("melderDomein", "melderdomeinen", invoer.melder_domein)
    codes("uitbuitingsvormen", "uitbuitingsvormen", invoer.uitbuitingsvormen)
    if ONBEKEND in invoer.uitbuitingsvormen and len(invoer.uitbuitingsvormen) > 1:
        fouten.append(
            InvalidParam(name="uitbuitingsvormen", reason="'onbekend' gaat niet samen met een andere vorm.")
        )
    codes("indicatoren", "indicatoren", invoer.indicatoren)
    code("sector", "sectoren", invoer.sector)
    code("locatietype", "locatietypen", invoer.locatietype)
    if invoer.waargenomen_op > vandaag:
        fouten.append(InvalidParam(name="waargenomenOp", reason="Ligt in de toekomst."))
    fouten += check_betrokkenen(betrokkenen=invoer.betrokkenen, catalogus=catalogus, vandaag=vandaag)
    if fouten:
        raise BadRequest("De invoer is ongeldig; zie invalidParams.", invalid_params=fouten)


def check_betrokkenen(
    *, betrokkenen: Sequence[schemas.BetrokkeneInvoer], catalogus: Catalogus, vandaag: date
) -> list[InvalidParam]:
    """What is wrong with the betrokkenen of a request (`betrokkenen[i].veld`): an unknown gender code, an
    invalid BSN, a birth date in the future."""
    fouten: list[InvalidParam] = []
    for index, betrokkene in enumerate(betrokkenen):
        if betrokkene.geslacht is not None and catalogus.onbekende_codes("geslachten", [betrokkene.geslacht]):
            fouten.append(
                InvalidParam(name=f"betrokkenen[{index}].geslacht", reason="Onbekende code voor geslachten.")
            )
        if betrokkene.bsn is not None and betrokkene.bsn.strip():
            try:
                validate_bsn(betrokkene.bsn)
            except InvalidBsnError:
                fouten.append(
                    InvalidParam(name=f"betrokkenen[{index}].bsn", reason="Geen geldig BSN (elfproef).")
                )
        if betrokkene.geboortedatum is not None and betrokkene.geboortedatum > vandaag:
            fouten.append(
                InvalidParam(name=f"betrokkenen[{index}].geboortedatum", reason="Ligt in de toekomst.")
            )
    return fouten


def vandaag(*, nu: datetime) -> date:
    """Today in the Netherlands (observation dates are Dutch calendar dates)."""
    return nu.astimezone(_TIJDZONE).date()


def bekende_identiteiten(*, betrokkenen: Iterable[schemas.BetrokkeneInvoer]) -> list[KnownIdentity]:
    """What the signal itself says identifies its betrokkenen, for the scrubber to replace in free text."""
    return [
        KnownIdentity(
            names=(b.naam,) if b.naam else (),
            address=b.adres,
            birth_date=b.geboortedatum,
            bsn=b.bsn,
            phone=b.telefoon,
        )
        for b in betrokkenen
    ]


def _identiteit(betrokkene: schemas.BetrokkeneInvoer) -> bytes | None:
    """The plaintext of the betrokkene's identity blob (blank fields left out), or None when nothing identifies."""
    velden: dict[str, object] = {}
    for veld in IDENTITEIT_VELDEN:
        waarde = getattr(betrokkene, veld)
        if waarde is None or (isinstance(waarde, str) and not waarde.strip()):
            continue
        velden[veld] = validate_bsn(waarde) if veld == "bsn" else waarde
    return encode_identiteit(Identiteitsgegevens.model_validate(velden))


def check_aanmaken(
    *, invoer: schemas.SignaalInvoer, gemeente: str | None, catalogus: Catalogus, nu: datetime
) -> None:
    """Every check a new signal must pass before anything is stored or replayed (400 codes, 403 municipality)."""
    check_invoer(invoer=invoer, catalogus=catalogus, vandaag=vandaag(nu=nu))
    if gemeente is None or invoer.gemeente_code != gemeente:
        raise Forbidden("Een signaal kan alleen voor de eigen gemeente worden vastgelegd.")


def betrokkene_rijen(
    *,
    signaal_id: UUID,
    waargenomen_op: date,
    invoer: Sequence[schemas.BetrokkeneInvoer],
    sleutels: Sleutels,
    eerste_volgnummer: int,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of betrokkenen of a signal, made the one way intake makes them, at intake and when added later:
    per person the link pseudonyms, the identity sealed to the gateway (bound to signal and betrokkene) and
    coarse attributes (the age band on the observation date). Returns the betrokkene rows and the pseudonym
    rows (column values)."""
    betrokkenen: list[dict[str, Any]] = []
    pseudoniemen: list[dict[str, Any]] = []
    for volgnummer, b in enumerate(invoer, start=eerste_volgnummer):
        betrokkene_id = uuid.uuid4()
        identiteit = _identiteit(b)
        betrokkenen.append(
            {
                "id": betrokkene_id,
                "signaal_id": signaal_id,
                "volgnummer": volgnummer,
                "rol": b.rol,
                "link_pseudoniem": link_pseudoniem(
                    sleutel=sleutels.link_sleutel, bsn=b.bsn, naam=b.naam, geboortedatum=b.geboortedatum
                ),
                "leeftijdsklasse": leeftijdsklasse(geboortedatum=b.geboortedatum, peildatum=waargenomen_op),
                "geslacht": b.geslacht or ONBEKEND,
                "nationaliteitsgroep": nationaliteitsgroep(b.nationaliteit),
                "identiteit_verzegeld": seal(
                    plaintext=identiteit,
                    ontvanger=sleutels.gateway,
                    context=SealContext(
                        signaal_id=signaal_id, betrokkene_id=betrokkene_id, veld=VELD_IDENTITEIT
                    ),
                )
                if identiteit is not None
                else None,
                "sleutel_id": sleutels.gateway.key_id if identiteit is not None else None,
            }
        )
        pseudoniemen.extend(
            {"betrokkene_id": betrokkene_id, "link_pseudoniem": p, "soort": soort, "signaal_id": signaal_id}
            for soort, p in link_pseudoniemen(
                sleutel=sleutels.link_sleutel, bsn=b.bsn, naam=b.naam, geboortedatum=b.geboortedatum
            )
        )
    return betrokkenen, pseudoniemen


def schoonmerken(*, bekend: Sequence[KnownIdentity], sleutels: Sleutels) -> set[str]:
    """The scrub marks of these identities: what lets later free text about the signal be scrubbed of them."""
    merk_sleutel = schoonmerk_sleutel(sleutels.link_sleutel)
    return {
        schoonmerk(sleutel=merk_sleutel, soort=str(soort), token=token)
        for soort, token in identity_tokens(bekend)
    }


async def add_betrokkenen(
    *,
    session: AsyncSession,
    signaal: Signaal,
    invoer: Sequence[schemas.BetrokkeneInvoer],
    sleutels: Sleutels,
    eerste_volgnummer: int,
) -> list[Betrokkene]:
    """Store betrokkenen of an existing signal (see `betrokkene_rijen`) in the session."""
    rijen, pseudoniemen = betrokkene_rijen(
        signaal_id=signaal.id,
        waargenomen_op=signaal.waargenomen_op,
        invoer=invoer,
        sleutels=sleutels,
        eerste_volgnummer=eerste_volgnummer,
    )
    betrokkenen = [Betrokkene(**rij) for rij in rijen]
    session.add_all(betrokkenen)
    await session.flush()
    session.add_all(BetrokkenePseudoniem(**p) for p in pseudoniemen)
    return betrokkenen


async def add_schoonmerken(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    bekend: Sequence[KnownIdentity],
    sleutels: Sleutels,
) -> None:
    """Keep the scrub marks of these identities (those the signal has already are left as they are), so
    later free text about the signal is scrubbed of them too. (A signal being recorded gets its marks with its
    other rows, `record_signaal`.)"""
    nieuw = schoonmerken(bekend=bekend, sleutels=sleutels)
    if not nieuw:
        return
    al = set(
        await session.scalars(
            sa.select(Schoonmerk.merk).where(Schoonmerk.signaal_id == signaal_id, Schoonmerk.merk.in_(nieuw))
        )
    )
    session.add_all(Schoonmerk(signaal_id=signaal_id, merk=m) for m in sorted(nieuw - al))


@dataclass(frozen=True, slots=True)
class Vastgelegd:
    """A signal just recorded: its pseudonymised view as JSON (built from what was written), where it lives,
    and its version."""

    body: dict[str, Any]
    locatie: str
    versie: int


@dataclass(frozen=True, slots=True)
class _Rijen:
    """Every row of a new signal, made in memory before any is written."""

    signaal: dict[str, Any]
    betrokkenen: list[dict[str, Any]]
    pseudoniemen: list[dict[str, Any]]
    schoonmerken: list[dict[str, Any]]
    uitbuitingsvormen: list[dict[str, Any]]
    indicatoren: list[dict[str, Any]]
    termijnen: list[Termijn]
    historie: dict[str, Any]
    vervangen: int


def _maak_rijen(*, invoer: schemas.SignaalInvoer, door: str, sleutels: Sleutels, nu: datetime) -> _Rijen:
    """The rows of a new signal: the description scrubbed with the original sealed, the betrokkenen
    (`betrokkene_rijen`), the scrub marks, the lookup rows of its forms and indicators, the deadlines its
    first status opens, the history entry."""
    signaal_id = uuid.uuid4()
    origineel = invoer.omschrijving
    bekend = bekende_identiteiten(betrokkenen=invoer.betrokkenen)
    geschoond = scrub_text(origineel, known=bekend)
    signaal = {
        "id": signaal_id,
        "gemeente_code": invoer.gemeente_code,
        "melder_domein": invoer.melder_domein,
        "waargenomen_op": invoer.waargenomen_op,
        "ontvangen_op": nu,
        "uitbuitingsvormen": list(invoer.uitbuitingsvormen),
        "indicatoren": list(invoer.indicatoren),
        "sector": invoer.sector,
        "locatietype": invoer.locatietype,
        "omschrijving": geschoond.text,
        "omschrijving_verzegeld": seal(
            plaintext=origineel.encode(),
            ontvanger=sleutels.gateway,
            context=SealContext(signaal_id=signaal_id, betrokkene_id=None, veld="omschrijving"),
        )
        if origineel
        else None,
        "toestemming": invoer.toestemming,
        "status": "ontvangen",
        "versie": 1,
        "status_gewijzigd_op": nu,
        "aangemaakt_door": door,
    }
    betrokkenen, pseudoniemen = betrokkene_rijen(
        signaal_id=signaal_id,
        waargenomen_op=invoer.waargenomen_op,
        invoer=invoer.betrokkenen,
        sleutels=sleutels,
        eerste_volgnummer=0,
    )
    return _Rijen(
        signaal=signaal,
        betrokkenen=betrokkenen,
        pseudoniemen=pseudoniemen,
        schoonmerken=[
            {"signaal_id": signaal_id, "merk": m}
            for m in sorted(schoonmerken(bekend=bekend, sleutels=sleutels))
        ],
        uitbuitingsvormen=[{"signaal_id": signaal_id, "vorm": v} for v in invoer.uitbuitingsvormen],
        indicatoren=[{"signaal_id": signaal_id, "indicator": i} for i in invoer.indicatoren],
        termijnen=nieuwe_status_termijnen(signaal_id=signaal_id, status="ontvangen", nu=nu),
        historie={
            "id": uuid.uuid4(),
            "signaal_id": signaal_id,
            "volgnummer": 1,
            "tijdstip": nu,
            "actie": "aangemaakt",
            "door": door,
            "van_status": None,
            "naar_status": "ontvangen",
            "toelichting": None,
            "details": {"vervangenIdentificatoren": geschoond.total} if geschoond.total else None,
        },
        vervangen=geschoond.total,
    )


def _tabel(model: type[Base]) -> sa.Table:
    tabel = model.__table__
    assert isinstance(tabel, sa.Table)
    return tabel


def _kolommen(rij: Base) -> dict[str, Any]:
    """The column values of an object not in the session, for a Core insert."""
    return {kolom.key: getattr(rij, kolom.key) for kolom in _tabel(type(rij)).columns}


def _transient(rijen: _Rijen) -> tuple[Signaal, list[Betrokkene]]:
    """Objects of what is about to be written, never added to the session: the view and the event are made
    from them, so nothing is read back."""
    return Signaal(**rijen.signaal), [Betrokkene(**b) for b in rijen.betrokkenen]


async def _schrijf(
    *,
    session: AsyncSession,
    rijen: _Rijen,
    signaal: Signaal,
    betrokkenen: list[Betrokkene],
    catalogus: Catalogus,
    nu: datetime,
    claim: idempotentie.Claim | None = None,
    claim_waarden: dict[str, Any] | None = None,
) -> idempotentie.Herhaling | None:
    """Write the rows and the outbox event, parents first, with the idempotency key first when there is one
    (`opslaan.schrijf`: one statement on PostgreSQL); the stored answer when the key was taken (nothing
    written)."""
    outbox = outbox_rij(
        catalogus=catalogus, type="signaal_ontvangen", signaal=signaal, betrokkenen=betrokkenen, nu=nu
    )
    herhaling = await opslaan.schrijf(
        session=session,
        tabellen=[
            (_tabel(Signaal), [rijen.signaal], False),
            (_tabel(Betrokkene), rijen.betrokkenen, True),
            (_tabel(BetrokkenePseudoniem), rijen.pseudoniemen, True),
            (_tabel(Schoonmerk), rijen.schoonmerken, True),
            (_tabel(SignaalUitbuitingsvorm), rijen.uitbuitingsvormen, True),
            (_tabel(SignaalIndicator), rijen.indicatoren, True),
            (_tabel(Termijn), [_kolommen(t) for t in rijen.termijnen], True),
            (_tabel(HistorieRegel), [rijen.historie], False),
            (_tabel(OutboxGebeurtenis), [outbox], False),
        ],
        claim=claim,
        claim_waarden=claim_waarden,
    )
    if herhaling is None:
        log.info("signaal vastgelegd", extra={"signaal_id": str(signaal.id), "betrokkenen": len(betrokkenen)})
    return herhaling


async def record_signaal(
    *,
    session: AsyncSession,
    invoer: schemas.SignaalInvoer,
    door: str,
    gemeente: str | None,
    catalogus: Catalogus,
    sleutels: Sleutels,
    nu: datetime,
    claim: idempotentie.Claim | None = None,
) -> Vastgelegd | idempotentie.Herhaling:
    """Record a signal for the caller's municipality in the caller's transaction (400 invalid codes, 403
    another municipality) and return its view, built from what is written. With an idempotency `claim` the
    key is claimed with that answer first, in the same transaction; a key already used gives its stored answer
    and nothing is written (another body 422, a request still running 409)."""
    check_aanmaken(invoer=invoer, gemeente=gemeente, catalogus=catalogus, nu=nu)
    rijen = _maak_rijen(invoer=invoer, door=door, sleutels=sleutels, nu=nu)
    signaal, betrokkenen = _transient(rijen)
    weergave = await build_weergave(
        session=session,
        signaal=signaal,
        nu=nu,
        nieuw=Nieuw(betrokkenen=betrokkenen, pseudoniemen=rijen.pseudoniemen, termijnen=rijen.termijnen),
    )
    body = weergave.model_dump(mode="json")
    locatie = f"/v1/signalen/{signaal.id}"
    # The key before the rows: a concurrent request with the same key waits on it, having written nothing.
    herhaling = await _schrijf(
        session=session, rijen=rijen, signaal=signaal, betrokkenen=betrokkenen, catalogus=catalogus, nu=nu,
        claim=claim,
        claim_waarden=idempotentie.claim_waarden(claim=claim, nu=nu, status=201, body=body, locatie=locatie)
        if claim is not None
        else None,
    )  # fmt: skip
    if herhaling is not None:
        return herhaling
    return Vastgelegd(body=body, locatie=locatie, versie=signaal.versie)


async def create_signaal(
    *,
    session: AsyncSession,
    invoer: schemas.SignaalInvoer,
    door: str,
    gemeente: str | None,
    catalogus: Catalogus,
    sleutels: Sleutels,
    nu: datetime,
) -> Signaal:
    """Record a signal for the caller's municipality (400 invalid codes, 403 another municipality) without
    building its view; the signal as stored, in the session (changes made through it later show on it)."""
    check_aanmaken(invoer=invoer, gemeente=gemeente, catalogus=catalogus, nu=nu)
    rijen = _maak_rijen(invoer=invoer, door=door, sleutels=sleutels, nu=nu)
    signaal, betrokkenen = _transient(rijen)
    await _schrijf(
        session=session, rijen=rijen, signaal=signaal, betrokkenen=betrokkenen, catalogus=catalogus, nu=nu
    )
    opgeslagen = await session.get(Signaal, signaal.id)
    assert opgeslagen is not None
    return opgeslagen


# --- reading -------------------------------------------------------------------------------------


async def get_signaal(*, session: AsyncSession, signaal_id: UUID, gemeente: str | None) -> Signaal:
    """The signal of the caller's municipality; 404 when it does not exist or belongs to another one."""
    signaal = await session.get(Signaal, signaal_id)
    if signaal is None or gemeente is None or signaal.gemeente_code != gemeente:
        raise NotFound("Signaal niet gevonden.")
    return signaal


async def get_betrokkenen(*, session: AsyncSession, signaal_id: UUID) -> list[Betrokkene]:
    resultaat = await session.scalars(
        sa.select(Betrokkene).where(Betrokkene.signaal_id == signaal_id).order_by(Betrokkene.volgnummer)
    )
    return list(resultaat)


async def find_gekoppelde_signalen(
    *, session: AsyncSession, betrokkenen: Iterable[Betrokkene]
) -> dict[UUID, int]:
    """Per betrokkene, the number of OTHER signals with a betrokkene linked to them by any pseudonym."""
    eigen = {b.id: b.signaal_id for b in betrokkenen}
    per_betrokkene = await find_koppelingen(session=session, betrokkene_ids=eigen)
    return {b: len(k.signalen - {eigen[b]}) for b, k in per_betrokkene.items()}


@dataclass(frozen=True, slots=True)
class Nieuw:
    """A signal being recorded in this transaction: its betrokkenen, pseudonym rows and deadlines as written, so
    its view needs no read back and nothing else hangs off it yet (no tracks, advice, requests, additions or
    consent)."""

    betrokkenen: list[Betrokkene]
    pseudoniemen: list[dict[str, Any]]
    termijnen: list[Termijn]


async def build_weergave(
    *, session: AsyncSession, signaal: Signaal, nu: datetime | None = None, nieuw: Nieuw | None = None
) -> schemas.Signaal:
    """The pseudonymised view of a signal, its deadlines' status as of `nu` (default now); of one being
    recorded: from what is written, see `Nieuw`."""
    if nieuw is None:
        betrokkenen = await get_betrokkenen(session=session, signaal_id=signaal.id)
        gekoppeld = await find_gekoppelde_signalen(session=session, betrokkenen=betrokkenen)
        toestemmingen = await read_toestemmingen(session=session, betrokkene_ids=[b.id for b in betrokkenen])
    else:
        betrokkenen = nieuw.betrokkenen
        koppelingen = await find_koppelingen_nieuw(
            session=session,
            rijen=[
                (p["betrokkene_id"], p["link_pseudoniem"], p["soort"], p["signaal_id"])
                for p in nieuw.pseudoniemen
            ],
        )
        gekoppeld = {b: len(k.signalen - {signaal.id}) for b, k in koppelingen.items()}
        toestemmingen = {b.id: [] for b in betrokkenen}
    return schemas.Signaal(
        id=signaal.id,
        gemeente_code=signaal.gemeente_code,
        melder_domein=signaal.melder_domein,
        waargenomen_op=signaal.waargenomen_op,
        ontvangen_op=utc(signaal.ontvangen_op),
        uitbuitingsvormen=list(signaal.uitbuitingsvormen),
        indicatoren=list(signaal.indicatoren),
        sector=signaal.sector,
        locatietype=signaal.locatietype,
        omschrijving=signaal.omschrijving,
        toestemming=signaal.toestemming,
        status=signaal.status,
        versie=signaal.versie,
        status_gewijzigd_op=utc(signaal.status_gewijzigd_op),
        doorverwezen_naar=signaal.doorverwezen_naar,
        opgeschaald_op=utc(signaal.opgeschaald_op) if signaal.opgeschaald_op else None,
        partners=list(signaal.partners) if signaal.partners is not None else None,
        doel=signaal.doel,
        vertrouwelijkheidaanduiding=signaal.vertrouwelijkheidaanduiding,
        gewist_op=utc(signaal.gewist_op) if signaal.gewist_op else None,
        toegewezen_aan=signaal.toegewezen_aan,
        betrokkenen=[
            schemas.BetrokkeneWeergave(
                id=b.id,
                rol=b.rol,
                leeftijdsklasse=b.leeftijdsklasse,
                geslacht=b.geslacht,
                nationaliteitsgroep=b.nationaliteitsgroep,
                gekoppelde_signalen=gekoppeld.get(b.id, 0),
                identiteit_verzegeld=b.identiteit_verzegeld is not None,
                toestemmingen=toestemmingen_weergave(toestemmingen[b.id]),
            )
            for b in betrokkenen
        ],
        trajecten=[] if nieuw else await read_trajecten_weergave(session=session, signaal_id=signaal.id),
        adviesvragen=[] if nieuw else await read_adviesvragen(session=session, signaal_id=signaal.id),
        doelverzoeken=[] if nieuw else await read_doelverzoeken(session=session, signaal_id=signaal.id),
        aanvullingen=[] if nieuw else await read_aanvullingen(session=session, signaal_id=signaal.id),
        termijnen=termijnen_weergave(nieuw.termijnen, nu=nu or klok())
        if nieuw
        else await read_termijnen_weergave(session=session, signaal_id=signaal.id, nu=nu or klok()),
    )


async def get_historie(*, session: AsyncSession, signaal_id: UUID) -> schemas.Historie:
    rijen = await session.scalars(
        sa.select(HistorieRegel)
        .where(HistorieRegel.signaal_id == signaal_id)
        .order_by(HistorieRegel.volgnummer)
    )
    return schemas.Historie(
        signaal_id=signaal_id,
        historie=[
            schemas.HistorieRegel(
                volgnummer=r.volgnummer,
                tijdstip=utc(r.tijdstip),
                actie=r.actie,
                door=r.door,
                van_status=r.van_status,
                naar_status=r.naar_status,
                toelichting=r.toelichting,
                details=r.details,
            )
            for r in rijen
        ],
    )


# --- the melder ----------------------------------------------------------------------------------


async def read_status_voor_melder(
    *, session: AsyncSession, signaal_id: UUID, sub: str, gemeente: str | None
) -> schemas.SignaalStatusVoorMelder:
    """Where the signal stands for the melder who recorded it (same `sub`, same municipality); anyone else
    404, as for a signal that does not exist."""
    signaal = await session.get(Signaal, signaal_id)
    if (
        signaal is None
        or gemeente is None
        or signaal.gemeente_code != gemeente
        or signaal.aangemaakt_door != sub
    ):
        raise NotFound("Signaal niet gevonden.")
    if signaal.status == "ontvangen":
        return schemas.SignaalStatusVoorMelder(
            status="ontvangen", sinds=vandaag(nu=utc(signaal.ontvangen_op))
        )
    if signaal.status in {"afgesloten_geen_mensenhandel", "doorverwezen_ander_domein"}:
        return schemas.SignaalStatusVoorMelder(
            status="afgehandeld", sinds=vandaag(nu=utc(signaal.status_gewijzigd_op))
        )
    if signaal.status == "opgeschaald":
        trajecten = list(await session.scalars(sa.select(Traject).where(Traject.signaal_id == signaal.id)))
        if trajecten and all(t.afgerond_op is not None for t in trajecten):
            laatste = max(utc(t.afgerond_op) for t in trajecten if t.afgerond_op is not None)
            return schemas.SignaalStatusVoorMelder(status="afgehandeld", sinds=vandaag(nu=laatste))
    # In behandeling from the first decision on: advice and running tracks do not change what the melder sees.
    begin = await session.scalar(
        sa.select(sa.func.min(HistorieRegel.tijdstip)).where(
            HistorieRegel.signaal_id == signaal.id, HistorieRegel.van_status == "ontvangen"
        )
    )
    return schemas.SignaalStatusVoorMelder(
        status="in_behandeling", sinds=vandaag(nu=utc(begin or signaal.status_gewijzigd_op))
    )
