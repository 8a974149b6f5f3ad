"""The triage state machine and its one way of changing a signal's status.

    ontvangen ──► in_behandeling ──► afgesloten_geen_mensenhandel
                                 ├─► doorverwezen_ander_domein   (naming a referral domain)
                                 └─► opgeschaald                 (partners and purpose; a casus)

The three outcomes are final. A decision names the version it was made on; the update is conditional
on that version (`UPDATE ... WHERE versie = :v`), so of two officers deciding at once one wins and the
other gets 412, on PostgreSQL as on SQLite. Every change is written to the history (who, when, why)
and as an anonymous event to the outbox, in the same transaction.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import ClassVar
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.catalogus import Catalogus
from meldroute_common.problems import BadRequest, Conflict, InvalidParam, PreconditionFailed, Problem
from meldroute_common.scrubbing import scrub_text
from meldroute_common.sealing import SealContext, seal
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.beoordelingen.schemas import BeoordelingInvoer
from intake_api.models import CasusPartner, HistorieRegel, Schoonmerk, Signaal, ToelichtingOrigineel
from intake_api.outbox.service import record_gebeurtenis
from intake_api.pseudonimisering.pseudoniem import schoonmerk_lookup, schoonmerk_sleutel
from intake_api.signalen.service import get_betrokkenen, get_signaal
from intake_api.sleutels import Sleutels

#: Allowed moves: status → the statuses it may become.
OVERGANGEN: dict[str, tuple[str, ...]] = {
    "ontvangen": ("in_behandeling",),
    "in_behandeling": ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"),
    "afgesloten_geen_mensenhandel": (),
    "doorverwezen_ander_domein": (),
    "opgeschaald": (),
}
STANDAARD_VERTROUWELIJKHEID = "vertrouwelijk"
_PARTNER = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class PreconditionRequired(Problem):
    """428: a decision must name the version it was made on."""

    status: ClassVar[int] = 428
    slug: ClassVar[str] = "voorwaarde-vereist"
    title: ClassVar[str] = "Voorwaarde vereist"


def _controleer(invoer: BeoordelingInvoer, catalogus: Catalogus) -> None:
    fouten: list[InvalidParam] = []
    doorverwijzing = invoer.status == "doorverwezen_ander_domein"
    opschaling = invoer.status == "opgeschaald"
    if doorverwijzing:
        if invoer.doorverwezen_naar is None:
            fouten.append(InvalidParam(name="doorverwezenNaar", reason="Verplicht bij een doorverwijzing."))
        elif catalogus.onbekende_codes("doorverwijsdomeinen", [invoer.doorverwezen_naar]):
            fouten.append(InvalidParam(name="doorverwezenNaar", reason="Onbekend doorverwijsdomein."))
    elif invoer.doorverwezen_naar is not None:
        fouten.append(InvalidParam(name="doorverwezenNaar", reason="Alleen bij doorverwezen_ander_domein."))
    if opschaling:
        if not invoer.partners:
            fouten.append(InvalidParam(name="partners", reason="Verplicht bij opschalen."))
        if invoer.doel is None:
            fouten.append(InvalidParam(name="doel", reason="Verplicht bij opschalen."))
        for index, partner in enumerate(invoer.partners or []):
            if not _PARTNER.fullmatch(partner):
                fouten.append(InvalidParam(name=f"partners[{index}]", reason="Geen partner-id."))
        if invoer.partners and len(set(invoer.partners)) != len(invoer.partners):
            fouten.append(InvalidParam(name="partners", reason="Een partner staat er twee keer in."))
    else:
        for naam, waarde in (
            ("partners", invoer.partners),
            ("doel", invoer.doel),
            ("vertrouwelijkheidaanduiding", invoer.vertrouwelijkheidaanduiding),
        ):
            if waarde is not None:
                fouten.append(InvalidParam(name=naam, reason="Alleen bij opgeschaald."))
    if fouten:
        raise BadRequest("De beoordeling is ongeldig; zie invalidParams.", invalid_params=fouten)


async def scrub_toelichting(
    *, session: AsyncSession, signaal_id: UUID, tekst: str, sleutels: Sleutels
) -> str:
    """The note with identifiers replaced, the signal's own betrokkenen included (through their scrub marks:
    intake cannot read their names, only recognise them)."""
    merken = set(await session.scalars(sa.select(Schoonmerk.merk).where(Schoonmerk.signaal_id == signaal_id)))
    lookup = schoonmerk_lookup(sleutel=schoonmerk_sleutel(sleutels.link_sleutel), merken=merken)
    return scrub_text(tekst, lookup=lookup).text


async def seal_toelichting(
    *,
    session: AsyncSession,
    signaal: Signaal,
    historie_id: UUID,
    volgnummer: int,
    tekst: str,
    sleutels: Sleutels,
) -> None:
    """Seal the note's original to the gateway, unless the signal's retention period has already purged it."""
    if signaal.gewist_op is not None or not tekst:
        return
    session.add(
        ToelichtingOrigineel(
            historie_id=historie_id,
            signaal_id=signaal.id,
            verzegeld=seal(
                plaintext=tekst.encode(),
                ontvanger=sleutels.gateway,
                context=SealContext(
                    signaal_id=signaal.id, betrokkene_id=None, veld=f"toelichting.{volgnummer}"
                ),
            ),
        )
    )


async def record_beoordeling(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    gemeente: str | None,
    invoer: BeoordelingInvoer,
    verwachte_versie: int | None,
    door: str,
    catalogus: Catalogus,
    sleutels: Sleutels,
    nu: datetime,
) -> Signaal:
    """Apply a decision. 404 another municipality's or an unknown signal, 400 invalid fields, 428 no
    version given, 412 the version is not the current one, 409 a move the state machine does not allow
    (the problem lists `toegestaneStatussen`)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    _controleer(invoer, catalogus)
    if invoer.versie is not None and verwachte_versie is not None and invoer.versie != verwachte_versie:
        raise BadRequest(
            "If-Match en versie spreken elkaar tegen.",
            invalid_params=[InvalidParam(name="versie", reason="Wijkt af van If-Match.")],
        )
    versie = verwachte_versie if verwachte_versie is not None else invoer.versie
    if versie is None:
        raise PreconditionRequired("Geef de versie waarop u beslist mee, in If-Match of als versie.")
    if versie != signaal.versie:
        raise PreconditionFailed("Het signaal is intussen gewijzigd; haal het opnieuw op.")
    van = signaal.status
    toegestaan = OVERGANGEN[van]
    if invoer.status not in toegestaan:
        raise Conflict(
            f"Van {van} naar {invoer.status} is niet toegestaan.",
            extra={"huidigeStatus": van, "toegestaneStatussen": list(toegestaan)},
        )

    opschaling = invoer.status == "opgeschaald"
    waarden: dict[str, object] = {
        "status": invoer.status,
        "versie": versie + 1,
        "status_gewijzigd_op": nu,
    }
    if invoer.status == "doorverwezen_ander_domein":
        waarden["doorverwezen_naar"] = invoer.doorverwezen_naar
    if opschaling:
        waarden |= {
            "opgeschaald_op": nu,
            "partners": list(invoer.partners or []),
            "doel": invoer.doel,
            "vertrouwelijkheidaanduiding": invoer.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID,
        }
    resultaat = await session.execute(
        sa.update(Signaal)
        .where(Signaal.id == signaal.id, Signaal.versie == versie)
        .values(**waarden)
        .execution_options(synchronize_session=False)
    )
    if getattr(resultaat, "rowcount", 0) != 1:
        raise PreconditionFailed("Het signaal is intussen gewijzigd; haal het opnieuw op.")
    await session.refresh(signaal)

    details: dict[str, object] = {}
    if invoer.status == "doorverwezen_ander_domein":
        details["doorverwezenNaar"] = invoer.doorverwezen_naar
    if opschaling:
        details |= {
            "partners": signaal.partners,
            "doel": signaal.doel,
            "vertrouwelijkheidaanduiding": signaal.vertrouwelijkheidaanduiding,
        }
        session.add_all(CasusPartner(signaal_id=signaal.id, partner=p) for p in invoer.partners or [])
    historie_id = uuid.uuid4()
    session.add(
        HistorieRegel(
            id=historie_id,
            signaal_id=signaal.id,
            volgnummer=versie + 1,
            tijdstip=nu,
            actie="beoordeeld",
            door=door,
            van_status=van,
            naar_status=invoer.status,
            toelichting=await scrub_toelichting(
                session=session, signaal_id=signaal.id, tekst=invoer.toelichting, sleutels=sleutels
            ),
            details=details or None,
        )
    )
    await session.flush()
    await seal_toelichting(
        session=session, signaal=signaal, historie_id=historie_id, volgnummer=versie + 1,
        tekst=invoer.toelichting, sleutels=sleutels,
    )  # fmt: skip
    await record_gebeurtenis(
        session=session,
        catalogus=catalogus,
        type="beoordeling_vastgelegd",
        signaal=signaal,
        betrokkenen=await get_betrokkenen(session=session, signaal_id=signaal.id),
        nu=nu,
        uitkomst=invoer.status,
    )
    await session.flush()
    return signaal
