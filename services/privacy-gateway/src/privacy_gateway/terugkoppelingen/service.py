"""The work behind a partner's outcome on a track: check, record in the verwerkingenlog, forward to intake.

The partner may record an outcome for purpose `doel` only when the policy would let it read the case for that
purpose now (:func:`meldroute_common.beleid.decide` on the case's tracks): a partner cannot report on a track
it is not on, nor on one that was closed. A refusal by the policy is 403 with `reden` and logged; an unknown or
unshared case is 404 and logged; codes outside the catalogue are 400 naming the field (bad input, not logged).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from uuid import UUID

from fastapi import Request
from fastapi.responses import JSONResponse
from meldroute_common.auth import Claims
from meldroute_common.beleid import decide
from meldroute_common.catalogus import Catalogus, Lijst, standaard_catalogus
from meldroute_common.problems import BadRequest, InvalidParam, NotFound
from sqlalchemy.ext.asyncio import AsyncSession

from privacy_gateway.casussen.service import NIET_GEVONDEN, policy_denial, shared_casus
from privacy_gateway.context import Gateway, feiten, organisatie
from privacy_gateway.referenties.service import dag
from privacy_gateway.terugkoppelingen.schemas import TerugkoppelingIn, TerugkoppelingUit
from privacy_gateway.verwerkingen.vastlegging import Actie, deny, grondslag_for, record

__all__ = ["record_terugkoppeling", "validate_terugkoppeling"]

#: The detail field each outcome code requires, with its code list (and every other detail is refused).
_DETAILS: dict[str, tuple[str, Lijst]] = {
    "geen_vervolg": ("reden", "geen_vervolg_redenen"),
    "opvang_geregeld": ("opvangvorm", "opvangvormen"),
    "bestuurlijke_maatregel": ("maatregel", "bestuurlijke_maatregelen"),
}


@cache
def _catalogus() -> Catalogus:
    return standaard_catalogus()


def validate_terugkoppeling(invoer: TerugkoppelingIn) -> None:
    """400 naming the field: a code outside its list, a missing required detail, or a detail not asked for."""
    catalogus = _catalogus()
    fouten: list[InvalidParam] = []
    if not catalogus.bevat("terugkoppelingen", invoer.terugkoppeling):
        fouten.append(
            InvalidParam(name="terugkoppeling", reason="Onbekende code in de lijst terugkoppelingen.")
        )
    vereist = _DETAILS.get(invoer.terugkoppeling)
    for veld, lijst in _DETAILS.values():
        waarde = getattr(invoer, veld)
        if vereist is not None and vereist[0] == veld:
            if waarde is None:
                fouten.append(
                    InvalidParam(name=veld, reason=f"Verplicht bij terugkoppeling '{invoer.terugkoppeling}'.")
                )
            elif not catalogus.bevat(lijst, waarde):
                fouten.append(InvalidParam(name=veld, reason=f"Onbekende code in de lijst {lijst}."))
        elif waarde is not None:
            fouten.append(
                InvalidParam(
                    name=veld, reason=f"Niet toegestaan bij terugkoppeling '{invoer.terugkoppeling}'."
                )
            )
    if fouten:
        raise BadRequest("De terugkoppeling is ongeldig.", invalid_params=fouten)


async def record_terugkoppeling(
    *, session: AsyncSession, gateway: Gateway, request: Request, claims: Claims, referentie: UUID,
    invoer: TerugkoppelingIn,
) -> TerugkoppelingUit | JSONResponse:  # fmt: skip
    """Check the outcome against the policy, record it in the verwerkingenlog, then forward it to intake."""
    validate_terugkoppeling(invoer)
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
    basis = {"organisatie": partner, "gebruiker": claims.sub, "terugkoppeling": invoer.terugkoppeling}
    beslissing = decide(
        beleid=gateway.beleid, partner_id=partner, doel=invoer.doel, casus=feiten(casus), nu=nu
    )
    if not beslissing.toegestaan:
        assert beslissing.reden is not None
        return await deny(
            session=session, gateway=gateway, request=request, probleem=policy_denial(beslissing),
            doel=invoer.doel, beslissing=beslissing, casus_id=casus.id, referentie=referentie,
            vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
            detail={**basis, "reden": beslissing.reden.code.value, "regelId": beslissing.regel_id}, nu=nu,
        )  # fmt: skip
    # The free text never enters the log; the codes do (they are from the catalogue).
    codes = {k: v for k in ("reden", "opvangvorm", "maatregel") if (v := getattr(invoer, k)) is not None}
    await record(
        session=session, gateway=gateway, request=request, actie=Actie.TERUGKOPPELING, doel=invoer.doel,
        grondslag=grondslag_for(gateway=gateway, beslissing=beslissing, doel=invoer.doel), afnemer=None,
        betrokkenen=[], casus_id=casus.id, referentie=referentie,
        vertrouwelijkheid=casus.vertrouwelijkheidaanduiding,
        detail={**basis, **codes, "regelId": beslissing.regel_id}, nu=nu,
    )  # fmt: skip
    velden = {"doel": invoer.doel, "terugkoppeling": invoer.terugkoppeling, **codes}
    if invoer.toelichting is not None:
        velden["toelichting"] = invoer.toelichting
    vastgelegd = await gateway.intake.record_terugkoppeling(
        casus_id=casus.id, partner=partner, door=claims.sub, velden=velden
    )
    if vastgelegd is None:
        # The track changed between the read and the write: nothing was stored, the row is rolled back too.
        raise NotFound(NIET_GEVONDEN)
    return TerugkoppelingUit(
        casus_id=referentie,
        doel=invoer.doel,
        terugkoppeling=invoer.terugkoppeling,
        vastgelegd_op=dag(vastgelegd.vastgelegd_op),
    )
