"""Deadlines over HTTP: opened and closed with the status and outcomes, shown on the signal, in the queue, and
marked passed exactly once with an anonymous event. The clock is injected (every `nu` of intake)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from intake_api import tijd
from intake_api.termijnen.beleid import TermijnbeleidFout, load_termijnbeleid
from intake_api.termijnen.service import mark_passed
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.db import make_engine
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import async_sessionmaker

from tests.builders import trajecten

Doe = Callable[..., Any]
Kop = Callable[..., dict[str, str]]
ZORG = "zorgcoordinatie-noord-oost-gelderland"


class Klok:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def klok(client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch) -> Iterator[Klok]:
    """Every clock of intake set to one moment the test moves (the app is imported by `client`)."""
    stand = Klok(datetime(2026, 12, 22, 9, 0, tzinfo=UTC))  # Tuesday before Christmas
    echt = tijd.nu
    for naam, module in list(sys.modules.items()):
        if naam.startswith("intake_api") and module is not None:
            for attr in ("nu", "klok"):
                if getattr(module, attr, None) is echt:
                    monkeypatch.setattr(module, attr, stand)
    yield stand


@pytest.fixture
async def ronde(intake_harness: ServiceHarness) -> Any:
    """The round that marks passed deadlines, at the given moment; the number marked."""
    engine = make_engine(intake_harness.database_url)
    maker = async_sessionmaker(engine, expire_on_commit=False)

    async def doe(moment: datetime) -> int:
        return await mark_passed(maker=maker, catalogus=standaard_catalogus(), moment=moment)

    yield doe
    await engine.dispose()


async def _termijnen(client: httpx.AsyncClient, kop: Kop, signaal_id: str) -> list[tuple[str, str, str]]:
    body = (await client.get(f"/v1/signalen/{signaal_id}", headers=kop())).json()
    return [(t["soort"], t["vervaltOp"], t["status"]) for t in body["termijnen"]]


async def _wachtrij(client: httpx.AsyncClient, kop: Kop, **params: Any) -> httpx.Response:
    return await client.get("/v1/signalen", params=params, headers=kop())


def _ids(antwoord: httpx.Response) -> list[str]:
    assert antwoord.status_code == 200, antwoord.text
    return [s["id"] for s in antwoord.json()["signalen"]]


async def test_triage_across_christmas_passes_once_and_closes_late(
    klok: Klok, aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, ronde: Doe, db_rijen: Doe
) -> None:
    abonnement = {"soorten": ["termijn.verstreken"], "kanaal": "webhook", "url": "https://8.8.8.8/hook"}
    assert (await client.post("/v1/abonnementen", json=abonnement, headers=kop())).status_code == 201
    signaal = await aanmaken()
    # Five working days from Tuesday 22 December: 23, 24, (Christmas, weekend) 28, 29, 30.
    assert [(t["soort"], t["vervaltOp"], t["status"]) for t in signaal["termijnen"]] == [
        ("triage", "2026-12-30", "lopend")
    ]
    assert _ids(await _wachtrij(client, kop, termijn="lopend")) == [signaal["id"]]
    assert _ids(await _wachtrij(client, kop, termijn="verlopen")) == []

    klok.moment = datetime(2026, 12, 30, 22, 59, tzinfo=UTC)  # 23:59 on the due day in the Netherlands
    assert await _termijnen(client, kop, signaal["id"]) == [("triage", "2026-12-30", "lopend")]
    assert await ronde(klok.moment) == 0

    klok.moment = datetime(2026, 12, 30, 23, 0, tzinfo=UTC)  # midnight: overdue
    assert await _termijnen(client, kop, signaal["id"]) == [("triage", "2026-12-30", "verlopen")]
    assert _ids(await _wachtrij(client, kop, termijn="verlopen")) == [signaal["id"]]
    assert _ids(await _wachtrij(client, kop, termijn="lopend")) == []
    assert await ronde(klok.moment) == 1
    assert await ronde(klok.moment) == 0  # exactly once

    events = [
        r["gebeurtenis"] for r in await db_rijen("outbox") if r["gebeurtenis"]["type"] == "termijn_verstreken"
    ]
    assert len(events) == 1
    assert {k: v for k, v in events[0].items() if k != "id"} == {
        "type": "termijn_verstreken", "maand": "2026-12", "gemeenteCode": "GM1509", "termijn": "triage",
    }  # fmt: skip
    # The municipality's subscription is notified once, with the signal's id only.
    meldingen = await db_rijen("meldingen")
    assert [(m["soort"], str(m["signaal_id"])) for m in meldingen] == [("termijn.verstreken", signaal["id"])]

    # Deciding late closes it; it stays verlopen and is not reported again.
    assert (await beoordeel(signaal["id"], 1, "in_behandeling")).status_code == 200
    assert (await beoordeel(signaal["id"], 2, "afgesloten_geen_mensenhandel")).status_code == 200
    assert await _termijnen(client, kop, signaal["id"]) == [("triage", "2026-12-30", "verlopen")]
    assert _ids(await _wachtrij(client, kop, termijn="verlopen")) == []
    assert await ronde(datetime(2027, 6, 1, tzinfo=UTC)) == 0
    [rij] = await db_rijen("termijnen")
    assert rij["verstreken"] is True and rij["gesloten_op"] is not None


async def test_closed_late_before_any_round_is_still_reported(
    klok: Klok, aanmaken: Doe, beoordeel: Doe, ronde: Doe
) -> None:
    signaal = await aanmaken()
    klok.moment = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)
    assert (await beoordeel(signaal["id"], 1, "in_behandeling")).status_code == 200
    assert (await beoordeel(signaal["id"], 2, "afgesloten_geen_mensenhandel")).status_code == 200
    assert await ronde(klok.moment) == 1
    assert await ronde(klok.moment) == 0


async def test_advice_and_escalation_over_easter_and_the_cosm_reflection_period(
    klok: Klok, aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, ronde: Doe
) -> None:
    klok.moment = datetime(2027, 3, 25, 10, 0, tzinfo=UTC)  # Thursday before Good Friday and Easter Monday
    signaal = await aanmaken()
    sid = signaal["id"]
    assert (await beoordeel(sid, 1, "in_behandeling")).status_code == 200
    vraag = {"vraag": "Is dit arbeidsuitbuiting?", "experts": ["riec-oost-nederland"]}
    assert (
        await client.post(f"/v1/signalen/{sid}/adviesvragen", json=vraag, headers=kop())
    ).status_code == 201
    assert await _termijnen(client, kop, sid) == [
        ("triage", "2027-04-05", "lopend"), ("advies", "2027-04-12", "lopend"),
    ]  # fmt: skip

    klok.moment = datetime(2027, 3, 31, 8, 0, tzinfo=UTC)
    assert (await beoordeel(sid, 3, "in_behandeling")).status_code == 200
    assert (await beoordeel(sid, 4, "opgeschaald", trajecten=trajecten())).status_code == 200
    assert await _termijnen(client, kop, sid) == [
        ("triage", "2027-04-05", "gehaald"), ("advies", "2027-04-12", "gehaald"),
    ]  # fmt: skip

    casus = (await client.get(f"/v1/signalen/{sid}", headers=kop())).json()
    zorg = next(t for t in casus["trajecten"] if t["doel"] == "zorg_en_opvang")
    body = {
        "partner": ZORG, "door": "zorg-1", "doel": "zorg_en_opvang", "terugkoppeling": "opvang_geregeld",
        "opvangvorm": "cosm",
    }  # fmt: skip
    pad = f"/v1/intern/casussen/{sid}/terugkoppelingen"
    assert (await client.post(pad, json=body, headers=kop("privacy-gateway"))).status_code == 201
    assert (await client.post(pad, json=body, headers=kop("privacy-gateway"))).status_code == 201  # again
    gelezen = (await client.get(f"/v1/signalen/{sid}", headers=kop())).json()["termijnen"]
    assert [(t["soort"], t["trajectId"], t["vervaltOp"], t["status"]) for t in gelezen][-1] == (
        "cosm_bedenktijd", zorg["id"], "2027-06-30", "lopend",  # 31 March + 3 months, the month's last day
    )  # fmt: skip
    assert len(gelezen) == 3  # the second report opens no second reflection period
    assert _ids(await _wachtrij(client, kop, termijn="lopend")) == [sid]

    afronden = f"/v1/signalen/{sid}/trajecten/{zorg['id']}/afronding"
    assert (await client.post(afronden, json={"toelichting": "Klaar."}, headers=kop())).status_code == 200
    assert (await _termijnen(client, kop, sid))[-1] == ("cosm_bedenktijd", "2027-06-30", "gehaald")
    assert await ronde(datetime(2027, 7, 1, tzinfo=UTC)) == 0


async def test_queue_sorted_by_deadline_pages_with_its_own_cursor(
    klok: Klok, aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    ids = []
    for moment in (
        datetime(2026, 12, 1, 9, tzinfo=UTC), datetime(2026, 11, 2, 9, tzinfo=UTC),
        datetime(2026, 12, 8, 9, tzinfo=UTC), datetime(2026, 11, 10, 9, tzinfo=UTC),
    ):  # fmt: skip
        klok.moment = moment
        ids.append((await aanmaken())["id"])
    # The last one decided: no open deadline, not in this order.
    assert (await beoordeel(ids[3], 1, "in_behandeling")).status_code == 200
    assert (await beoordeel(ids[3], 2, "afgesloten_geen_mensenhandel")).status_code == 200
    klok.moment = datetime(2026, 12, 9, 9, tzinfo=UTC)

    eerste = await _wachtrij(client, kop, sorteer="termijn", pageSize=2)
    assert _ids(eerste) == [ids[1], ids[0]]
    volgende = eerste.json()["volgende"]
    tweede = await _wachtrij(client, kop, sorteer="termijn", pageSize=2, cursor=volgende)
    assert _ids(tweede) == [ids[2]] and tweede.json()["volgende"] is None
    assert _ids(await _wachtrij(client, kop, sorteer="termijn", termijn="verlopen")) == [ids[1], ids[0]]
    assert _ids(await _wachtrij(client, kop, sorteer="termijn", termijn="lopend")) == [ids[2]]
    assert _ids(await _wachtrij(client, kop)) == [ids[2], ids[0], ids[3], ids[1]]  # newest first, unchanged

    # A cursor of one order is refused by the other.
    gewoon = (await _wachtrij(client, kop, pageSize=1)).json()["volgende"]
    for params in ({"sorteer": "termijn", "cursor": gewoon}, {"cursor": volgende}):
        fout = await _wachtrij(client, kop, **params)
        assert fout.status_code == 400 and fout.json()["invalidParams"][0]["name"] == "cursor"
    for params in ({"termijn": "bijna"}, {"sorteer": "vervaldag"}):
        assert (await _wachtrij(client, kop, **params)).status_code == 400
    # Another municipality's queue shows none of them.
    assert (
        _ids(await client.get("/v1/signalen", params={"sorteer": "termijn"}, headers=kop(gemeente="GM0222")))
        == []
    )


def test_policy_refused_with_every_failing_field(tmp_path: Path) -> None:
    pad = tmp_path / "termijnen.yaml"
    pad.write_text(
        "versie: 1\ntermijnen:\n"
        "  - {soort: triage, statussen: [ontvangen, bestaat_niet], aantal: 5, eenheid: werkdagen}\n"
        "  - {soort: Cosm, na_terugkoppeling: opvang_geregeld, aantal: 0, eenheid: weken}\n"
        "  - {soort: triage, statussen: [ontvangen], na_terugkoppeling: opgepakt, aantal: 1, eenheid: maanden}\n"
    )
    with pytest.raises(TermijnbeleidFout) as fout:
        load_termijnbeleid(pad)
    tekst = str(fout.value)
    for deel in ("termijnen[0]", "bestaat_niet", "termijnen[1].soort", "termijnen[1].aantal", "termijnen[1].eenheid",
                 "termijnen[2]", "precies één"):  # fmt: skip
        assert deel in tekst, tekst
    pad.write_text("versie: 1\ntermijnen:\n  - {soort: a, statussen: [ontvangen], aantal: 1, eenheid: werkdagen}\n"
                   "  - {soort: a, statussen: [ontvangen], aantal: 2, eenheid: werkdagen}\n")  # fmt: skip
    with pytest.raises(TermijnbeleidFout, match="twee keer"):
        load_termijnbeleid(pad)
    with pytest.raises(TermijnbeleidFout, match="niet te lezen"):
        load_termijnbeleid(tmp_path / "ontbreekt.yaml")


async def test_the_service_does_not_start_on_a_bad_policy(
    intake_harness: ServiceHarness, tmp_path: Path
) -> None:
    pad = tmp_path / "slecht.yaml"
    pad.write_text("versie: 1\ntermijnen: []\n")
    with pytest.raises(TermijnbeleidFout, match="termijnen"):
        async with intake_harness.client(outbox_relay_aan=False, retentie_taak_aan=False, termijnen_file=pad):
            pass
