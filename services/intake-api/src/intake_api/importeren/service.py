"""Import historical signals line by line through the same code path as `POST /v1/signalen`.

Each line is validated with the API's own schema and recorded by `signalen.service.create_signaal` (so
pseudonymised, sealed and scrubbed exactly as at the door), its triage history by
`beoordelingen.service.beoordelen`; both with the line's original moments, so the history and the outbox
events carry those dates and reporting files them under the right months. One transaction per line: a line
is imported whole or not at all. The source id (`bronId`) is unique per municipality; a repeated line
creates nothing, a changed line with a known source id is a conflict.
"""

from __future__ import annotations

import enum
import hmac
import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.beleid import Beleid
from meldroute_common.catalogus import Catalogus
from meldroute_common.problems import Problem
from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from intake_api.beoordelingen.schemas import BeoordelingInvoer
from intake_api.beoordelingen.service import record_beoordeling
from intake_api.idempotentie.service import verzoek_hash
from intake_api.importeren.schemas import ImportRegel
from intake_api.models import ImportBron
from intake_api.signalen.service import create_signaal
from intake_api.sleutels import Sleutels

log = logging.getLogger("intake_api.importeren")

#: Longest line read (a signal body is at most a few tens of kilobytes).
MAX_REGEL_BYTES = 256 * 1024
#: The first year an anonymous event can carry (its month is `20YY-MM`).
EERSTE_JAAR = 2000


class Uitkomst(enum.StrEnum):
    nieuw = "nieuw"
    aanwezig = "al aanwezig"
    conflict = "conflict"
    afgewezen = "afgewezen"


@dataclass(frozen=True, slots=True)
class Regelresultaat:
    """What became of one line. `problemen` name fields and reasons only, never a value from the line."""

    regel: int
    uitkomst: Uitkomst
    bron_id: str | None = None
    signaal_id: UUID | None = None
    problemen: tuple[str, ...] = ()


@dataclass
class Samenvatting:
    """The outcome of an import: counts per outcome and the lines that were not imported."""

    telling: Counter[Uitkomst] = field(default_factory=Counter)
    fouten: list[Regelresultaat] = field(default_factory=list)
    gestopt_na: int | None = None

    def add(self, resultaat: Regelresultaat) -> None:
        self.telling[resultaat.uitkomst] += 1
        if resultaat.uitkomst in (Uitkomst.conflict, Uitkomst.afgewezen):
            self.fouten.append(resultaat)

    @property
    def totaal(self) -> int:
        return sum(self.telling.values())


def _veldnaam(loc: Iterable[int | str]) -> str:
    naam = ""
    for deel in loc:
        naam += f"[{deel}]" if isinstance(deel, int) else (f".{deel}" if naam else str(deel))
    return naam or "regel"


def _validatieproblemen(fout: ValidationError) -> tuple[str, ...]:
    # `loc` and `msg` only: pydantic's `input` would echo the value (a name, a BSN).
    return tuple(f"{_veldnaam(e['loc'])}: {e['msg']}" for e in fout.errors(include_input=False))


def _problemen(fout: Problem, *, voorvoegsel: str) -> tuple[str, ...]:
    if fout.invalid_params:
        return tuple(f"{voorvoegsel}{p.name}: {p.reason}" for p in fout.invalid_params)
    return (f"{voorvoegsel.rstrip('.') or 'regel'}: {fout.detail}",)


