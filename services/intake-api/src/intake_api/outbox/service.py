"""Write anonymous events to the outbox, in the caller's transaction."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from meldroute_common.catalogus import ONBEKEND, Catalogus
from meldroute_common.gebeurtenissen import GebeurtenisType, Uitkomst, gebeurtenismodellen, maand_van
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.models import Betrokkene, OutboxGebeurtenis, Signaal
from intake_api.tijd import utc


async def record_gebeurtenis(
    *,
    session: AsyncSession,
    catalogus: Catalogus,
    type: GebeurtenisType,
    signaal: Signaal,
    betrokkenen: list[Betrokkene],
    nu: datetime,
    uitkomst: Uitkomst | None = None,
    terugkoppeling: str | None = None,
    eerste_terugkoppeling: bool | None = None,
    doorlooptijd_dagen: int | None = None,
) -> OutboxGebeurtenis:
    """Add the anonymous event for `signaal` to the outbox; codes and a month only, checked by the model.

    A decision carries `uitkomst` (its lead time counts from the signal); an outcome from a partner carries
    `terugkoppeling`, `eerste_terugkoppeling` and `doorlooptijd_dagen` (counted by the caller from the
    escalation)."""
    rij = OutboxGebeurtenis(
        **outbox_rij(
            catalogus=catalogus, type=type, signaal=signaal, betrokkenen=betrokkenen, nu=nu,
            uitkomst=uitkomst, terugkoppeling=terugkoppeling, eerste_terugkoppeling=eerste_terugkoppeling,
            doorlooptijd_dagen=doorlooptijd_dagen,
        )
    )  # fmt: skip
    session.add(rij)
    await session.flush()
    return rij


def outbox_rij(
    *,
    catalogus: Catalogus,
    type: GebeurtenisType,
    signaal: Signaal,
    betrokkenen: list[Betrokkene],
    nu: datetime,
    uitkomst: Uitkomst | None = None,
    terugkoppeling: str | None = None,
    eerste_terugkoppeling: bool | None = None,
    doorlooptijd_dagen: int | None = None,
) -> dict[str, Any]:
    """The outbox row of the event (column values), checked by the event model: what `record_gebeurtenis`
    adds, for a caller that writes its rows with one statement per table (recording a signal)."""
    model, _ = gebeurtenismodellen(catalogus)
    slachtoffer = next((b for b in betrokkenen if b.rol == "slachtoffer"), None)
    waarden: dict[str, object] = {
        "id": str(uuid.uuid4()),
        "type": type,
        "maand": maand_van(nu.date()),
        "gemeenteCode": signaal.gemeente_code,
        "uitbuitingsvormen": list(signaal.uitbuitingsvormen),
        "sector": signaal.sector,
        "locatietype": signaal.locatietype,
        "melderDomein": signaal.melder_domein,
        "leeftijdsklasse": slachtoffer.leeftijdsklasse if slachtoffer else ONBEKEND,
        "geslacht": slachtoffer.geslacht if slachtoffer else ONBEKEND,
        "nationaliteitsgroep": slachtoffer.nationaliteitsgroep if slachtoffer else ONBEKEND,
    }
    if uitkomst is not None:
        waarden["uitkomst"] = uitkomst
        waarden["doorlooptijdDagen"] = max(0, (nu - utc(signaal.ontvangen_op)).days)
    if terugkoppeling is not None:
        waarden["terugkoppeling"] = terugkoppeling
        waarden["eersteTerugkoppeling"] = bool(eerste_terugkoppeling)
        waarden["doorlooptijdDagen"] = doorlooptijd_dagen
    gebeurtenis = model.model_validate(waarden)
    return {
        "id": gebeurtenis.id,
        "gebeurtenis": gebeurtenis.model_dump(mode="json", by_alias=True, exclude_none=True),
        "aangemaakt_op": nu,
        "pogingen": 0,
    }
