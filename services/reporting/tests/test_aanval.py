"""The audit: an attacker with every published figure tries to work out the withheld counts.

At least 1,500 events over the twelve months of 2026 and all eight municipalities go in through the real ingest
endpoint; the daily publication then publishes the closed periods. The attacker asks for everything over HTTP:
every grouping of up to three dimensions at every grain (month, quarter, year) with their margins, the evaluation
tables, CSV and the dashboard's data. Then it tries exact subtraction along every margin and every nested period,
and a linear and integer program over each cube (`MELDROUTE_AANVAL_VOLLEDIG=1`: every cube of three dimensions
and every withheld cell; by default a fixed selection within a minute).
"""

from __future__ import annotations

import csv
import io
import os
import random
import statistics
import time
from itertools import combinations
from typing import Any

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.statistieken.celsleutel import MAX_VERSTORING
from reporting.statistieken.publicatie import (
    DIMENSIES,
    MAX_DIMENSIES,
    Groepering,
    alle_groeperingen,
    tabel_van,
)

from .aanvaller import (
    GEMEENTEN,
    Gepubliceerd,
    Uitkomst,
    aftrekken,
    genereer,
    programma,
    programma_terugkoppelingen,
    waarheid,
)
from .conftest import invoeren, lezer_headers, publiceer
from .test_statistieken import beschermd

