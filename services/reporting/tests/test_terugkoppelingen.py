"""Partners' outcomes in the evaluation: counts per municipality and code, shares of the escalations, days to a
first outcome; every figure from the stored, protected publication."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.gebeurtenissen.models import GebeurtenisRij
from reporting.statistieken.celsleutel import MAX_VERSTORING
from reporting.statistieken.publicatie import publish_period
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

from .conftest import NA_2026, gebeurtenis, invoeren, lezer_headers, publiceer
from .test_statistieken import beschermd

K = 5
PARAMS = {"periode": "kwartaal", "van": "2026-01", "tot": "2026-09"}
CODES = [
    "opgepakt", "geen_vervolg", "aangifte_gedaan", "opvang_geregeld", "bestuurlijke_maatregel",
    "strafrechtelijk_onderzoek_gestart", "afgerond",
]  # fmt: skip


def _events() -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    # Q1: 40 signals; 30 escalations (20 in GM1509, 10 in GM0222).
    events += [gebeurtenis(maand="2026-02", gemeenteCode="GM1509") for _ in range(30)]
    events += [gebeurtenis(maand="2026-02", gemeenteCode="GM0222") for _ in range(10)]
    events += [gebeurtenis(maand="2026-02", gemeenteCode="GM1509", uitkomst="opgeschaald") for _ in range(20)]
    events += [gebeurtenis(maand="2026-02", gemeenteCode="GM0222", uitkomst="opgeschaald") for _ in range(10)]

    # Outcomes in March: in GM1509 16 cases taken up (their first outcome, after 1..16 days), 14 reports to the
    # police and 2 shelters on cases that already had an outcome; in GM0222 3 cases taken up after 40 days.
    def uit(gemeente: str, code: str, eerste: bool, dagen: int, maand: str = "2026-03") -> dict[str, Any]:
        return gebeurtenis(
            maand=maand, gemeenteCode=gemeente, terugkoppeling=code, eersteTerugkoppeling=eerste,
            doorlooptijdDagen=dagen,
        )  # fmt: skip

    events += [uit("GM1509", "opgepakt", True, d) for d in range(1, 17)]
    events += [uit("GM1509", "aangifte_gedaan", False, 20) for _ in range(14)]
    events += [uit("GM1509", "opvang_geregeld", False, 30) for _ in range(2)]
    events += [uit("GM0222", "opgepakt", True, 40) for _ in range(3)]
    # Q2: 12 escalations and no outcome. Q3: 10 outcomes of earlier escalations and no new escalation.
    events += [gebeurtenis(maand="2026-05", gemeenteCode="GM1509") for _ in range(12)]
    events += [gebeurtenis(maand="2026-05", gemeenteCode="GM1509", uitkomst="opgeschaald") for _ in range(12)]
    events += [gebeurtenis(maand="2026-08", gemeenteCode="GM1509") for _ in range(12)]
    events += [uit("GM1509", "afgerond", False, 150, "2026-08") for _ in range(10)]
    return events


def _cellen(tabel: dict[str, Any]) -> dict[tuple[str, ...], int | None]:
    dims = tabel["groeperenOp"]
    return {(c["periode"], *(c["waarden"][d] for d in dims)): c["aantal"] for c in tabel["cellen"]}


def _totalen(tabel: dict[str, Any]) -> dict[tuple[str, str | None, str | None], int | None]:
    return {(t["periode"], t["dimensie"], t["waarde"]): t["aantal"] for t in tabel["totalen"]}


async def test_an_outcome_event_is_stored_with_its_code_flag_and_days(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    event = gebeurtenis(terugkoppeling="aangifte_gedaan", eersteTerugkoppeling=False, doorlooptijdDagen=12)
    async with reporting_harness.client() as client:
        await invoeren(client, issuer, [event])
        engine = create_async_engine(reporting_harness.database_url)
        try:
            async with engine.connect() as verbinding:
                rij = (await verbinding.execute(select(GebeurtenisRij))).one()
        finally:
            await engine.dispose()
    assert (rij.type, rij.terugkoppeling, rij.eerste_terugkoppeling, rij.doorlooptijd_dagen, rij.uitkomst) == (
        "terugkoppeling_vastgelegd", "aangifte_gedaan", False, 12, None,
    )  # fmt: skip


async def test_outcome_figures_in_the_evaluation(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, _events())
        await publiceer(reporting_harness, drempel=K)
        headers = lezer_headers(issuer)
        antwoord = await client.get("/v1/statistieken/evaluatie", params=PARAMS, headers=headers)
        assert antwoord.status_code == 200, antwoord.text
        body = antwoord.json()
        # The escalation counts the shares are over, as the statistics publish them.
        regio = (
            await client.get(
                "/v1/statistieken/signalen", params={**PARAMS, "groeperenOp": "uitkomst"}, headers=headers
            )
        ).json()
        per_gemeente = (
            await client.get(
                "/v1/statistieken/signalen",
                params={**PARAMS, "groeperenOp": "gemeente,uitkomst"},
                headers=headers,
            )
        ).json()
        als_csv = await client.get(
            "/v1/statistieken/evaluatie", params=PARAMS, headers={**headers, "Accept": "text/csv"}
        )

    # Outcomes per municipality and code: a table of two dimensions lists only the counts it shows.
    tabel = body["terugkoppelingen"]
    assert tabel["groeperenOp"] == ["gemeente", "terugkoppeling"]
    cellen = _cellen(tabel)
    waar = {
        ("2026-K1", "GM1509", "opgepakt"): 16, ("2026-K1", "GM1509", "aangifte_gedaan"): 14,
        ("2026-K1", "GM1509", "opvang_geregeld"): 2, ("2026-K1", "GM0222", "opgepakt"): 3,
        ("2026-K3", "GM1509", "afgerond"): 10,
    }  # fmt: skip
    assert set(cellen) <= set(waar)
    for sleutel, aantal in cellen.items():
        assert aantal is not None and beschermd(aantal, waar[sleutel], K), (sleutel, aantal)
    assert ("2026-K1", "GM1509", "opgepakt") in cellen and (
        "2026-K1",
        "GM1509",
        "opvang_geregeld",
    ) not in cellen
    totalen = _totalen(tabel)
    waar_totalen = {
        ("2026-K1", None, None): 35, ("2026-K1", "gemeente", "GM1509"): 32, ("2026-K1", "gemeente", "GM0222"): 3,
        ("2026-K1", "terugkoppeling", "opgepakt"): 19, ("2026-K1", "terugkoppeling", "aangifte_gedaan"): 14,
        ("2026-K1", "terugkoppeling", "opvang_geregeld"): 2, ("2026-K3", None, None): 10,
        ("2026-K3", "gemeente", "GM1509"): 10, ("2026-K3", "terugkoppeling", "afgerond"): 10,
    }  # fmt: skip
    assert set(totalen) == set(waar_totalen)
    for sleutel, aantal in totalen.items():
        assert beschermd(aantal, waar_totalen[sleutel], K), (sleutel, aantal)
    assert totalen[("2026-K1", "terugkoppeling", "opvang_geregeld")] is None  # 2 is below half the threshold

    # Cases with a first outcome, per municipality: a one-way table lists small counts as withheld.
    eerste = body["eersteTerugkoppelingen"]
    eerste_cellen = _cellen(eerste)
    assert set(eerste_cellen) == {("2026-K1", "GM1509"), ("2026-K1", "GM0222")}
    assert beschermd(eerste_cellen[("2026-K1", "GM1509")], 16, K)
    assert beschermd(eerste_cellen[("2026-K1", "GM0222")], 3, K)
    [eerste_totaal] = eerste["totalen"]
    assert eerste_totaal["periode"] == "2026-K1" and beschermd(eerste_totaal["aantal"], 19, K)

    # Shares: a published count over the published escalations of the same period, nothing else.
    opgeschaald = {
        c["periode"]: c["aantal"] for c in regio["cellen"] if c["waarden"]["uitkomst"] == "opgeschaald"
    }
    opgeschaald_gemeente = {
        (c["periode"], c["waarden"]["gemeente"]): c["aantal"]
        for c in per_gemeente["cellen"]
        if c["waarden"]["uitkomst"] == "opgeschaald"
    }
    assert set(opgeschaald) == {"2026-K1", "2026-K2"}
    aandelen = {(a["periode"], a["gemeente"], a["terugkoppeling"]): a for a in body["terugkoppelingAandelen"]}

    def verwacht(teller: int | None, noemer: int | None) -> float | None:
        return None if teller is None or not noemer else round(teller / noemer, 4)

    for code in CODES:
        teller = totalen.get(("2026-K1", "terugkoppeling", code), 0)
        assert aandelen[("2026-K1", None, code)]["aandeel"] == verwacht(teller, opgeschaald["2026-K1"]), code
        # No outcome in Q2: a share of 0 for every code. No escalation in Q3: no share at all.
        assert aandelen[("2026-K2", None, code)]["aandeel"] == 0
        assert aandelen[("2026-K3", None, code)] == {
            "periode": "2026-K3", "gemeente": None, "terugkoppeling": code, "aandeel": None, "onderdrukt": True,
        }  # fmt: skip
    assert aandelen[("2026-K1", None, "opvang_geregeld")]["onderdrukt"] is True
    assert aandelen[("2026-K1", None, "geen_vervolg")]["aandeel"] == 0
    assert aandelen[("2026-K1", None, None)]["aandeel"] == verwacht(
        eerste_totaal["aantal"], opgeschaald["2026-K1"]
    )
    # Per municipality: only the counts its table shows, over the escalations its table shows.
    gemeente_aandelen = {s: a for s, a in aandelen.items() if s[1] is not None}
    assert {s for s in gemeente_aandelen if s[2] is not None} == {(p, g, c) for (p, g, c) in cellen}
    for (periode, gemeente, code), aandeel in gemeente_aandelen.items():
        teller = eerste_cellen[(periode, gemeente)] if code is None else cellen[(periode, gemeente, code)]
        noemer = opgeschaald_gemeente.get((periode, gemeente))
        assert aandeel["aandeel"] == verwacht(teller, noemer), (periode, gemeente, code)
        assert aandeel["onderdrukt"] is (aandeel["aandeel"] is None)
    assert gemeente_aandelen[("2026-K1", "GM1509", "opgepakt")]["aandeel"] is not None

    # Days from escalation to first outcome: shown only where the published count of first outcomes is at least
    # the threshold plus the largest perturbation. Region: 1..16 and three times 40 -> median rank 10 is 10,
    # p90 rank 18 is 40. GM1509: 1..16 -> median rank 8 is 8, p90 rank 15 is 15. GM0222: 3 first outcomes.
    tijden = {(t["periode"], t["gemeente"]): t for t in body["doorlooptijdenTerugkoppeling"]}
    assert set(tijden) == {("2026-K1", None), ("2026-K1", "GM1509"), ("2026-K1", "GM0222")}
    assert (tijden[("2026-K1", None)]["mediaanDagen"], tijden[("2026-K1", None)]["p90Dagen"]) == (10, 40)
    assert (tijden[("2026-K1", "GM1509")]["mediaanDagen"], tijden[("2026-K1", "GM1509")]["p90Dagen"]) == (
        8,
        15,
    )
    assert tijden[("2026-K1", "GM0222")] == {
        "periode": "2026-K1", "gemeente": "GM0222", "mediaanDagen": None, "p90Dagen": None, "onderdrukt": True,
    }  # fmt: skip
    for (_, gemeente), tijd in tijden.items():
        gepubliceerd = eerste_totaal["aantal"] if gemeente is None else eerste_cellen[("2026-K1", gemeente)]
        assert tijd["onderdrukt"] is not (gepubliceerd is not None and gepubliceerd >= K + MAX_VERSTORING)

    # The comparison of the last period with the one before.
    regels = {r["indicator"]: r for r in body["vergelijking"]["indicatoren"]}
    assert regels["terugkoppelingen"]["vorig"] == 0 and beschermd(regels["terugkoppelingen"]["huidig"], 10, K)
    assert regels["mediaanDagenTotEersteTerugkoppeling"]["huidig"] is None

    # The CSV carries the same figures.
    regels_csv = als_csv.text.split("\r\n")
    rijen = list(csv.reader(io.StringIO("\r\n".join(regels_csv[:-2]))))
    assert [
        "terugkoppelingen", "2026-K1", "gemeente=GM1509|terugkoppeling=opgepakt", "aantal",
        str(cellen[("2026-K1", "GM1509", "opgepakt")]), "nee", "",
    ] in rijen  # fmt: skip
    assert [
        "terugkoppelingen",
        "2026-K1",
        "terugkoppeling=opvang_geregeld|totaal",
        "totaal",
        "",
        "ja",
        "",
    ] in rijen
    assert [
        "terugkoppeling_aandelen", "2026-K1", "terugkoppeling=opgepakt", "aandeel_van_opschalingen",
        str(aandelen[("2026-K1", None, "opgepakt")]["aandeel"]), "nee", "",
    ] in rijen  # fmt: skip
    assert ["doorlooptijden_terugkoppeling", "2026-K1", "", "p90_dagen", "40", "nee", ""] in rijen
    assert [
        "doorlooptijden_terugkoppeling",
        "2026-K1",
        "gemeente=GM0222",
        "mediaan_dagen",
        "",
        "ja",
        "",
    ] in rijen


@pytest.mark.parametrize("drempel", [5, 10])
async def test_fewer_first_outcomes_than_the_threshold_have_no_lead_time(
    reporting_harness: ServiceHarness, issuer: DevIssuer, drempel: int
) -> None:
    """Threshold - 1 first outcomes are published as at most threshold + 3: below the threshold + 4 a lead time
    needs, so it is never shown, whatever the cell keys draw."""
    events = [gebeurtenis(maand="2026-02") for _ in range(40)]
    events += [gebeurtenis(maand="2026-02", uitkomst="opgeschaald") for _ in range(40)]
    events += [
        gebeurtenis(maand="2026-03", terugkoppeling="opgepakt", doorlooptijdDagen=d)
        for d in range(drempel - 1)
    ]
    async with reporting_harness.client(drempel=drempel, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=drempel)
        body = (
            await client.get("/v1/statistieken/evaluatie", params=PARAMS, headers=lezer_headers(issuer))
        ).json()
    tijden = {(t["periode"], t["gemeente"]): t for t in body["doorlooptijdenTerugkoppeling"]}
    assert tijden[("2026-K1", None)]["onderdrukt"] is True
    assert tijden[("2026-K1", None)]["mediaanDagen"] is None
    assert tijden[("2026-K1", "GM1509")]["p90Dagen"] is None


async def test_comparison_and_minimum_population(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    """An unpublished previous period has no outcome figure (not 0); below the minimum population the outcome
    figures are empty like every other table."""
    events = [gebeurtenis(maand="2026-02") for _ in range(20)]
    events += [gebeurtenis(maand="2026-02", terugkoppeling="opgepakt") for _ in range(20)]
    for minimale_populatie, leeg in ((10, False), (50, True)):
        async with reporting_harness.client(drempel=K, minimale_populatie=minimale_populatie) as client:
            await invoeren(client, issuer, events)
            await publiceer(reporting_harness, drempel=K)
            body = (
                await client.get(
                    "/v1/statistieken/evaluatie",
                    params={"periode": "maand", "van": "2026-02", "tot": "2026-02"},
                    headers=lezer_headers(issuer),
                )
            ).json()
        assert body["volledigOnderdrukt"] is leeg
        if leeg:
            assert body["terugkoppelingen"]["cellen"] == body["terugkoppelingen"]["totalen"] == []
            assert body["eersteTerugkoppelingen"]["cellen"] == []
            assert body["terugkoppelingAandelen"] == body["doorlooptijdenTerugkoppeling"] == []
            continue
        # January is before the first event: never published, so no figure at all.
        regels = {r["indicator"]: r for r in body["vergelijking"]["indicatoren"]}
        assert body["vergelijking"]["vorigePeriode"] == "2026-01"
        assert regels["terugkoppelingen"]["vorig"] is None and regels["terugkoppelingen"]["verschil"] is None
        assert beschermd(regels["terugkoppelingen"]["huidig"], 20, K)
        # No escalation at all in February: outcomes but no share.
        assert {a["aandeel"] for a in body["terugkoppelingAandelen"]} == {None}


async def test_republishing_a_period_replaces_its_outcome_figures(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    """An explicit republication replaces the stored lead times with the cells (no duplicate key, no stale row)."""
    events = [gebeurtenis(maand="2026-03") for _ in range(20)]
    events += [
        gebeurtenis(maand="2026-03", terugkoppeling="opgepakt", doorlooptijdDagen=5) for _ in range(20)
    ]
    laat = [gebeurtenis(maand="2026-03", terugkoppeling="opgepakt", doorlooptijdDagen=90) for _ in range(30)]
    params = {"periode": "maand", "van": "2026-03", "tot": "2026-03"}
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=K)
        voor = (
            await client.get("/v1/statistieken/evaluatie", params=params, headers=lezer_headers(issuer))
        ).json()
        await invoeren(client, issuer, laat)
        engine = create_async_engine(reporting_harness.database_url)
        try:
            maker = async_sessionmaker(engine, expire_on_commit=False)
            async with maker() as session, session.begin():
                assert await publish_period(
                    session=session, periode="2026-03", drempel=K, nu=NA_2026, opnieuw=True, reden="test"
                )
        finally:
            await engine.dispose()
        na = (
            await client.get("/v1/statistieken/evaluatie", params=params, headers=lezer_headers(issuer))
        ).json()
    regio = {t["gemeente"]: t for t in voor["doorlooptijdenTerugkoppeling"]}[None]
    assert (regio["mediaanDagen"], regio["p90Dagen"]) == (5, 5)
    # 20 first outcomes after 5 days and 30 after 90: the median and p90 are now 90, one row per municipality.
    tijden = [(t["gemeente"], t["mediaanDagen"], t["p90Dagen"]) for t in na["doorlooptijdenTerugkoppeling"]]
    assert tijden == [(None, 90, 90), ("GM1509", 90, 90)]
    assert beschermd(na["eersteTerugkoppelingen"]["totalen"][0]["aantal"], 50, K)
