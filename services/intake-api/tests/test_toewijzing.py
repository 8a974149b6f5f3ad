"""Assigning a signal to an attention officer: set, change, clear, the same value again, each change in the
history with the old and the new value; another municipality's signal 404, another role 403, a malformed `sub`
400 naming `toegewezenAan`; and the assignment on the signal and in the queue."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from meldroute_dev.testing import ServiceHarness

from .conftest import ANDERE_GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


async def _wijs_toe(
    client: httpx.AsyncClient, kop: Kop, signaal_id: str, waarde: Any, **claims: Any
) -> httpx.Response:
    return await client.put(
        f"/v1/signalen/{signaal_id}/toewijzing", json={"toegewezenAan": waarde}, headers=kop(**claims)
    )


async def _toewijzingen(client: httpx.AsyncClient, kop: Kop, signaal_id: str) -> list[dict[str, Any]]:
    historie = (await client.get(f"/v1/signalen/{signaal_id}/historie", headers=kop())).json()["historie"]
    return [r for r in historie if r["actie"] == "toewijzing_gewijzigd"]


async def test_set_change_clear_and_the_same_value_again(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    pad = f"/v1/signalen/{signaal['id']}"
    assert (await client.get(pad, headers=kop())).json()["toegewezenAan"] is None

    stappen = [("af-1", 2, 1), ("af-1", 2, 1), ("af-2", 3, 2), (None, 4, 3), (None, 4, 3), ("af-2", 5, 4)]
    for waarde, versie, entries in stappen:
        antwoord = await _wijs_toe(client, kop, signaal["id"], waarde, sub="af-beslisser")
        assert antwoord.status_code == 200, antwoord.text
        assert antwoord.json()["toegewezenAan"] == waarde and antwoord.json()["versie"] == versie
        assert antwoord.headers["etag"] == f'"{versie}"'
        assert len(await _toewijzingen(client, kop, signaal["id"])) == entries, (waarde, versie)

    regels = await _toewijzingen(client, kop, signaal["id"])
    assert [r["details"] for r in regels] == [
        {"van": None, "naar": "af-1"},
        {"van": "af-1", "naar": "af-2"},
        {"van": "af-2", "naar": None},
        {"van": None, "naar": "af-2"},
    ]
    assert {r["door"] for r in regels} == {"af-beslisser"}
    assert [r["volgnummer"] for r in regels] == [2, 3, 4, 5]  # the version each change made
    assert all(r["vanStatus"] is None and r["naarStatus"] is None for r in regels)  # the status did not move
    gelezen = (await client.get(pad, headers=kop())).json()
    assert gelezen["toegewezenAan"] == "af-2" and gelezen["status"] == "ontvangen" and gelezen["versie"] == 5


async def test_the_assignment_shows_in_the_queue_and_a_decision_keeps_it(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    await _wijs_toe(client, kop, signaal["id"], "af-7")
    [regel] = (await client.get("/v1/signalen", headers=kop())).json()["signalen"]
    assert regel["id"] == signaal["id"] and regel["toegewezenAan"] == "af-7" and regel["versie"] == 2
    # The assignment raised the version: a decision on the old one is 412, on the new one it goes through.
    assert (await beoordeel(signaal["id"], 1, "in_behandeling")).status_code == 412
    beoordeeld = await beoordeel(signaal["id"], 2, "in_behandeling")
    assert beoordeeld.status_code == 200 and beoordeeld.json()["toegewezenAan"] == "af-7"


async def test_another_municipality_gets_404_and_nothing_changes(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    await _wijs_toe(client, kop, signaal["id"], "af-eigen")
    for waarde in ("af-elders", None, "af-eigen"):
        antwoord = await _wijs_toe(
            client, kop, signaal["id"], waarde, gemeente=ANDERE_GEMEENTE, sub="af-elders"
        )
        assert antwoord.status_code == 404, antwoord.text
        assert antwoord.headers["content-type"].startswith("application/problem+json")
        assert "af-eigen" not in antwoord.text and signaal["id"] not in antwoord.json()["detail"]
    assert (await _wijs_toe(client, kop, str(uuid.uuid4()), "af-1")).status_code == 404
    gelezen = (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()
    assert gelezen["toegewezenAan"] == "af-eigen" and gelezen["versie"] == 2
    assert len(await _toewijzingen(client, kop, signaal["id"])) == 1
    # The other municipality's queue does not list it under any filter on the assignment.
    for params in ({}, {"toegewezenAan": "af-eigen"}, {"toegewezen": "true"}):
        elders = await client.get("/v1/signalen", params=params, headers=kop(gemeente=ANDERE_GEMEENTE))
        assert elders.status_code == 200 and elders.json()["signalen"] == [], params


async def test_only_the_attention_officer_may_assign(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    # A reader of the queue who may not decide (only signalen:lezen) is refused like any other role.
    lezer = {"rol": "fg", "extra": {"scope": "signalen:lezen", "gemeente": "GM1509"}}
    for claims in ({"rol": "melder"}, {"rol": "beleidsmedewerker"}, {"rol": "fg"}, lezer):
        antwoord = await _wijs_toe(
            client, kop, signaal["id"], "af-1", audience="intake-api", gemeente="GM1509", sub="af-x", **claims
        )
        assert antwoord.status_code == 403, (claims, antwoord.text)
        assert antwoord.json()["detail"].startswith("Scope ontbreekt"), claims
    lezen = await client.get(
        f"/v1/signalen/{signaal['id']}", headers=kop(audience="intake-api", gemeente="GM1509", **lezer)
    )
    assert lezen.status_code == 200  # the reader's token itself is good
    zonder = await client.put(f"/v1/signalen/{signaal['id']}/toewijzing", json={"toegewezenAan": "af-1"})
    assert zonder.status_code == 401
    assert (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()["versie"] == 1


@pytest.mark.parametrize(
    "body",
    [
        {"toegewezenAan": ""},
        {"toegewezenAan": "af 1"},
        {"toegewezenAan": " af-1"},
        {"toegewezenAan": "af-1\n"},
        {"toegewezenAan": "af\x00-1"},
        {"toegewezenAan": "af\u0085-1"},
        {"toegewezenAan": "af-\u00e9"},
        {"toegewezenAan": "a" * 256},
        {"toegewezenAan": 17},
        {"toegewezenAan": ["af-1"]},
        {},
    ],
    ids=[
        "leeg",
        "spatie",
        "voorloopspatie",
        "regeleinde",
        "nul",
        "c1",
        "niet-ascii",
        "te-lang",
        "getal",
        "lijst",
        "ontbreekt",
    ],
)
async def test_a_malformed_sub_is_400_naming_the_field(
    body: dict[str, Any], aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    antwoord = await client.put(f"/v1/signalen/{signaal['id']}/toewijzing", json=body, headers=kop())
    assert antwoord.status_code == 400, antwoord.text
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in antwoord.json()["invalidParams"]] == ["toegewezenAan"]
    assert (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()["toegewezenAan"] is None
    assert await _toewijzingen(client, kop, signaal["id"]) == []


async def test_the_longest_sub_and_unknown_fields(aanmaken: Doe, client: httpx.AsyncClient, kop: Kop) -> None:
    signaal = await aanmaken()
    lang = "a" * 254 + "~"
    assert (await _wijs_toe(client, kop, signaal["id"], lang)).json()["toegewezenAan"] == lang
    extra = await client.put(
        f"/v1/signalen/{signaal['id']}/toewijzing",
        json={"toegewezenAan": "af-1", "toelichting": "Piet Voorbeeld"},
        headers=kop(),
    )
    assert extra.status_code == 400 and [p["name"] for p in extra.json()["invalidParams"]] == ["toelichting"]


async def test_the_same_assignment_at_once_is_one_history_entry(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    antwoorden = await asyncio.gather(*(_wijs_toe(client, kop, signaal["id"], "af-3") for _ in range(5)))
    assert [a.status_code for a in antwoorden] == [200] * 5
    assert {a.json()["versie"] for a in antwoorden} == {2}
    assert len(await _toewijzingen(client, kop, signaal["id"])) == 1
    # Different values at once: each one change, serialised; the last written is what the signal holds.
    antwoorden = await asyncio.gather(
        *(_wijs_toe(client, kop, signaal["id"], f"af-{i}") for i in range(4, 8))
    )
    assert [a.status_code for a in antwoorden] == [200] * 4
    regels = await _toewijzingen(client, kop, signaal["id"])
    assert len(regels) == 5
    assert [r["details"]["van"] for r in regels[1:]] == [r["details"]["naar"] for r in regels[:-1]]
    gelezen = (await client.get(f"/v1/signalen/{signaal['id']}", headers=kop())).json()
    assert gelezen["toegewezenAan"] == regels[-1]["details"]["naar"] and gelezen["versie"] == 6


async def test_a_front_end_of_a_listed_origin_may_assign(intake_harness: ServiceHarness) -> None:
    """The assignment is the first PUT: a browser's preflight for it is answered for a listed origin only."""
    herkomst = "https://werkvoorraad.gemeente.example"
    voorvraag = {"Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "authorization"}
    pad = "/v1/signalen/00000000-0000-4000-8000-000000000000/toewijzing"
    async with intake_harness.client(
        outbox_relay_aan=False, retentie_taak_aan=False, cors_origins=[herkomst]
    ) as c:
        vooraf = await c.options(pad, headers={**voorvraag, "Origin": herkomst})
        assert vooraf.status_code == 200, vooraf.text
        assert "PUT" in vooraf.headers["access-control-allow-methods"]
        ander = await c.options(pad, headers={**voorvraag, "Origin": "https://elders.example"})
        assert ander.status_code >= 400 and "access-control-allow-origin" not in ander.headers
