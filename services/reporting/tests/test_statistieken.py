"""Statistics from the stored publication: protected counts, the minimum population, parameters, evaluation."""

from __future__ import annotations

from typing import Any

import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.statistieken.celsleutel import MAX_VERSTORING

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer

K = 5


def beschermd(gepubliceerd: int | None, waar: int, k: int = K) -> bool:
    """Is `gepubliceerd` what the method may publish for a true count `waar`?

    0 exactly; a suppressed count between 1 and k-1+D; a shown one at least k, within D of the truth; a count
    below k never shown as it is; a count of k+D or more always shown.
    """
    if waar == 0:
        return gepubliceerd == 0
    if gepubliceerd is None:
        return 1 <= waar < k + MAX_VERSTORING
    return (
        gepubliceerd >= k
        and abs(gepubliceerd - waar) <= MAX_VERSTORING
        and (waar >= k or gepubliceerd != waar)
    )


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
        + [gebeurtenis(maand="2026-03", gemeenteCode="GM0222", uitbuitingsvormen=["arbeid"]) for _ in range(2)]
        + [gebeurtenis(maand="2026-04", gemeenteCode="GM0222", uitbuitingsvormen=["arbeid"]) for _ in range(9)]
        # A decision and an event outside the range are not counted.
        + [gebeurtenis(maand="2026-01", uitkomst="opgeschaald"), gebeurtenis(maand="2025-12")]
    )  # fmt: skip
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=K)
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
            ("2026-K1", "GM0222", "arbeid"): 2,
            ("2026-K2", "GM0222", "arbeid"): 9,
        }
        # A table of two dimensions lists only what it shows: a small cell is not listed, like a zero.
        assert set(cellen) <= set(waar)
        for sleutel, cel in cellen.items():
            assert beschermd(cel["aantal"], waar[sleutel]), (sleutel, cel)
            assert (cel["onderdrukt"], cel["reden"]) == (False, None)
        for sleutel in set(waar) - set(cellen):
            assert beschermd(None, waar[sleutel]), sleutel
        assert ("2026-K1", "GM0222", "arbeid") not in cellen
        assert ("2026-K1", "GM0222", "seksueel") in cellen
        # Margins are cells in their own right (here: pairs of signal and form), protected the same way.
        totalen = {(t["periode"], t["dimensie"], t["waarde"]): t["aantal"] for t in body["totalen"]}
        waar_totalen = {
            ("2026-K1", None, None): 48, ("2026-K1", "gemeente", "GM1509"): 26,
            ("2026-K1", "gemeente", "GM0222"): 22, ("2026-K1", "uitbuitingsvorm", "arbeid"): 21,
            ("2026-K1", "uitbuitingsvorm", "crimineel"): 7, ("2026-K1", "uitbuitingsvorm", "seksueel"): 20,
            ("2026-K2", None, None): 9, ("2026-K2", "gemeente", "GM0222"): 9,
            ("2026-K2", "uitbuitingsvorm", "arbeid"): 9,
        }  # fmt: skip
        assert set(totalen) == set(waar_totalen)
        for sleutel, aantal in totalen.items():
            assert beschermd(aantal, waar_totalen[sleutel]), (sleutel, aantal)
        # The same cell in another table is the same figure: the form totals are the one-way table of forms.
        vormen = (
            await client.get(
                "/v1/statistieken/signalen",
                params={
                    "groeperenOp": "uitbuitingsvorm",
                    "periode": "kwartaal",
                    "van": "2026-01",
                    "tot": "2026-05",
                },
                headers=lezer_headers(issuer),
            )
        ).json()
        assert {(p, v): c["aantal"] for (p, v), c in _cellen(vormen).items()} == {
            (p, w): a for (p, d, w), a in totalen.items() if d == "uitbuitingsvorm"
        }


async def test_grouping_by_outcome_counts_decisions(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [gebeurtenis(maand="2026-05", uitkomst="opgeschaald") for _ in range(11)] + [
        gebeurtenis(maand="2026-05", uitkomst="afgesloten_geen_mensenhandel") for _ in range(6)
    ]
    async with reporting_harness.client(drempel=K, minimale_populatie=0) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=K)
        body = (
            await client.get(
                "/v1/statistieken/signalen",
                params={"groeperenOp": "uitkomst", "periode": "jaar", "van": "2026-01", "tot": "2026-12"},
                headers=lezer_headers(issuer),
            )
        ).json()
        assert body["geteld"] == "beoordelingen"
        cellen = _cellen(body)
        assert beschermd(cellen[("2026", "opgeschaald")]["aantal"], 11)
        assert beschermd(cellen[("2026", "afgesloten_geen_mensenhandel")]["aantal"], 6)
        [totaal] = body["totalen"]
        assert (totaal["periode"], totaal["dimensie"], totaal["onderdrukt"]) == ("2026", None, False)
        assert beschermd(totaal["aantal"], 17)


async def test_below_the_minimum_population_the_whole_answer_is_suppressed(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    params = {"groeperenOp": "gemeente", "periode": "maand", "van": "2026-01", "tot": "2026-03"}
    # The population is read from the published grand totals: 20 stays below 30 whatever its perturbation,
    # 40 stays above it.
    for aantal, leeg in ((20, True), (40, False)):
        async with reporting_harness.client(drempel=K, minimale_populatie=30) as client:
            await invoeren(client, issuer, [gebeurtenis(maand="2026-02") for _ in range(aantal)])
            await publiceer(reporting_harness, drempel=K)
            body = (
                await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
            ).json()
            assert body["volledigOnderdrukt"] is leeg
            if leeg:
                assert body["cellen"] == [] and body["totalen"] == []
            else:
                assert beschermd(_cellen(body)[("2026-02", "GM1509")]["aantal"], aantal)


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
        ({"van": "1999-12"}, "van"),
        ({"tot": "2100-01"}, "tot"),
    ],
)
async def test_bad_parameters_are_400_naming_the_parameter(
    reporting_harness: ServiceHarness, issuer: DevIssuer, params: dict[str, str], naam: str
) -> None:
    async with reporting_harness.client() as client:
        antwoord = await client.get("/v1/statistieken/signalen", params=params, headers=lezer_headers(issuer))
        assert antwoord.status_code == 400
        assert naam in {p["name"] for p in antwoord.json()["invalidParams"]}


