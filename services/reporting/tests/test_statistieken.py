"""Statistics: SQL counts, suppression, the minimum population, parameter errors and the evaluation."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.perioden import kwartaal_van
from reporting.statistieken.onderdrukking import BeschermdeTabel, Cel, Totaal

from .conftest import gebeurtenis, invoeren, lezer_headers
from .test_onderdrukking import herleidbaar

K = 5


def _cellen(body: dict[str, Any]) -> dict[tuple[str, ...], dict[str, Any]]:
    dims = body["groeperenOp"]
    return {(c["periode"], *(c["waarden"][d] for d in dims)): c for c in body["cellen"]}


async def test_counts_per_municipality_and_form_with_suppression(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = (
        [gebeurtenis(maand="2026-01", gemeenteCode="GM1509", uitbuitingsvormen=["arbeid"]) for _ in range(12)]
        + [gebeurtenis(maand="2026-02", gemeenteCode="GM1509", uitbuitingsvormen=["arbeid", "crimineel"]) for _ in range(7)]
        + [gebeurtenis(maand="2026-03", gemeenteCode="GM0222", uitbuitingsvormen=["seksueel"]) for _ in range(20)]
        + [gebeurtenis(maand="2026-03", gemeenteCode="GM0222", uitbuitingsvormen=["arbeid"]) for _ in range(3)]
        + [gebeurtenis(maand="2026-04", gemeenteCode="GM0222", uitbuitingsvormen=["arbeid"]) for _ in range(9)]
        # A decision and an event outside the range are not counted.
        + [gebeurtenis(maand="2026-01", uitkomst="opgeschaald"), gebeurtenis(maand="2025-12")]
    )  # fmt: skip
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        antwoord = await client.get(
            "/v1/statistieken/signalen",
            params={
                "groeperenOp": "gemeente,uitbuitingsvorm",
                "periode": "kwartaal",
                "van": "2026-01",
                "tot": "2026-05",
            },
            headers=lezer_headers(issuer),
        )
        assert antwoord.status_code == 200, antwoord.text
        body = antwoord.json()
        # Widened to whole quarters.
        assert (body["van"], body["tot"], body["geteld"], body["volledigOnderdrukt"]) == (
            "2026-01",
            "2026-06",
            "signalen",
            False,
        )
        cellen = _cellen(body)
        waar = {
            ("2026-K1", "GM1509", "arbeid"): 19,
            ("2026-K1", "GM1509", "crimineel"): 7,
            ("2026-K1", "GM0222", "seksueel"): 20,
            ("2026-K1", "GM0222", "arbeid"): 3,
            ("2026-K2", "GM0222", "arbeid"): 9,
        }
        assert set(cellen) == set(waar)
        for sleutel, cel in cellen.items():
            assert cel["aantal"] in (None, waar[sleutel]), sleutel
            assert cel["onderdrukt"] is (cel["aantal"] is None)
        assert cellen[("2026-K1", "GM0222", "arbeid")]["reden"] == "primair"
        assert cellen[("2026-K1", "GM0222", "seksueel")]["aantal"] == 20
        # The cheapest protection of the 3: withhold the 19 next to it and the two municipality totals.
        assert cellen[("2026-K1", "GM1509", "arbeid")]["reden"] == "secundair"
        totalen = {(t["periode"], t["dimensie"], t["waarde"]): t["aantal"] for t in body["totalen"]}
        assert totalen[("2026-K1", None, None)] == 49
        assert totalen[("2026-K1", "gemeente", "GM0222")] is None
        assert totalen[("2026-K2", None, None)] == 9


async def test_grouping_by_outcome_counts_decisions(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [gebeurtenis(maand="2026-05", uitkomst="opgeschaald") for _ in range(11)] + [
        gebeurtenis(maand="2026-05", uitkomst="afgesloten_geen_mensenhandel") for _ in range(6)
    ]
    async with reporting_harness.client(drempel=K, minimale_populatie=0) as client:
        await invoeren(client, issuer, events)
        body = (
            await client.get(
                "/v1/statistieken/signalen",
                params={"groeperenOp": "uitkomst", "periode": "jaar", "van": "2026-01", "tot": "2026-12"},
                headers=lezer_headers(issuer),
            )
        ).json()
        assert body["geteld"] == "beoordelingen"
        cellen = _cellen(body)
        assert cellen[("2026", "opgeschaald")]["aantal"] == 11
        assert cellen[("2026", "afgesloten_geen_mensenhandel")]["aantal"] == 6
        assert body["totalen"] == [
            {"periode": "2026", "dimensie": None, "waarde": None, "aantal": 17, "onderdrukt": False}
        ]


async def test_below_the_minimum_population_the_whole_answer_is_suppressed(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(drempel=K, minimale_populatie=25) as client:
        await invoeren(client, issuer, [gebeurtenis(maand="2026-02") for _ in range(24)])
        params = {"groeperenOp": "gemeente", "periode": "maand", "van": "2026-01", "tot": "2026-03"}
        body = (
            await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
        ).json()
        assert body["volledigOnderdrukt"] is True
        assert body["cellen"] == [] and body["totalen"] == []
        await invoeren(client, issuer, [gebeurtenis(maand="2026-02")])
        body = (
            await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
        ).json()
        assert body["volledigOnderdrukt"] is False
        assert _cellen(body)[("2026-02", "GM1509")]["aantal"] == 25


@pytest.mark.parametrize(
    ("params", "naam"),
    [
        ({"groeperenOp": "gemeente,bsn"}, "groeperenOp"),
        ({"groeperenOp": "gemeente,gemeente"}, "groeperenOp"),
        ({"groeperenOp": "gemeente,sector,geslacht,uitkomst"}, "groeperenOp"),
        ({"periode": "week"}, "periode"),
        ({"van": "2026-13"}, "van"),
        ({"van": "2026-05", "tot": "2026-01"}, "van"),
        ({"van": "2020-01", "tot": "2031-01"}, "tot"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    reporting_harness: ServiceHarness, issuer: DevIssuer, params: dict[str, str], naam: str
) -> None:
    async with reporting_harness.client() as client:
        antwoord = await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
        assert antwoord.status_code == 400
        assert naam in {p["name"] for p in antwoord.json()["invalidParams"]}


async def test_evaluation_figures(reporting_harness: ServiceHarness, issuer: DevIssuer) -> None:
    events: list[dict[str, Any]] = []
    # Q1: 30 signals, 20 decisions (12 escalated after 1..12 days, 8 closed after 30 days).
    events += [gebeurtenis(maand="2026-02", melderDomein="toezicht") for _ in range(22)]
    events += [gebeurtenis(maand="2026-02", melderDomein="wijkteam") for _ in range(8)]
    events += [
        gebeurtenis(maand="2026-03", uitkomst="in_behandeling", doorlooptijdDagen=0) for _ in range(20)
    ]
    events += [
        gebeurtenis(maand="2026-03", uitkomst="opgeschaald", doorlooptijdDagen=d) for d in range(1, 13)
    ]
    events += [
        gebeurtenis(maand="2026-03", uitkomst="afgesloten_geen_mensenhandel", doorlooptijdDagen=30)
        for _ in range(8)
    ]
    # Q2: 12 signals and 3 decisions: too few for lead times.
    events += [gebeurtenis(maand="2026-05", melderDomein="toezicht") for _ in range(12)]
    events += [gebeurtenis(maand="2026-05", uitkomst="opgeschaald", doorlooptijdDagen=4) for _ in range(3)]
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        antwoord = await client.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-06"},
            headers=lezer_headers(issuer),
        )
        assert antwoord.status_code == 200, antwoord.text
        body = antwoord.json()
        domeinen = _cellen(body["melderDomeinen"])
        assert domeinen[("2026-K1", "toezicht")]["aantal"] == 22
        assert domeinen[("2026-K1", "wijkteam")]["aantal"] == 8
        assert domeinen[("2026-K2", "toezicht")]["aantal"] == 12
        uitkomsten = _cellen(body["uitkomsten"])
        assert ("2026-K1", "in_behandeling") not in uitkomsten
        assert uitkomsten[("2026-K1", "opgeschaald")]["aantal"] == 12
        aandelen = {(a["periode"], a["uitkomst"]): a["aandeel"] for a in body["aandelen"]}
        assert aandelen[("2026-K1", "opgeschaald")] == pytest.approx(0.6)
        assert aandelen[("2026-K1", "afgesloten_geen_mensenhandel")] == pytest.approx(0.4)
        assert aandelen[("2026-K2", "opgeschaald")] is None  # 3 decisions: suppressed
        tijden = {t["periode"]: t for t in body["doorlooptijden"]}
        # 20 final decisions: 1..12 and eight times 30; median rank 10 -> 10, p90 rank 18 -> 30.
        assert (tijden["2026-K1"]["mediaanDagen"], tijden["2026-K1"]["p90Dagen"]) == (10, 30)
        assert tijden["2026-K2"] == {
            "periode": "2026-K2",
            "mediaanDagen": None,
            "p90Dagen": None,
            "onderdrukt": True,
        }
        vergelijking = body["vergelijking"]
        assert (vergelijking["huidigePeriode"], vergelijking["vorigePeriode"]) == ("2026-K2", "2026-K1")
        signalen = next(r for r in vergelijking["indicatoren"] if r["indicator"] == "signalen")
        assert (signalen["huidig"], signalen["vorig"], signalen["verschil"]) == (12, 30, -18)
        vormen = _cellen(body["vormenPerGemeente"])
        assert vormen[("2026-K1", "GM1509", "arbeid")]["aantal"] == 30
        assert {c["periode"] for c in body["gemeenten"]["cellen"]} == {"2026-K1", "2026-K2"}


# --- property: a suppressed cell can never be recovered from a response ----------------------------------

GEMEENTEN = ["GM1509", "GM0222", "GM0197"]
VORMEN = ["arbeid", "seksueel", "crimineel"]


@st.composite
def gebeurtenissets(draw: st.DrawFn) -> tuple[list[dict[str, Any]], list[str], str]:
    dims = draw(
        st.sampled_from(
            [
                ["gemeente"],
                ["gemeente", "uitbuitingsvorm"],
                ["uitbuitingsvorm", "geslacht"],
                ["gemeente", "geslacht"],
            ]
        )
    )
    periode = draw(st.sampled_from(["maand", "kwartaal"]))
    groepen = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["2026-01", "2026-02", "2026-04"]),
                st.sampled_from(GEMEENTEN),
                st.lists(st.sampled_from(VORMEN), min_size=1, max_size=2, unique=True),
                st.sampled_from(["man", "vrouw"]),
                st.one_of(st.integers(1, K - 1), st.integers(K, 2 * K)),
            ),
            min_size=1,
            max_size=6,
        )
    )
    events = [
        gebeurtenis(maand=maand, gemeenteCode=gemeente, uitbuitingsvormen=vormen, geslacht=geslacht)
        for maand, gemeente, vormen, geslacht, aantal in groepen
        for _ in range(aantal)
    ]
    return events, dims, periode


def _verwacht(events: list[dict[str, Any]], dims: list[str], periode: str) -> Counter[tuple[str, ...]]:
    teller: Counter[tuple[str, ...]] = Counter()
    for e in events:
        p = e["maand"] if periode == "maand" else kwartaal_van(e["maand"])
        for vorm in e["uitbuitingsvormen"]:
            waarden = {"gemeente": e["gemeenteCode"], "uitbuitingsvorm": vorm, "geslacht": e["geslacht"]}
            teller[(p, *(waarden[d] for d in dims))] += (
                1 if "uitbuitingsvorm" in dims or vorm == e["uitbuitingsvormen"][0] else 0
            )
    return +teller


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(gebeurtenissets())
def test_no_suppressed_cell_can_be_recovered_from_a_response(
    reporting_harness: ServiceHarness, issuer: DevIssuer, invoer: tuple[list[dict[str, Any]], list[str], str]
) -> None:
    events, dims, periode = invoer

    async def vraag() -> dict[str, Any]:
        async with reporting_harness.client(drempel=K, minimale_populatie=0) as client:
            await invoeren(client, issuer, events)
            antwoord = await client.get(
                "/v1/statistieken/signalen",
                params={
                    "groeperenOp": ",".join(dims),
                    "periode": periode,
                    "van": "2026-01",
                    "tot": "2026-06",
                },
                headers=lezer_headers(issuer),
            )
            assert antwoord.status_code == 200, antwoord.text
            body: dict[str, Any] = antwoord.json()
            return body

    body = asyncio.run(vraag())
    waar = _verwacht(events, dims, periode)
    tabel = BeschermdeTabel(
        dimensies=tuple(dims),
        drempel=K,
        cellen=tuple(
            Cel(sleutel, c["aantal"], c["onderdrukt"], c["reden"])
            for sleutel, c in sorted(_cellen(body).items())
        ),
        totalen=tuple(
            Totaal(t["periode"], t["dimensie"], t["waarde"], t["aantal"], t["onderdrukt"])
            for t in body["totalen"]
        ),
    )
    assert {c.sleutel for c in tabel.cellen} == set(waar)
    for cel in tabel.cellen:
        assert cel.aantal in (None, waar[cel.sleutel])
        assert cel.onderdrukt or not 1 <= waar[cel.sleutel] < K
    assert herleidbaar(waar, tabel) == []
