"""The intervisie: a municipality's published figures next to the region's, read only from the stored cells."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import httpx
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from reporting.statistieken.service import INTERVISIE_DIMENSIES

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer

K = 5
GEMEENTEN = ("GM1509", "GM0222", "GM0197")
BEREIK = {"periode": "kwartaal", "van": "2026-01", "tot": "2026-06"}
#: Publish as of late July 2026: the first two quarters and their months are closed (fewer periods, a fast test).
NA_JUNI = datetime(2026, 7, 20, tzinfo=UTC)


def af_headers(issuer: DevIssuer, gemeente: str = "GM1509") -> dict[str, str]:
    """An attention officer's token for reporting: bound to their municipality by the `gemeente` claim."""
    token = issuer.mint(
        rol="aandachtsfunctionaris", gemeente=gemeente, audience="reporting", sub=f"af-{gemeente}"
    )
    return {"Authorization": f"Bearer {token}"}


def _gebeurtenissen() -> list[dict[str, Any]]:
    """Two quarters in three municipalities: large and small cells, GM1509's sexual exploitation small."""
    kans = random.Random(1509)
    events = (
        [gebeurtenis(maand="2026-01", gemeenteCode="GM1509", uitbuitingsvormen=["arbeid"], sector="agrarisch")
         for _ in range(14)]
        + [gebeurtenis(maand="2026-02", gemeenteCode="GM1509", uitbuitingsvormen=["seksueel"]) for _ in range(2)]
        + [gebeurtenis(maand="2026-03", gemeenteCode="GM0222", uitbuitingsvormen=["seksueel"]) for _ in range(21)]
        + [gebeurtenis(maand="2026-03", gemeenteCode="GM0197", uitbuitingsvormen=["arbeid"]) for _ in range(3)]
        + [gebeurtenis(maand="2026-04", gemeenteCode=kans.choice(GEMEENTEN),
                       uitbuitingsvormen=kans.sample(["arbeid", "seksueel", "crimineel"], k=kans.randint(1, 2)))
           for _ in range(60)]
        + [gebeurtenis(maand="2026-02", gemeenteCode="GM1509", uitkomst="opgeschaald") for _ in range(11)]
        + [gebeurtenis(maand="2026-05", gemeenteCode=kans.choice(GEMEENTEN), uitkomst="afgesloten_geen_mensenhandel")
           for _ in range(15)]
    )  # fmt: skip
    return events


async def _gevuld(client: httpx.AsyncClient, harness: ServiceHarness, issuer: DevIssuer) -> None:
    await invoeren(client, issuer, _gebeurtenissen())
    await publiceer(harness, drempel=K, nu=NA_JUNI)


def _cijfers(body: dict[str, Any]) -> dict[tuple[str, str | None, str | None], dict[str, Any]]:
    return {(c["periode"], c["dimensie"], c["waarde"]): c for c in body["cijfers"]}


async def _statistiek(client: httpx.AsyncClient, headers: dict[str, str], dims: str) -> dict[str, Any]:
    antwoord = await client.get(
        "/v1/statistieken/signalen", params={**BEREIK, "groeperenOp": dims}, headers=headers
    )
    assert antwoord.status_code == 200, antwoord.text
    body: dict[str, Any] = antwoord.json()
    return body


async def _verwacht(
    client: httpx.AsyncClient, headers: dict[str, str], gemeente: str
) -> dict[tuple[str, str | None, str | None], tuple[int | None, int | None]]:
    """What `/v1/statistieken/signalen` publishes for the same cells: (own, region) per figure.

    A cell a table by two dimensions does not list is withheld there (0 included); one a one-way table does
    not list is 0.
    """
    uit: dict[tuple[str, str | None, str | None], tuple[int | None, int | None]] = {}
    per_gemeente = await _statistiek(client, headers, "gemeente")
    eigen = {
        c["periode"]: c["aantal"] for c in per_gemeente["cellen"] if c["waarden"]["gemeente"] == gemeente
    }
    for totaal in per_gemeente["totalen"]:
        if totaal["dimensie"] is None:
            uit[(totaal["periode"], None, None)] = (eigen.get(totaal["periode"], 0), totaal["aantal"])
    for dimensie in INTERVISIE_DIMENSIES:
        regio = await _statistiek(client, headers, dimensie)
        paar = await _statistiek(client, headers, f"gemeente,{dimensie}")
        getoond = {
            (c["periode"], c["waarden"][dimensie]): c["aantal"]
            for c in paar["cellen"]
            if c["waarden"]["gemeente"] == gemeente
        }
        # The margin of the two-way table is the same stored cell as the one-way table's.
        randen = {
            (t["periode"], t["waarde"]): t["aantal"] for t in paar["totalen"] if t["dimensie"] == dimensie
        }
        for cel in regio["cellen"]:
            sleutel = (cel["periode"], cel["waarden"][dimensie])
            assert randen[sleutel] == cel["aantal"]
            uit[(sleutel[0], dimensie, sleutel[1])] = (getoond.get(sleutel), cel["aantal"])
    return uit