@pytest.mark.parametrize("pad", ["/v1/statistieken/signalen", "/v1/statistieken/evaluatie"])
async def test_any_range_is_200_or_400_never_500(
    reporting_harness: ServiceHarness, issuer: DevIssuer, pad: str
) -> None:
    """`tot=2000-01` without `van` once answered 500: the default `van` fell before the parser's range."""
    grenzen = [
        None,
        "2000-01",
        "2000-02",
        "2001-12",
        "2026-11",
        "2099-11",
        "2099-12",
        "1999-12",
        "2100-01",
        "2026-13",
    ]
    async with reporting_harness.client(drempel=K, minimale_populatie=0) as client:
        for periode in ("maand", "kwartaal", "jaar"):
            for van in grenzen:
                for tot in grenzen:
                    params = {
                        "periode": periode,
                        **({"van": van} if van else {}),
                        **({"tot": tot} if tot else {}),
                    }
                    antwoord = await client.get(pad, params=params, headers=lezer_headers(issuer))
                    assert antwoord.status_code in (200, 400), (params, antwoord.text)
        antwoord = await client.get(pad, params={"tot": "2000-01"}, headers=lezer_headers(issuer))
        assert antwoord.status_code == 200
        assert (antwoord.json()["van"], antwoord.json()["tot"]) == ("2000-01", "2000-03")


async def test_evaluation_figures(reporting_harness: ServiceHarness, issuer: DevIssuer) -> None:
    events: list[dict[str, Any]] = []
    # Q1: 30 signals, 22 decisions (12 escalated after 1..12 days, 10 closed after 30 days). Both outcomes are at
    # least k + D, so the cell keys can never withhold them.
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
        for _ in range(10)
    ]
    # Q2: 12 signals and 2 decisions: too few for lead times.
    events += [gebeurtenis(maand="2026-05", melderDomein="toezicht") for _ in range(12)]
    events += [gebeurtenis(maand="2026-05", uitkomst="opgeschaald", doorlooptijdDagen=4) for _ in range(2)]
    async with reporting_harness.client(drempel=K, minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=K)
        antwoord = await client.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-06"},
            headers=lezer_headers(issuer),
        )
        assert antwoord.status_code == 200, antwoord.text
        body = antwoord.json()
        domeinen = _cellen(body["melderDomeinen"])
        assert beschermd(domeinen[("2026-K1", "toezicht")]["aantal"], 22)
        assert beschermd(domeinen[("2026-K1", "wijkteam")]["aantal"], 8)
        assert beschermd(domeinen[("2026-K2", "toezicht")]["aantal"], 12)
        uitkomsten = _cellen(body["uitkomsten"])
        assert ("2026-K1", "in_behandeling") not in uitkomsten
        assert body["uitkomsten"]["totalen"] == []
        opgeschaald = uitkomsten[("2026-K1", "opgeschaald")]["aantal"]
        afgesloten = uitkomsten[("2026-K1", "afgesloten_geen_mensenhandel")]["aantal"]
        assert beschermd(opgeschaald, 12) and beschermd(afgesloten, 10)
        assert opgeschaald is not None and afgesloten is not None
        aandelen = {(a["periode"], a["uitkomst"]): a["aandeel"] for a in body["aandelen"]}
        # Shares only from published counts: each over the sum of the published final outcomes.
        assert aandelen[("2026-K1", "opgeschaald")] == pytest.approx(
            opgeschaald / (opgeschaald + afgesloten), abs=1e-4
        )
        assert aandelen[("2026-K1", "afgesloten_geen_mensenhandel")] == pytest.approx(
            afgesloten / (opgeschaald + afgesloten), abs=1e-4
        )
        assert aandelen[("2026-K1", "doorverwezen_ander_domein")] == 0
        assert aandelen[("2026-K2", "opgeschaald")] is None  # 2 decisions: suppressed
        tijden = {t["periode"]: t for t in body["doorlooptijden"]}
        # 22 final decisions: 1..12 and ten times 30; median rank 11 -> 11, p90 rank 20 -> 30.
        assert (tijden["2026-K1"]["mediaanDagen"], tijden["2026-K1"]["p90Dagen"]) == (11, 30)
        assert tijden["2026-K2"] == {
            "periode": "2026-K2",
            "mediaanDagen": None,
            "p90Dagen": None,
            "onderdrukt": True,
        }
        vergelijking = body["vergelijking"]
        assert (vergelijking["huidigePeriode"], vergelijking["vorigePeriode"]) == ("2026-K2", "2026-K1")
        signalen = next(r for r in vergelijking["indicatoren"] if r["indicator"] == "signalen")
        assert beschermd(signalen["huidig"], 12) and beschermd(signalen["vorig"], 30)
        assert signalen["verschil"] == signalen["huidig"] - signalen["vorig"]
        vormen = _cellen(body["vormenPerGemeente"])
        assert beschermd(vormen[("2026-K1", "GM1509", "arbeid")]["aantal"], 30)
        assert {c["periode"] for c in body["gemeenten"]["cellen"]} == {"2026-K1", "2026-K2"}