def read_regels(*, regels: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Number the lines (from 1) and skip blank ones; a UTF-8 byte-order mark at the start is ignored."""
    for nummer, regel in enumerate(regels, start=1):
        if nummer == 1:
            regel = regel.removeprefix(b"\xef\xbb\xbf")
        if regel.strip():
            yield nummer, regel


def _datumproblemen(regel: ImportRegel, *, nu: datetime) -> tuple[str, ...]:
    problemen = []
    if regel.ontvangen_op.year < EERSTE_JAAR:
        problemen.append(f"ontvangenOp: Ligt voor {EERSTE_JAAR}.")
    if regel.ontvangen_op > nu:
        problemen.append("ontvangenOp: Ligt in de toekomst.")
    vorige = regel.ontvangen_op
    for index, besluit in enumerate(regel.beoordelingen):
        if besluit.op < vorige:
            problemen.append(
                f"beoordelingen[{index}].op: Ligt voor "
                + ("de ontvangst." if index == 0 else "de vorige beoordeling.")
            )
        if besluit.op > nu:
            problemen.append(f"beoordelingen[{index}].op: Ligt in de toekomst.")
        vorige = max(vorige, besluit.op)
    return tuple(problemen)


async def _bestaand(*, session: AsyncSession, gemeente: str, bron_id: str) -> ImportBron | None:
    return await session.scalar(
        sa.select(ImportBron).where(ImportBron.gemeente_code == gemeente, ImportBron.bron_id == bron_id)
    )


def _herhaling(bron: ImportBron, *, regel: int, hash_: str) -> Regelresultaat:
    if hmac.compare_digest(bron.inhoud_hash, hash_):
        return Regelresultaat(
            regel=regel, uitkomst=Uitkomst.aanwezig, bron_id=bron.bron_id, signaal_id=bron.signaal_id
        )
    return Regelresultaat(
        regel=regel,
        uitkomst=Uitkomst.conflict,
        bron_id=bron.bron_id,
        signaal_id=bron.signaal_id,
        problemen=("bronId: Al geïmporteerd met andere inhoud; de bestaande versie blijft staan.",),
    )


async def import_regel(
    *,
    maker: async_sessionmaker[AsyncSession],
    regel: int,
    tekst: bytes,
    catalogus: Catalogus,
    sleutels: Sleutels,
    beleid: Beleid,
    door: str,
    nu: datetime,
    gemeente: str | None = None,
) -> Regelresultaat:
    """Validate and record one line in its own transaction; anything wrong leaves nothing behind."""
    if len(tekst) > MAX_REGEL_BYTES:
        return Regelresultaat(
            regel=regel,
            uitkomst=Uitkomst.afgewezen,
            problemen=(f"regel: Langer dan {MAX_REGEL_BYTES} bytes.",),
        )
    try:
        ruw = json.loads(tekst.decode("utf-8"))
    except UnicodeDecodeError:
        return Regelresultaat(
            regel=regel, uitkomst=Uitkomst.afgewezen, problemen=("regel: Geen geldige UTF-8.",)
        )
    except json.JSONDecodeError as fout:
        return Regelresultaat(
            regel=regel, uitkomst=Uitkomst.afgewezen, problemen=(f"regel: Geen geldige JSON ({fout.msg}).",)
        )
    try:
        invoer = ImportRegel.model_validate(ruw)
    except ValidationError as fout:
        # No source id in the report: an unvalidated one could be anything, a BSN included.
        return Regelresultaat(regel=regel, uitkomst=Uitkomst.afgewezen, problemen=_validatieproblemen(fout))
    bron_id = invoer.bron_id
    code = invoer.signaal.gemeente_code
    if gemeente is not None and code != gemeente:
        return Regelresultaat(
            regel=regel,
            uitkomst=Uitkomst.afgewezen,
            bron_id=bron_id,
            problemen=(f"signaal.gemeenteCode: Dit bestand is voor {gemeente}.",),
        )
    if problemen := _datumproblemen(invoer, nu=nu):
        return Regelresultaat(regel=regel, uitkomst=Uitkomst.afgewezen, bron_id=bron_id, problemen=problemen)
    hash_ = verzoek_hash(
        sleutel=sleutels.link_sleutel, body=b"import\x00" + invoer.model_dump_json(by_alias=True).encode()
    )

    voorvoegsel = "signaal."  # where a problem the service raises lies in the line
    try:
        async with maker() as session, session.begin():
            if (bron := await _bestaand(session=session, gemeente=code, bron_id=bron_id)) is not None:
                return _herhaling(bron, regel=regel, hash_=hash_)
            signaal = await create_signaal(
                session=session,
                invoer=invoer.signaal,
                door=door,
                gemeente=code,
                catalogus=catalogus,
                sleutels=sleutels,
                nu=invoer.ontvangen_op,
            )
            for index, besluit in enumerate(invoer.beoordelingen):
                voorvoegsel = f"beoordelingen[{index}]."
                await record_beoordeling(
                    session=session,
                    signaal_id=signaal.id,
                    gemeente=code,
                    invoer=BeoordelingInvoer.model_validate(besluit.model_dump(exclude={"op"})),
                    verwachte_versie=signaal.versie,
                    door=door,
                    catalogus=catalogus,
                    sleutels=sleutels,
                    beleid=beleid,
                    # A historical escalation is checked against the policy in force now, not then.
                    toetsmoment=nu,
                    nu=besluit.op,
                )
            session.add(
                ImportBron(
                    gemeente_code=code,
                    bron_id=bron_id,
                    signaal_id=signaal.id,
                    inhoud_hash=hash_,
                    geimporteerd_op=nu,
                )
            )
            await session.flush()
    except Problem as fout:
        return Regelresultaat(
            regel=regel,
            uitkomst=Uitkomst.afgewezen,
            bron_id=bron_id,
            problemen=_problemen(fout, voorvoegsel=voorvoegsel),
        )
    except IntegrityError:
        # Another import recorded the same source id meanwhile: judge the line against that one.
        async with maker() as session:
            bron = await _bestaand(session=session, gemeente=code, bron_id=bron_id)
        if bron is None:
            raise
        return _herhaling(bron, regel=regel, hash_=hash_)
    log.info("signaal geïmporteerd", extra={"signaal_id": str(signaal.id), "regel": regel})
    return Regelresultaat(regel=regel, uitkomst=Uitkomst.nieuw, bron_id=bron_id, signaal_id=signaal.id)


async def import_regels(
    *,
    maker: async_sessionmaker[AsyncSession],
    regels: Iterable[tuple[int, bytes]],
    catalogus: Catalogus,
    sleutels: Sleutels,
    beleid: Beleid,
    door: str,
    nu: Callable[[], datetime],
    gemeente: str | None = None,
    stop_bij_fout: bool = False,
    na_elk: Callable[[Regelresultaat], None] | None = None,
) -> Samenvatting:
    """Import every numbered line; a rejected or conflicting line stops the rest only with `stop_bij_fout`."""
    samenvatting = Samenvatting()
    for nummer, tekst in regels:
        resultaat = await import_regel(
            maker=maker,
            regel=nummer,
            tekst=tekst,
            catalogus=catalogus,
            sleutels=sleutels,
            beleid=beleid,
            door=door,
            nu=nu(),
            gemeente=gemeente,
        )
        samenvatting.add(resultaat)
        if na_elk is not None:
            na_elk(resultaat)
        if stop_bij_fout and resultaat.uitkomst in (Uitkomst.conflict, Uitkomst.afgewezen):
            samenvatting.gestopt_na = nummer
            break
    return samenvatting
