"""A person recorded with a BSN and with name + birth date is found, and linked, by either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from .conftest import OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]

NAAM, GEBOREN, BSN = "Canarius Zwartveld", "1990-02-03", "123456782"


def _persoon(**velden: Any) -> list[dict[str, Any]]:
    return [{"rol": "slachtoffer", **velden}]


async def _pseudoniemen(client: httpx.AsyncClient, kop: Kop, body: dict[str, Any]) -> set[str]:
    antwoord = await client.post("/v1/intern/pseudoniemen", json=body, headers=kop("privacy-gateway"))
    assert antwoord.status_code == 200, antwoord.text
    return set(antwoord.json()["koppelpseudoniemen"])


async def _casus_pseudoniemen(client: httpx.AsyncClient, kop: Kop) -> dict[str, tuple[str, int]]:
    antwoord = await client.get("/v1/intern/casussen", headers=kop("privacy-gateway"))
    return {
        c["id"]: (c["betrokkenen"][0]["linkPseudoniem"], c["betrokkenen"][0]["gekoppeldeSignalen"])
        for c in antwoord.json()["casussen"]
    }


async def test_a_request_by_bsn_and_one_by_name_and_birth_date_find_the_same_signals(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    a = await aanmaken(betrokkenen=_persoon(bsn=BSN, naam=NAAM, geboortedatum=GEBOREN))
    b = await aanmaken(betrokkenen=_persoon(naam="CANÁRIUS  zwartveld", geboortedatum=GEBOREN))
    c = await aanmaken(betrokkenen=_persoon(bsn="123 456 782"))
    los = await aanmaken(betrokkenen=_persoon(naam=NAAM, geboortedatum="1991-02-03"))  # someone else
    for s in (a, b, c, los):
        await beoordeel(s["id"], 1, "in_behandeling")
        await beoordeel(s["id"], 2, "opgeschaald", **OPSCHALING)

    casussen = await _casus_pseudoniemen(client, kop)
    gevonden = {}
    for verzoek in ({"bsn": BSN}, {"naam": NAAM, "geboortedatum": GEBOREN}, {"bsn": BSN, "naam": NAAM,
                                                                                "geboortedatum": GEBOREN}):  # fmt: skip
        pseudoniemen = await _pseudoniemen(client, kop, verzoek)
        gevonden[str(verzoek)] = {i for i, (p, _) in casussen.items() if p in pseudoniemen}
    assert all(v == {a["id"], b["id"], c["id"]} for v in gevonden.values()), gevonden

    # Each answer to the POST counted the links found while recording: b through a's name, c through a's BSN
    # and on, by a's name, to b (three rounds of the closure).
    assert [s["betrokkenen"][0]["gekoppeldeSignalen"] for s in (a, b, c, los)] == [0, 1, 2, 0]
    # Linked counts agree: each of the three sees the other two, the one with another birth date none.
    assert {i: n for i, (_, n) in casussen.items()} == {a["id"]: 2, b["id"]: 2, c["id"]: 2, los["id"]: 0}
    for s in (a, b, c):
        weergave = (await client.get(f"/v1/signalen/{s['id']}", headers=kop())).json()
        assert weergave["betrokkenen"][0]["gekoppeldeSignalen"] == 2


async def test_two_bsns_are_two_people_whatever_their_names_say(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    een = await aanmaken(betrokkenen=_persoon(bsn=BSN, naam=NAAM, geboortedatum=GEBOREN))
    twee = await aanmaken(betrokkenen=_persoon(bsn="111222333", naam=NAAM, geboortedatum=GEBOREN))
    alleen_naam = await aanmaken(betrokkenen=_persoon(naam=NAAM, geboortedatum=GEBOREN))
    for s in (een, twee, alleen_naam):
        await beoordeel(s["id"], 1, "in_behandeling")
        await beoordeel(s["id"], 2, "opgeschaald", **OPSCHALING)
    casussen = await _casus_pseudoniemen(client, kop)
    assert casussen[een["id"]][1] + casussen[twee["id"]][1] == 1  # the name-only signal joins one of them

    def signalen(pseudoniemen: set[str]) -> set[str]:
        return {i for i, (p, _) in casussen.items() if p in pseudoniemen}

    assert signalen(await _pseudoniemen(client, kop, {"bsn": "111222333"})) <= {twee["id"], alleen_naam["id"]}
    assert een["id"] not in signalen(await _pseudoniemen(client, kop, {"bsn": "111222333"}))
    # By name + birth date alone the request fits two people: only the signal without a BSN is found.
    assert signalen(await _pseudoniemen(client, kop, {"naam": NAAM, "geboortedatum": GEBOREN})) == {
        alleen_naam["id"]
    }


async def test_a_signal_naming_several_people_links_each_by_its_own_identifier(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    # Earlier signals: one person by BSN, one by name and birth date, one in two signals.
    await aanmaken(betrokkenen=_persoon(bsn=BSN))
    await aanmaken(betrokkenen=_persoon(naam="Ilse de Bruin", geboortedatum="1988-07-09"))
    for _ in range(2):
        await aanmaken(betrokkenen=_persoon(bsn="111222333"))
    # A new signal names them in other spellings, beside someone not seen before.
    nieuw = await aanmaken(
        betrokkenen=[
            {"rol": "slachtoffer", "bsn": "1234.56.782"},
            {"rol": "slachtoffer", "naam": "ILSE  DE BRUIN", "geboortedatum": "1988-07-09"},
            {"rol": "slachtoffer", "bsn": "111 222 333", "naam": NAAM, "geboortedatum": GEBOREN},
            {"rol": "vermoedelijke_uitbuiter", "naam": "Onbekende Derde"},
        ]
    )
    verwacht = [1, 1, 2, 0]
    assert [b["gekoppeldeSignalen"] for b in nieuw["betrokkenen"]] == verwacht
    gelezen = (await client.get(f"/v1/signalen/{nieuw['id']}", headers=kop())).json()
    assert [b["gekoppeldeSignalen"] for b in gelezen["betrokkenen"]] == verwacht
