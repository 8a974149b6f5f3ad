"""The queue: a page of the municipality's signals under the attention officer's filters, and assigning a
signal to an attention officer (every change in the history, the same value again a no-op)."""

from __future__ import annotations

import logging
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from meldroute_common.catalogus import Catalogus
from sqlalchemy.ext.asyncio import AsyncSession

from intake_api.historie import lock_signaal, record_wijziging
from intake_api.models import Signaal
from intake_api.paginering import signalen_pagina
from intake_api.signalen import schemas
from intake_api.signalen.service import get_signaal
from intake_api.sleutels import Sleutels
from intake_api.termijnen.service import Sortering, signalen_op_termijn
from intake_api.tijd import utc
from intake_api.werkvoorraad.filters import Werkvoorraadfilter, check_filter, filter_voorwaarden

log = logging.getLogger("intake_api.werkvoorraad")

#: The history action of a changed assignment; `details` holds the old and the new `sub`.
ACTIE_TOEWIJZING = "toewijzing_gewijzigd"


async def list_signalen(
    *,
    session: AsyncSession,
    gemeente: str | None,
    sub: str,
    filter: Werkvoorraadfilter,
    catalogus: Catalogus,
    page_size: int,
    nu: datetime,
    cursor: str | None = None,
    sorteer: Sortering = "ontvangen",
) -> schemas.SignalenPagina:
    """A page of the municipality's signals matching `filter`, newest first (or with `sorteer="termijn"` earliest
    due open deadline first), keyset-paginated. 400 for an unknown code or a reversed period; a caller of no
    municipality sees none."""
    check_filter(filter=filter, catalogus=catalogus)
    if gemeente is None:
        return schemas.SignalenPagina(signalen=[], volgende=None)
    query = sa.select(Signaal).where(
        Signaal.gemeente_code == gemeente, *filter_voorwaarden(filter, sub=sub, nu=nu)
    )
    if sorteer == "termijn":
        rijen, volgende = await signalen_op_termijn(
            session=session, query=query, page_size=page_size, cursor=cursor
        )
    else:
        rijen, volgende = await signalen_pagina(
            session=session, query=query, moment=Signaal.ontvangen_op, page_size=page_size, cursor=cursor
        )
    return schemas.SignalenPagina(
        signalen=[
            schemas.SignaalSamenvatting(
                id=s.id,
                gemeente_code=s.gemeente_code,
                melder_domein=s.melder_domein,
                waargenomen_op=s.waargenomen_op,
                ontvangen_op=utc(s.ontvangen_op),
                uitbuitingsvormen=list(s.uitbuitingsvormen),
                sector=s.sector,
                locatietype=s.locatietype,
                status=s.status,
                versie=s.versie,
                toegewezen_aan=s.toegewezen_aan,
            )
            for s in rijen
        ],
        volgende=volgende,
    )


async def record_toewijzing(
    *,
    session: AsyncSession,
    signaal_id: UUID,
    gemeente: str | None,
    toegewezen_aan: str | None,
    door: str,
    sleutels: Sleutels,
    nu: datetime,
) -> Signaal:
    """Assign the signal to `toegewezen_aan` (None: to nobody). 404 for another municipality's or an unknown
    signal. A change raises the version and writes one history entry with the old and the new value; the
    value it already has changes nothing (no entry, same version)."""
    signaal = await get_signaal(session=session, signaal_id=signaal_id, gemeente=gemeente)
    # Under the signal's write lock: of two officers assigning at once, the second compares with the first's.
    await lock_signaal(session=session, signaal=signaal)
    vorige = signaal.toegewezen_aan
    if vorige == toegewezen_aan:
        return signaal
    await session.execute(
        sa.update(Signaal)
        .where(Signaal.id == signaal.id)
        .values(toegewezen_aan=toegewezen_aan)
        .execution_options(synchronize_session=False)
    )
    await record_wijziging(
        session=session,
        signaal=signaal,
        actie=ACTIE_TOEWIJZING,
        door=door,
        nu=nu,
        sleutels=sleutels,
        details={"van": vorige, "naar": toegewezen_aan},
    )
    log.info(
        "signaal toegewezen", extra={"signaal_id": str(signaal.id), "toegewezen": toegewezen_aan is not None}
    )
    return signaal