K = 10
MAANDEN = [f"2026-{m:02d}" for m in range(1, 13)]
VOLLEDIG = os.environ.get("MELDROUTE_AANVAL_VOLLEDIG") == "1"
#: The cubes the default run solves: the issue's own examples, one per form and one of decisions, and more. The
#: outcome tables are solved together, in a program of their own.
KUBUSSEN: list[Groepering] = [
    *(tabel_van(dims) for dims in [
        ("gemeente", "leeftijdsklasse", "geslacht"),
        ("gemeente", "geslacht", "nationaliteitsgroep"),
        ("gemeente", "melderDomein", "uitkomst"),
        ("gemeente", "uitbuitingsvorm"),
    ]),
]  # fmt: skip
#: The final outcomes of a triage, whose published counts the evaluation's shares are over.
EINDUITKOMSTEN = ("opgeschaald", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein")


async def _verzamel(client: Any, issuer: DevIssuer) -> tuple[Gepubliceerd, list[dict[str, Any]]]:
    """Everything published for 2026, as an attacker with a token (and the open dashboard) gets it."""
    gezien = Gepubliceerd()
    headers = lezer_headers(issuer)
    bereik = {"van": "2026-01", "tot": "2026-12"}
    evaluaties = []
    for periode in ("maand", "kwartaal", "jaar"):
        for n in range(MAX_DIMENSIES + 1):
            for dims in combinations(DIMENSIES, n):
                antwoord = await client.get(
                    "/v1/statistieken/signalen",
                    params={"groeperenOp": ",".join(dims), "periode": periode, **bereik},
                    headers=headers,
                )
                assert antwoord.status_code == 200, antwoord.text
                body = antwoord.json()
                tabel = tabel_van(dims)
                gezien.tabel(body, telling=tabel.telling, per_vorm=tabel.per_vorm)
        evaluatie = await client.get(
            "/v1/statistieken/evaluatie", params={"periode": periode, **bereik}, headers=headers
        )
        dashboard = await client.get("/dashboard/gegevens", params={"periode": periode, **bereik})
        assert evaluatie.status_code == dashboard.status_code == 200
        assert evaluatie.json() == dashboard.json()
        body = evaluatie.json()
        evaluaties.append(body)
        for naam, telling, per_vorm in (
            ("melderDomeinen", "signalen", False), ("gemeenten", "signalen", False),
            ("vormenOverTijd", "signalen", True), ("uitkomsten", "beoordelingen", False),
            ("vormenPerGemeente", "signalen", True), ("sectorenPerGemeente", "signalen", False),
            ("terugkoppelingen", "terugkoppelingen", False),
            ("eersteTerugkoppelingen", "eerste_terugkoppelingen", False),
            ("verstrekenTermijnen", "verstreken_termijnen", False),
        ):  # fmt: skip
            gezien.tabel(body[naam], telling=telling, per_vorm=per_vorm)
        # The CSV of a three-way table says the same as its JSON.
        als_csv = await client.get(
            "/v1/statistieken/signalen",
            params={"groeperenOp": "gemeente,leeftijdsklasse,geslacht", "periode": periode, **bereik},
            headers={**headers, "Accept": "text/csv"},
        )
        regels = als_csv.text.split("\r\n")[:-2]
        for rij in list(csv.DictReader(io.StringIO("\r\n".join(regels)))):
            waarden = tuple(
                sorted((d, rij[d]) for d in ("gemeente", "geslacht", "leeftijdsklasse") if rij[d] != "totaal")
            )
            gezien.zie(
                ("signalen", False, rij["periode"], waarden), int(rij["aantal"]) if rij["aantal"] else None
            )
    return gezien, evaluaties


def _afgeleid_uit_gepubliceerd(evaluatie: dict[str, Any], gezien: Gepubliceerd) -> None:
    """The evaluation's derived figures come from published counts only, and reveal nothing they do not.

    A share of a final outcome is its published count over the sum of the three published final outcomes; a share
    of an outcome code is a published count of outcomes over a published count of escalations; a lead time to a
    first outcome is shown exactly when the published count of first outcomes is at least k + D.
    """

    def cijfer(telling: str, periode: str, *waarden: tuple[str, str]) -> int | None:
        return gezien.cijfers.get((telling, False, periode, tuple(sorted(waarden))), 0)

    for aandeel in evaluatie["aandelen"]:
        if aandeel["aandeel"] is None:
            continue
        periode = aandeel["periode"]
        teller = cijfer("beoordelingen", periode, ("uitkomst", aandeel["uitkomst"]))
        noemer = sum(cijfer("beoordelingen", periode, ("uitkomst", u)) or 0 for u in EINDUITKOMSTEN)
        assert aandeel["aandeel"] == round((teller or 0) / noemer, 4)
    for aandeel in evaluatie["terugkoppelingAandelen"]:
        periode, gemeente, code = aandeel["periode"], aandeel["gemeente"], aandeel["terugkoppeling"]
        plaats = (("gemeente", gemeente),) if gemeente else ()
        if code is None:
            teller = cijfer("eerste_terugkoppelingen", periode, *plaats)
        else:
            teller = cijfer("terugkoppelingen", periode, *plaats, ("terugkoppeling", code))
        noemer = cijfer("beoordelingen", periode, *plaats, ("uitkomst", "opgeschaald"))
        if gemeente:
            # A municipality's escalations come from a table of two dimensions: only a shown count is listed.
            noemer = gezien.cijfers.get(
                ("beoordelingen", False, periode, (*plaats, ("uitkomst", "opgeschaald")))
            )
        verwacht = None if teller is None or not noemer else round(teller / noemer, 4)
        assert aandeel["aandeel"] == verwacht, aandeel
    for tijd in evaluatie["doorlooptijdenTerugkoppeling"]:
        plaats = (("gemeente", tijd["gemeente"]),) if tijd["gemeente"] else ()
        eersten = cijfer("eerste_terugkoppelingen", tijd["periode"], *plaats)
        assert tijd["onderdrukt"] is not (eersten is not None and eersten >= K + MAX_VERSTORING), tijd


def _samenvatting(naam: str, uitkomst: Uitkomst) -> str:
    if not uitkomst.aangevallen:
        return f"{naam}: niets aangevallen"
    return (
        f"{naam}: {uitkomst.aangevallen} aangevallen, {len(uitkomst.exact)} exact, mediane breedte "
        f"{statistics.median(uitkomst.breedtes)}, minimale breedte {min(uitkomst.breedtes)}, "
        f"gemiddelde schattingsfout {statistics.mean(uitkomst.schattingsfouten):.2f}, "
        f"binnen ±0: {sum(f == 0 for f in uitkomst.schattingsfouten) / uitkomst.aangevallen:.2f}"
    )


async def test_no_withheld_count_can_be_worked_out_from_everything_published(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = genereer(signalen=1600, maanden=MAANDEN)
    assert sum(e["type"] == "signaal_ontvangen" for e in events) >= 1500
    assert {e["gemeenteCode"] for e in events} == set(GEMEENTEN)
    async with reporting_harness.client(
        drempel=K, minimale_populatie=30, dashboard_open=True, rate_limit="100000/minute"
    ) as client:
        t0 = time.perf_counter()
        await invoeren(client, issuer, events)
        gepubliceerd = await publiceer(reporting_harness, drempel=K)
        t1 = time.perf_counter()
        assert {"2026-01", "2026-12", "2026-K1", "2026-K4", "2026"} <= set(gepubliceerd)
        gezien, evaluaties = await _verzamel(client, issuer)
        print(f"publiceren {t1 - t0:.1f} s, verzamelen {time.perf_counter() - t1:.1f} s")

    # Every figure is one number, whichever table, grain, format or endpoint shows it.
    assert gezien.tegenstrijdig == []
    for evaluatie in evaluaties:
        _afgeleid_uit_gepubliceerd(evaluatie, gezien)
    waar = waarheid(events, gezien.cijfers)
    verborgen = [s for s, a in gezien.cijfers.items() if a is None]
    assert len(verborgen) > 1000
    for sleutel, aantal in gezien.cijfers.items():
        n = waar.get(sleutel, 0)
        assert beschermd(aantal, n, K), (sleutel, aantal, n)
        # Small counts are listed (as suppressed) only in tables of one dimension; elsewhere they are not listed.
        assert aantal is not None or len(sleutel[3]) <= 1, sleutel

    rng = random.Random(1)
    # The tables published (sorted dimension tuples) by what they count: a two-way table counted per form is not
    # a sum of the cells of a cube counted per signal.
    tabellen_per: dict[tuple[str, bool], set[tuple[str, ...]]] = {}
    for g in alle_groeperingen():
        tabellen_per.setdefault((g.telling, g.per_vorm), set()).add(tuple(sorted(g.dimensies)))
    resultaten = [aftrekken(gezien, K, waar)]
    print(_samenvatting("aftrekken", resultaten[0]))
    kubussen = [tabel_van(c) for n in (1, 2, 3) for c in combinations(DIMENSIES, n)] if VOLLEDIG else KUBUSSEN
    for tabel in kubussen:
        t2 = time.perf_counter()
        dims = tabel.dimensies
        tabellen = tabellen_per[(tabel.telling, tabel.per_vorm)]
        uitkomst = programma(
            gezien, telling=tabel.telling, per_vorm=tabel.per_vorm, dims=tabel.dimensies, drempel=K, waar=waar,
            doelen=None if VOLLEDIG else 10, rng=rng, tabellen=tabellen,
        )  # fmt: skip
        print(
            _samenvatting(f"{tabel.telling}: {','.join(dims)}", uitkomst), f"{time.perf_counter() - t2:.1f} s"
        )
        resultaten.append(uitkomst)
    t2 = time.perf_counter()
    uitkomst = programma_terugkoppelingen(
        gezien, drempel=K, waar=waar, doelen=None if VOLLEDIG else 20, rng=rng, tabellen_per=tabellen_per
    )
    print(
        _samenvatting("terugkoppelingen en eerste terugkoppelingen", uitkomst),
        f"{time.perf_counter() - t2:.1f} s",
    )
    assert uitkomst.aangevallen >= 10
    resultaten.append(uitkomst)
    # No withheld count is ever pinned to one value; none even to fewer than five (the truth +-2).
    assert all(r.exact == [] for r in resultaten), [r.exact for r in resultaten]
    assert all(min(r.breedtes) >= 4 for r in resultaten), [r.smal for r in resultaten]
    # The attacker's best guess (the middle of what is feasible) is off by as much as guessing within +-2.
    fouten = [f for r in resultaten for f in r.schattingsfouten]
    assert statistics.mean(fouten) >= 1.2, statistics.mean(fouten)
    # A guess uniform over the truth +-2 is right one time in five; allow for sampling.
    assert sum(f == 0 for f in fouten) / len(fouten) <= 0.3
