"""The triage state machine and its one way of changing a signal's status.

    ontvangen ──► in_behandeling ──► afgesloten_geen_mensenhandel
                   ▲   │         ├─► doorverwezen_ander_domein   (naming a referral domain)
                   │   ▼         └─► opgeschaald                 (one or more tracks; a casus)
               advies_gevraagd                                   (by asking advice; back by a decision)

The three outcomes are final as statuses; an escalated case stays open for work on its tracks.
Every (partner, purpose) of an escalation is checked against the covenant policy before anything is stored. A decision names the version it was made on; the update is conditional
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
from meldroute_common.beleid import Beleid
from meldroute_common.catalogus import Catalogus
from meldroute_common.problems import BadRequest, Conflict, InvalidParam, PreconditionFailed, Problem
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.beleidstoets import OpschalingsVraag, check_opschaling
from intake_api.beoordelingen.schemas import BeoordelingInvoer, TrajectInvoer
from intake_api.historie import scrub_toelichting, seal_toelichting
from intake_api.models import HistorieRegel, Signaal
from intake_api.outbox.service import record_gebeurtenis
from intake_api.signalen.service import get_betrokkenen, get_signaal
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import sync_status_termijnen
from intake_api.trajecten.service import add_traject

#: Allowed moves: status → the statuses it may become.
OVERGANGEN: dict[str, tuple[str, ...]] = {
    "ontvangen": ("in_behandeling",),
    "in_behandeling": ("afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"),
    "advies_gevraagd": ("in_behandeling",),
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


def trajecten_van(invoer: BeoordelingInvoer) -> list[tuple[str, TrajectInvoer]]:
    """The escalation's tracks with the path of each in the request (`trajecten[0]`, or `` for the short form)."""
    if invoer.trajecten:
        return [(f"trajecten[{i}].", t) for i, t in enumerate(invoer.trajecten)]
    if invoer.partners and invoer.doel is not None:
        return [("", TrajectInvoer(doel=invoer.doel, partners=list(invoer.partners)))]
    return []


def check_partners(fouten: list[InvalidParam], pad: str, partners: list[str]) -> None:
    """Partner ids shaped like ids, each once."""
    for index, partner in enumerate(partners):
        if not _PARTNER.fullmatch(partner):
            fouten.append(InvalidParam(name=f"{pad}partners[{index}]", reason="Geen partner-id."))
    if len(set(partners)) != len(partners):
        fouten.append(InvalidParam(name=f"{pad}partners", reason="Een partner staat er twee keer in."))


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
        kort = invoer.partners is not None or invoer.doel is not None
        if invoer.trajecten is not None and kort:
            fouten.append(
                InvalidParam(name="trajecten", reason="Geef trajecten, of partners en doel, niet allebei.")
            )
        elif invoer.trajecten is None:
            if not invoer.partners:
                fouten.append(
                    InvalidParam(name="partners", reason="Verplicht bij opschalen (of geef trajecten).")
                )
            if invoer.doel is None:
                fouten.append(
                    InvalidParam(name="doel", reason="Verplicht bij opschalen (of geef trajecten).")
                )
        gezien: set[str] = set()
        for pad, traject in trajecten_van(invoer):
            check_partners(fouten, pad, traject.partners)
            if traject.doel in gezien:
                fouten.append(InvalidParam(name=f"{pad}doel", reason="Een traject met dit doel staat er al."))
            gezien.add(traject.doel)
    else:
        for naam, waarde in (
            ("partners", invoer.partners),
            ("doel", invoer.doel),
            ("trajecten", invoer.trajecten),
            ("vertrouwelijkheidaanduiding", invoer.vertrouwelijkheidaanduiding),
        ):
            if waarde is not None:
                fouten.append(InvalidParam(name=naam, reason="Alleen bij opgeschaald."))
    if fouten:
        raise BadRequest("De beoordeling is ongeldig; zie invalidParams.", invalid_params=fouten)


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
    beleid: Beleid,
    nu: datetime,
    toetsmoment: datetime | None = None,
) -> Signaal:
    """Apply a decision. 404 another municipality's or an unknown signal, 400 invalid fields, 428 no
    version given, 412 the version is not the current one, 409 a move the state machine does not allow
    (the problem lists `toegestaneStatussen`), 400 a partner or purpose the policy refuses (checked at
    `toetsmoment`, default `nu`; nothing stored)."""
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
    trajecten = trajecten_van(invoer)
    vertrouwelijkheid = invoer.vertrouwelijkheidaanduiding or STANDAARD_VERTROUWELIJKHEID
    if opschaling:
        # Every (partner, purpose) against the covenant before anything is stored.
        check_opschaling(
            beleid=beleid,
            vragen=[
                OpschalingsVraag(
                    partner=p, doel=t.doel, partner_veld=f"{pad}partners[{i}]", doel_veld=f"{pad}doel"
                )
                for pad, t in trajecten
                for i, p in enumerate(t.partners)
            ],
            vertrouwelijkheidaanduiding=vertrouwelijkheid,
            nu=toetsmoment or nu,
        )
    alle_partners = list(dict.fromkeys(p for _, t in trajecten for p in t.partners))
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
            "partners": alle_partners,
            "doel": trajecten[0][1].doel,
            "vertrouwelijkheidaanduiding": vertrouwelijkheid,
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
    await sync_status_termijnen(session=session, signaal=signaal, nu=nu)

    details: dict[str, object] = {}
    if invoer.status == "doorverwezen_ander_domein":
        details["doorverwezenNaar"] = invoer.doorverwezen_naar
    if opschaling:
        details |= {
            "partners": signaal.partners,
            "doel": signaal.doel,
            "trajecten": [{"doel": t.doel, "partners": list(t.partners)} for _, t in trajecten],
            "vertrouwelijkheidaanduiding": signaal.vertrouwelijkheidaanduiding,
        }
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
    for _, traject in trajecten:
        await add_traject(
            session=session, signaal=signaal, doel=traject.doel, partners=traject.partners, door=door, nu=nu
        )
    await session.flush()
    return signaal
