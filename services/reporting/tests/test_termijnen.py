"""Passed deadlines: stored without anything about their signal, published per municipality and kind under the
same protection as every count, and not to be differenced down to a small count."""

from __future__ import annotations

import copy
from typing import Any

from meldroute_common.devissuer import DevIssuer
from meldroute_common.gebeurtenissen import TERMIJN_VOORBEELD
from meldroute_dev.testing import ServiceHarness
from reporting.gebeurtenissen.models import GebeurtenisRij, GebeurtenisVorm
from reporting.statistieken.celsleutel import grenzen
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer
from .test_statistieken import beschermd

K = 5
PARAMS = {"periode": "kwartaal", "van": "2026-01", "tot": "2026-03"}
#: The true counts of passed deadlines in March 2026: GM0222 has two, a count nobody may learn.
WAAR = {("GM1509", "triage"): 40, ("GM1509", "advies"): 12, ("GM1955", "triage"): 20, ("GM0222", "triage"): 2}


def termijn(**wijziging: Any) -> dict[str, Any]:
    import uuid

    return {**copy.deepcopy(TERMIJN_VOORBEELD), "id": str(uuid.uuid4()), "maand": "2026-03", **wijziging}


def _events() -> list[dict[str, Any]]:
    events = [
        gebeurtenis(maand="2026-03", gemeenteCode=g)
        for g in ("GM1509", "GM0222", "GM1955")
        for _ in range(15)
    ]
    for (gemeente, soort), n in WAAR.items():
        events += [termijn(gemeenteCode=gemeente, termijn=soort) for _ in range(n)]
    return events


async def test_a_deadline_event_is_stored_with_its_kind_and_nothing_of_its_signal(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client() as client:
        await invoeren(client, issuer, [termijn(termijn="cosm_bedenktijd")])
        engine = create_async_engine(reporting_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                rij = (await verbinding.execute(select(GebeurtenisRij))).one()
                vormen = (await verbinding.execute(select(GebeurtenisVorm))).all()
        finally:
            await engine.dispose()
    assert (rij.type, rij.gemeente_code, rij.maand, rij.termijn) == (
        "termijn_verstreken", "GM1509", "2026-03", "cosm_bedenktijd",
    )  # fmt: skip
    assert {rij.sector, rij.locatietype, rij.melder_domein, rij.leeftijdsklasse, rij.geslacht} == {"onbekend"}
    assert vormen == []


async def test_deadline_event_with_signal_attributes_is_refused(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    from .conftest import invoer_headers

    async with reporting_harness.client() as client:
        for extra in ({"sector": "horeca"}, {"termijn": "Triage dag 3"}, {"uitbuitingsvormen": ["arbeid"]}):
            antwoord = await client.post(
                "/v1/gebeurtenissen",
                json={"gebeurtenissen": [termijn(**extra)]},
                headers=invoer_headers(issuer),
            )
            assert antwoord.status_code == 400, (extra, antwoord.text)


async def test_passed_deadlines_per_municipality_cannot_be_differenced_to_a_small_count(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, _events())
        await publiceer(reporting_harness, drempel=K)
        body = (
            await client.get("/v1/statistieken/evaluatie", params=PARAMS, headers=lezer_headers(issuer))
        ).json()
        signalen = (
            await client.get(
                "/v1/statistieken/signalen", params={**PARAMS, "groeperenOp": "gemeente"},
                headers=lezer_headers(issuer),
            )
        ).json()  # fmt: skip

    tabel = body["verstrekenTermijnen"]
    assert tabel["groeperenOp"] == ["gemeente", "termijn"]
    cellen = {(c["waarden"]["gemeente"], c["waarden"]["termijn"]): c["aantal"] for c in tabel["cellen"]}
    totalen = {
        (t["dimensie"], t["waarde"]): t["aantal"] for t in tabel["totalen"] if t["periode"] == "2026-K1"
    }
    # Every published figure is what the method may publish for the truth; the small cell is not listed at all.
    for sleutel, aantal in cellen.items():
        assert beschermd(aantal, WAAR[sleutel], K), (sleutel, aantal)
    assert ("GM0222", "triage") not in cellen and ("GM1509", "triage") in cellen
    per_gemeente = {
        g: sum(n for (gg, _), n in WAAR.items() if gg == g) for g in ("GM1509", "GM0222", "GM1955")
    }
    per_soort = {s: sum(n for (_, ss), n in WAAR.items() if ss == s) for s in ("triage", "advies")}
    waar_totalen = {
        (None, None): sum(WAAR.values()),
        **{("gemeente", g): n for g, n in per_gemeente.items()},
        **{("termijn", s): n for s, n in per_soort.items()},
    }
    assert set(totalen) <= set(waar_totalen) and (None, None) in totalen
    for sleutel, aantal in totalen.items():
        assert beschermd(aantal, waar_totalen[sleutel], K), (sleutel, aantal)
    assert totalen.get(("gemeente", "GM0222")) is None  # two passed deadlines: withheld

    # The attacker: GM0222's count is the region's total minus the other municipalities', and the triage total
    # minus the other triage cells. Every figure is only known up to its perturbation: what is left is wide.
    def bereik(sleutel_totaal: tuple[str | None, str | None], anderen: list[int | None]) -> range:
        laag, hoog = grenzen(gepubliceerd=totalen[sleutel_totaal], drempel=K)
        for aantal in anderen:
            a_laag, a_hoog = grenzen(gepubliceerd=aantal, drempel=K)
            laag, hoog = laag - a_hoog, hoog - a_laag
        onderdrukt_laag, onderdrukt_hoog = grenzen(gepubliceerd=None, drempel=K)
        return range(max(laag, onderdrukt_laag), min(hoog, onderdrukt_hoog) + 1)

    for mogelijk in (
        bereik((None, None), [totalen[("gemeente", "GM1509")], totalen[("gemeente", "GM1955")]]),
        bereik(("termijn", "triage"), [cellen[("GM1509", "triage")], cellen[("GM1955", "triage")]]),
    ):
        assert WAAR[("GM0222", "triage")] in mogelijk
        assert len(mogelijk) >= 5, mogelijk  # never pinned down, not even to the truth +-2

    # Deadline events count in no other table: the signals per municipality are the 15 signals each.
    for cel in signalen["cellen"]:
        assert beschermd(cel["aantal"], 15, K), cel