async def _attention_officer_sees_own_municipality_next_to_the_region(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    antwoord = await client.get("/v1/statistieken/intervisie", params=BEREIK, headers=af_headers(issuer))
    assert antwoord.status_code == 200, antwoord.text
    body = antwoord.json()
    assert body["gemeenteCode"] == "GM1509" and body["gepubliceerdePerioden"] == ["2026-K1", "2026-K2"]
    assert not body["volledigOnderdrukt"]
    cijfers = _cijfers(body)
    # The same cells as the statistics, number for number; nothing more, nothing less.
    verwacht = await _verwacht(client, lezer_headers(issuer), "GM1509")
    assert {s: (c["gemeente"]["aantal"], c["regio"]["aantal"]) for s, c in cijfers.items()} == verwacht
    for cijfer in cijfers.values():
        for kant in ("gemeente", "regio"):
            assert cijfer[kant]["onderdrukt"] is (cijfer[kant]["aantal"] is None)
    arbeid = cijfers[("2026-K1", "uitbuitingsvorm", "arbeid")]
    assert abs(arbeid["gemeente"]["aantal"] - 14) <= 4 and arbeid["geteld"] == "signalen"
    # Two signals of sexual exploitation in GM1509: withheld, next to the region's shown figure.
    seksueel = cijfers[("2026-K1", "uitbuitingsvorm", "seksueel")]
    assert seksueel["gemeente"] == {"aantal": None, "onderdrukt": True}
    assert seksueel["regio"]["aantal"] is not None and abs(seksueel["regio"]["aantal"] - 23) <= 4
    assert cijfers[("2026-K1", "uitkomst", "opgeschaald")]["geteld"] == "beoordelingen"
    # Asking for the own municipality is the same answer.
    zelf = await client.get(
        "/v1/statistieken/intervisie", params={**BEREIK, "gemeente": "GM1509"}, headers=af_headers(issuer)
    )
    assert zelf.json() == body


async def _attention_officer_cannot_ask_for_another_municipality(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    for gemeente in ("GM0222", "GM9999"):
        antwoord = await client.get(
            "/v1/statistieken/intervisie",
            params={**BEREIK, "gemeente": gemeente},
            headers=af_headers(issuer),
        )
        assert antwoord.status_code == 403, antwoord.text
        assert antwoord.headers["content-type"].startswith("application/problem+json")
        assert "cijfers" not in antwoord.json()
    # Another municipality's officer gets theirs, not GM1509's.
    ander = await client.get(
        "/v1/statistieken/intervisie", params=BEREIK, headers=af_headers(issuer, "GM0222")
    )
    assert ander.status_code == 200 and ander.json()["gemeenteCode"] == "GM0222"
    assert _cijfers(ander.json())[("2026-K1", None, None)]["gemeente"]["aantal"] == binnen_verstoring(21)
    # A melder's token (no statistics scope) is refused.
    melder = issuer.mint(rol="melder", audience="reporting")
    geweigerd = await client.get("/v1/statistieken/intervisie", headers={"Authorization": f"Bearer {melder}"})
    assert geweigerd.status_code == 403


def binnen_verstoring(waar: int) -> Any:
    """Equal to any figure the cell-key method may publish for a shown count `waar` (within 4)."""

    class Binnen:
        def __eq__(self, ander: object) -> bool:
            return isinstance(ander, int) and abs(ander - waar) <= 4

    return Binnen()


async def _policy_officer_chooses_a_municipality_or_the_region_alone(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    headers = lezer_headers(issuer)
    for gemeente in GEMEENTEN:
        antwoord = await client.get(
            "/v1/statistieken/intervisie", params={**BEREIK, "gemeente": gemeente}, headers=headers
        )
        assert antwoord.status_code == 200, antwoord.text
        verwacht = await _verwacht(client, headers, gemeente)
        gekregen = {
            s: (c["gemeente"]["aantal"], c["regio"]["aantal"]) for s, c in _cijfers(antwoord.json()).items()
        }
        assert gekregen == verwacht, gemeente
    regio = await client.get("/v1/statistieken/intervisie", params=BEREIK, headers=headers)
    assert regio.json()["gemeenteCode"] is None
    assert all(c["gemeente"] is None for c in regio.json()["cijfers"])
    # A code no event has: 0 for all signals (the one-way table lists every non-zero municipality), withheld
    # for the cells of the tables by two dimensions, as those tables show it.
    onbekend = await client.get(
        "/v1/statistieken/intervisie", params={**BEREIK, "gemeente": "GM9999"}, headers=headers
    )
    cijfers = _cijfers(onbekend.json())
    assert cijfers[("2026-K1", None, None)]["gemeente"] == {"aantal": 0, "onderdrukt": False}
    assert cijfers[("2026-K1", "uitbuitingsvorm", "arbeid")]["gemeente"]["onderdrukt"]


async def _every_schema_valid_range_is_an_answer(client: httpx.AsyncClient, issuer: DevIssuer) -> None:
    headers = af_headers(issuer)
    for params in (
        {"van": "2030-08", "gemeente": "GM1509"},  # the future: nothing published yet
        {"van": "2026-06", "tot": "2026-01"},  # van after tot: an empty range
        {"van": "2000-01", "tot": "2099-12", "periode": "maand"},  # longer than 120 months: the last ones
        {"tot": "2000-01"},
    ):
        antwoord = await client.get("/v1/statistieken/intervisie", params=params, headers=headers)
        assert antwoord.status_code == 200, (params, antwoord.text)
        assert antwoord.json()["cijfers"] == [] and antwoord.json()["gepubliceerdePerioden"] == []
    lang = await client.get(
        "/v1/statistieken/intervisie",
        params={"van": "2000-01", "tot": "2035-12", "periode": "kwartaal"},
        headers=headers,
    )
    assert lang.json()["van"] == "2026-01" and lang.json()["gepubliceerdePerioden"] == ["2026-K1", "2026-K2"]


async def test_minimum_population_withholds_everything(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(drempel=K, minimale_populatie=1000) as client:
        await invoeren(
            client, issuer, [gebeurtenis(maand="2026-01", gemeenteCode="GM1509") for _ in range(20)]
        )
        await publiceer(reporting_harness, drempel=K, nu=datetime(2026, 2, 20, tzinfo=UTC))  # January only
        antwoord = await client.get(
            "/v1/statistieken/intervisie",
            params={"periode": "maand", "van": "2026-01", "tot": "2026-01"},
            headers=af_headers(issuer),
        )
        assert antwoord.status_code == 200
        assert antwoord.json()["gepubliceerdePerioden"] == ["2026-01"]
        assert antwoord.json()["volledigOnderdrukt"] and antwoord.json()["cijfers"] == []


async def _attacker_learns_nothing_new_from_combining_intervisie_with_the_statistics(
    client: httpx.AsyncClient, issuer: DevIssuer
) -> None:
    """Every number intervisie gives is a number the statistics already give for the same cell: per period, per
    municipality, per dimension value; no withheld cell of the statistics has a number here, and no figure is a
    difference or a sum (a municipality's withheld count next to a shown region count and the other
    municipalities' shown counts still leaves the region's cell the stored one, not the sum)."""
    headers = lezer_headers(issuer)
    for periode in ("maand", "kwartaal"):
        bereik = {"periode": periode, "van": "2026-01", "tot": "2026-06"}
        bekend: dict[tuple[str, ...], int | None] = {}
        for dims in ("gemeente", *INTERVISIE_DIMENSIES, *(f"gemeente,{d}" for d in INTERVISIE_DIMENSIES)):
            body = (
                await client.get(
                    "/v1/statistieken/signalen", params={**bereik, "groeperenOp": dims}, headers=headers
                )
            ).json()
            for cel in body["cellen"]:
                bekend[(dims, cel["periode"], *cel["waarden"].values())] = cel["aantal"]
            for t in body["totalen"]:
                if t["dimensie"] is None and dims == "gemeente":  # the grand total of signals
                    bekend[("", t["periode"])] = t["aantal"]
        for gemeente in GEMEENTEN:
            antwoord = await client.get(
                "/v1/statistieken/intervisie", params={**bereik, "gemeente": gemeente}, headers=headers
            )
            for c in antwoord.json()["cijfers"]:
                if c["dimensie"] is None:
                    eigen, regio = ("gemeente", c["periode"], gemeente), ("", c["periode"])
                    assert c["gemeente"]["aantal"] == bekend.get(eigen, 0)
                    assert c["regio"]["aantal"] == bekend.get(regio, 0)  # a period without signals: 0
                    continue
                else:
                    eigen = (f"gemeente,{c['dimensie']}", c["periode"], gemeente, c["waarde"])
                    regio = (c["dimensie"], c["periode"], c["waarde"])
                    # Shown here only when the two-way table shows it, and then the same number.
                    assert c["gemeente"]["aantal"] == bekend.get(eigen)
                assert c["regio"]["aantal"] == bekend[regio]


async def test_intervisie_over_one_publication(reporting_harness: ServiceHarness, issuer: DevIssuer) -> None:
    """One publication (it is the slow part), every guarantee of the intervisie checked over it."""
    async with reporting_harness.client(drempel=K, minimale_populatie=0) as client:
        await _gevuld(client, reporting_harness, issuer)
        await _attention_officer_sees_own_municipality_next_to_the_region(client, issuer)
        await _attention_officer_cannot_ask_for_another_municipality(client, issuer)
        await _policy_officer_chooses_a_municipality_or_the_region_alone(client, issuer)
        await _every_schema_valid_range_is_an_answer(client, issuer)
        await _attacker_learns_nothing_new_from_combining_intervisie_with_the_statistics(client, issuer)
