"""Test data, one builder per thing, for every suite (`from tests.builders import signaal`).

Each builder returns a fresh, valid JSON body with the fields everyone expects, built on the published example
where there is one; keyword arguments replace top-level fields (JSON names). Nothing here is shipped: the
services never import it.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st
from intake_api.signalen.schemas import VOORBEELD as SIGNAAL_VOORBEELD
from meldroute_common.gebeurtenissen import TERUGKOPPELING_VOORBEELD
from meldroute_common.gebeurtenissen import VOORBEELD as GEBEURTENIS_VOORBEELD

__all__ = [
    "beoordeling", "betrokkene", "formatted", "gebeurtenis", "signaal", "terugkoppeling", "toestemming", "trajecten",
    "valid_bsns",
]  # fmt: skip


def betrokkene(**wijziging: Any) -> dict[str, Any]:
    """A person in a signal: a victim with gender and nationality, nothing that identifies them."""
    return {"rol": "slachtoffer", "geslacht": "man", "nationaliteit": "PL", **wijziging}


def signaal(**wijziging: Any) -> dict[str, Any]:
    """A body for `POST /v1/signalen`: the published example (one labour-exploitation signal in GM1509), with
    one betrokkene who is not identified."""
    return {
        **copy.deepcopy(SIGNAAL_VOORBEELD),
        "omschrijving": "Arbeiders slapen in een schuur op het erf.",
        "betrokkenen": [betrokkene()],
        **wijziging,
    }


def gebeurtenis(**wijziging: Any) -> dict[str, Any]:
    """An anonymous event as intake's outbox sends it to reporting (the published example with a fresh id):
    `signaal_ontvangen` unless replaced."""
    return {**copy.deepcopy(GEBEURTENIS_VOORBEELD), "id": str(uuid.uuid4()), **wijziging}


def beoordeling(**wijziging: Any) -> dict[str, Any]:
    """A `beoordeling_vastgelegd` event: escalated after six days unless replaced."""
    return gebeurtenis(
        **{"type": "beoordeling_vastgelegd", "uitkomst": "opgeschaald", "doorlooptijdDagen": 6, **wijziging}
    )


def terugkoppeling(**wijziging: Any) -> dict[str, Any]:
    """A `terugkoppeling_vastgelegd` event (the published example with a fresh id): a case's first outcome,
    `opvang_geregeld`, nine days after its escalation, unless replaced."""
    return {**copy.deepcopy(TERUGKOPPELING_VOORBEELD), "id": str(uuid.uuid4()), **wijziging}


@st.composite
def valid_bsns(draw: st.DrawFn) -> str:
    """A BSN that passes the 11-test: eight random digits and the check digit they need."""
    first = draw(st.lists(st.integers(0, 9), min_size=8, max_size=8))
    check = sum(w * d for w, d in zip(range(9, 1, -1), first, strict=True)) % 11
    assume(check != 10 and any([*first, check]))
    return "".join(map(str, [*first, check]))


def formatted(bsn: str, style: int) -> str:
    """`bsn` written in one of the six ways people write it (`style` 0 to 5)."""
    return [
        bsn,
        f"{bsn[:3]} {bsn[3:6]} {bsn[6:]}",
        f"{bsn[:3]}.{bsn[3:6]}.{bsn[6:]}",
        f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}",
        f"{bsn[:4]} {bsn[4:6]} {bsn[6:]}",
        f"{bsn[:3]}-{bsn[3:6]}-{bsn[6:]}",
    ][style]


def trajecten(*paren: tuple[str, list[str]]) -> list[dict[str, Any]]:
    """The `trajecten` of an escalation: a safety track (RIEC, police in the case meeting) and a care track
    (the care coordinator), unless other (doel, partners) pairs are given."""
    gekozen = paren or (
        ("casusoverleg", ["riec-oost-nederland", "politie-oost-nederland"]),
        ("zorg_en_opvang", ["zorgcoordinatie-noord-oost-gelderland"]),
    )
    return [{"doel": doel, "partners": list(partners)} for doel, partners in gekozen]


def toestemming(**wijziging: Any) -> dict[str, Any]:
    """A body for `POST .../toestemmingen`: consent given in writing today by an adult victim, unless replaced."""
    from datetime import UTC, datetime

    return {
        "gegeven": True, "datum": datetime.now(UTC).date().isoformat(), "vastlegging": "schriftelijk",
        "onder16": False, "doorVoogd": False, **wijziging,
    }  # fmt: skip
