"""The queue's filters: each alone and together, `ik` and `toegewezen`, 400 for an unknown code, a malformed date
and a reversed period, paging under a filter (each match once, in order), and the indexes behind the new ones."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from intake_api.models import Signaal, SignaalIndicator
from meldroute_dev import testing
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

from .conftest import ANDERE_GEMEENTE, GEMEENTE

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


async def _ids(client: httpx.AsyncClient, kop: Kop, params: Any, **claims: Any) -> list[str]:
    antwoord = await client.get("/v1/signalen", params=params, headers=kop(**claims))
    assert antwoord.status_code == 200, (params, antwoord.text)
    return [s["id"] for s in antwoord.json()["signalen"]]


async def _fout(client: httpx.AsyncClient, kop: Kop, params: Any) -> list[str]:
    antwoord = await client.get("/v1/signalen", params=params, headers=kop())
    assert antwoord.status_code == 400, (params, antwoord.text)
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    # A repeated parameter may be named with its position (`indicator[0]`).
    return [p["name"].split("[")[0] for p in antwoord.json()["invalidParams"]]


async def test_each_filter_alone_and_together(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    vandaag = date.today()
    a = await aanmaken(
        indicatoren=["woont-op-werkplek", "onderbetaling"], sector="agrarisch", locatietype="boerenerf",
        melderDomein="toezicht", waargenomenOp=(vandaag - timedelta(days=30)).isoformat(),
    )  # fmt: skip
    b = await aanmaken(
        indicatoren=["excessieve-werkuren"], sector="horeca", locatietype="restaurant",
        melderDomein="wijkteam", waargenomenOp=(vandaag - timedelta(days=20)).isoformat(),
    )  # fmt: skip
    c = await aanmaken(
        indicatoren=["onderbetaling", "excessieve-werkuren"], sector="horeca", locatietype="woning",
        melderDomein="toezicht", waargenomenOp=(vandaag - timedelta(days=10)).isoformat(),
    )  # fmt: skip
    d = await aanmaken(
        indicatoren=[], sector="bouw", locatietype="woning", melderDomein="jeugd",
        waargenomenOp=(vandaag - timedelta(days=10)).isoformat(),
    )  # fmt: skip
    # Another municipality's signal matches every filter below and is never listed.
    elders = await aanmaken(
        gemeenteCode=ANDERE_GEMEENTE, indicatoren=["onderbetaling"], sector="horeca", locatietype="woning",
        melderDomein="toezicht", waargenomenOp=(vandaag - timedelta(days=10)).isoformat(),
    )  # fmt: skip
    await beoordeel(c["id"], 1, "in_behandeling")
    # c becomes version 3 (decision, then assignment), a version 2, b and d stay unassigned.
    for signaal, sub in ((a, "af-1"), (c, "af-2")):
        antwoord = await client.put(
            f"/v1/signalen/{signaal['id']}/toewijzing", json={"toegewezenAan": sub}, headers=kop()
        )
        assert antwoord.status_code == 200, antwoord.text
    await client.put(
        f"/v1/signalen/{elders['id']}/toewijzing", json={"toegewezenAan": "af-1"},
        headers=kop(gemeente=ANDERE_GEMEENTE, sub="af-1"),
    )  # fmt: skip

    async def ids(params: Any, **claims: Any) -> list[str]:
        return await _ids(client, kop, params, **claims)

    alle = [d["id"], c["id"], b["id"], a["id"]]  # newest first
    assert await ids({}) == alle

    def van(*signalen: dict[str, Any]) -> list[str]:
        """The given signals in queue order."""
        gekozen = {s["id"] for s in signalen}
        return [i for i in alle if i in gekozen]

    gevallen: list[tuple[Any, list[str]]] = [
        ({"indicator": "onderbetaling"}, van(a, c)),
        ({"indicator": "excessieve-werkuren"}, van(b, c)),
        ([("indicator", "woont-op-werkplek"), ("indicator", "excessieve-werkuren")], van(a, b, c)),  # any of
        ([("indicator", "onderbetaling"), ("indicator", "onderbetaling")], van(a, c)),  # once each
        ({"indicator": "tekenen-van-mishandeling"}, []),
        ({"sector": "horeca"}, van(b, c)),
        ({"locatietype": "woning"}, van(c, d)),
        ({"melderDomein": "toezicht"}, van(a, c)),
        ({"waargenomenVanaf": (vandaag - timedelta(days=20)).isoformat()}, van(b, c, d)),  # inclusive
        ({"waargenomenTot": (vandaag - timedelta(days=20)).isoformat()}, van(a)),  # exclusive
        (
            {
                "waargenomenVanaf": (vandaag - timedelta(days=25)).isoformat(),
                "waargenomenTot": (vandaag - timedelta(days=10)).isoformat(),
            },
            van(b),
        ),
        ({"ontvangenVanaf": b["ontvangenOp"]}, van(b, c, d)),
        ({"ontvangenVanaf": b["ontvangenOp"], "ontvangenTot": d["ontvangenOp"]}, van(b, c)),
        ({"toegewezenAan": "af-1"}, van(a)),
        ({"toegewezenAan": "af-2"}, van(c)),
        ({"toegewezenAan": "af-9"}, []),
        ({"toegewezen": "true"}, van(a, c)),
        ({"toegewezen": "false"}, van(b, d)),
        ({"status": "in_behandeling"}, van(c)),
        # Together: AND, also with the existing status and form filters.
        ({"indicator": "onderbetaling", "sector": "horeca"}, van(c)),
        ({"sector": "horeca", "toegewezen": "false"}, van(b)),
        ({"locatietype": "woning", "melderDomein": "jeugd"}, van(d)),
        ({"melderDomein": "toezicht", "status": "ontvangen"}, van(a)),
        ({"uitbuitingsvorm": "arbeid", "indicator": "excessieve-werkuren", "toegewezen": "true"}, van(c)),
        ({"uitbuitingsvorm": "seksueel", "sector": "horeca"}, []),
        (
            {
                "indicator": "onderbetaling",
                "sector": "horeca",
                "locatietype": "woning",
                "melderDomein": "toezicht",
                "waargenomenVanaf": (vandaag - timedelta(days=10)).isoformat(),
                "toegewezenAan": "af-2",
                "toegewezen": "true",
                "status": "in_behandeling",
                "uitbuitingsvorm": "arbeid",
                "ontvangenVanaf": c["ontvangenOp"],
                "ontvangenTot": d["ontvangenOp"],
            },
            van(c),
        ),
        ({"sector": "horeca", "toegewezenAan": "af-1"}, []),
    ]
    fouten = [(p, await ids(p), verwacht) for p, verwacht in gevallen]
    assert [f for f in fouten if f[1] != f[2]] == []
    assert elders["id"] not in await ids({"toegewezenAan": "af-1"}, sub="af-1")

    # `ik` is the caller's own sub: af-1 sees a, af-2 sees c, someone else nothing.
    assert await ids({"toegewezenAan": "ik"}, sub="af-1") == van(a)
    assert await ids({"toegewezenAan": "ik"}, sub="af-2") == van(c)
    assert await ids({"toegewezenAan": "ik", "sector": "horeca"}, sub="af-2") == van(c)
    assert await ids({"toegewezenAan": "ik"}, sub="af-3") == []

    # The queue line carries the assignment.
    regels = (await client.get("/v1/signalen", headers=kop())).json()["signalen"]
    assert {r["id"]: r["toegewezenAan"] for r in regels} == {
        a["id"]: "af-1", b["id"]: None, c["id"]: "af-2", d["id"]: None
    }  # fmt: skip


async def test_unknown_codes_bad_dates_and_reversed_periods_are_400(
    client: httpx.AsyncClient, kop: Kop
) -> None:
    gevallen: list[tuple[Any, list[str]]] = [
        ({"indicator": "bestaat-niet"}, ["indicator"]),
        ([("indicator", "onderbetaling"), ("indicator", "Onderbetaling")], ["indicator"]),
        ({"sector": "ruimtevaart"}, ["sector"]),
        ({"locatietype": "maan"}, ["locatietype"]),
        ({"melderDomein": "politie"}, ["melderDomein"]),
        ({"sector": "ruimtevaart", "melderDomein": "politie"}, ["sector", "melderDomein"]),
        ({"indicator": "x" * 65}, ["indicator"]),
        ([("indicator", "onderbetaling")] * 21, ["indicator"]),
        ({"waargenomenVanaf": "2026-13-01"}, ["waargenomenVanaf"]),
        ({"waargenomenTot": "gisteren"}, ["waargenomenTot"]),
        ({"waargenomenVanaf": "1700000000"}, ["waargenomenVanaf"]),
        ({"waargenomenVanaf": "2026-10-01T09:00:00Z"}, ["waargenomenVanaf"]),
        ({"ontvangenVanaf": "2026-10-01"}, ["ontvangenVanaf"]),
        ({"waargenomenVanaf": "2026-10-02", "waargenomenTot": "2026-10-01"}, ["waargenomenTot"]),
        (
            {"ontvangenVanaf": "2026-10-02T00:00:00Z", "ontvangenTot": "2026-10-01T23:59:59Z"},
            ["ontvangenTot"],
        ),
        # The same moment in two zones is not reversed; one second earlier in another zone is.
        ({"ontvangenVanaf": "2026-10-02T02:00:00+02:00", "ontvangenTot": "2026-10-02T00:00:00Z"}, []),
        (
            {"ontvangenVanaf": "2026-10-02T02:00:00+02:00", "ontvangenTot": "2026-10-01T23:59:59Z"},
            ["ontvangenTot"],
        ),
        ({"toegewezen": "misschien"}, ["toegewezen"]),
        ({"toegewezen": "false", "toegewezenAan": "af-1"}, ["toegewezen"]),
        ({"toegewezenAan": "af 1"}, ["toegewezenAan"]),
        ({"toegewezenAan": ""}, ["toegewezenAan"]),
        ({"toegewezenAan": "a" * 256}, ["toegewezenAan"]),
        ({"toegewezenAan": "af\u00e9"}, ["toegewezenAan"]),
    ]
    uitkomsten = []
    for params, namen in gevallen:
        if namen:
            uitkomsten.append((params, await _fout(client, kop, params), namen))
        else:
            uitkomsten.append((params, [] if await _ids(client, kop, params) == [] else ["?"], namen))
    assert [u for u in uitkomsten if u[1] != u[2]] == []
    # An equal begin and end is an empty period, not an error; the codes are the catalogue's, not free text.
    assert await _ids(client, kop, {"waargenomenVanaf": "2026-10-01", "waargenomenTot": "2026-10-01"}) == []


async def _bulk(harness: ServiceHarness, aantal: int) -> list[dict[str, Any]]:
    """Signals inserted directly, many sharing a receipt moment (the id breaks ties), with indicators and
    assignments spread over them; another municipality's rows match every filter."""
    basis = datetime(2026, 10, 1, 12, tzinfo=UTC)
    indicatoren = ("onderbetaling", "excessieve-werkuren", "woont-op-werkplek")
    rijen = [
        {
            "id": uuid.uuid4(), "gemeente_code": GEMEENTE if i % 5 else ANDERE_GEMEENTE, "melder_domein": "toezicht",
            "waargenomen_op": date(2026, 9, 1) + timedelta(days=i % 20), "ontvangen_op": basis + timedelta(seconds=i % 37),
            "uitbuitingsvormen": ["arbeid"], "indicatoren": [indicatoren[i % 3]] if i % 4 else [],
            "sector": ("horeca", "bouw")[i % 2], "locatietype": "woning", "omschrijving": "",
            "omschrijving_verzegeld": None, "toestemming": False, "status": "ontvangen", "versie": 1,
            "status_gewijzigd_op": basis, "aangemaakt_door": "bulk",
            "toegewezen_aan": (None, "af-1", "af-2")[(i // 2) % 3],
        }
        for i in range(aantal)
    ]  # fmt: skip
    engine = create_async_engine(harness.database_url)
    try:
        async with engine.begin() as verbinding:
            await verbinding.execute(sa.insert(Signaal.__table__), rijen)
            await verbinding.execute(
                sa.insert(SignaalIndicator.__table__),
                [{"signaal_id": r["id"], "indicator": i} for r in rijen for i in r["indicatoren"]],
            )
    finally:
        await engine.dispose()
    return rijen


@pytest.mark.parametrize(
    ("params", "past"),
    [
        (
            {"sector": "horeca", "toegewezen": "true"},
            lambda r: r["sector"] == "horeca" and r["toegewezen_aan"],
        ),
        (
            [("indicator", "onderbetaling"), ("indicator", "woont-op-werkplek"), ("toegewezenAan", "ik")],
            lambda r: (
                bool({"onderbetaling", "woont-op-werkplek"} & set(r["indicatoren"]))
                and r["toegewezen_aan"] == "af-1"
            ),
        ),
        (
            {"toegewezen": "false", "waargenomenVanaf": "2026-09-05", "waargenomenTot": "2026-09-15"},
            lambda r: (
                r["toegewezen_aan"] is None and date(2026, 9, 5) <= r["waargenomen_op"] < date(2026, 9, 15)
            ),
        ),
    ],
    ids=["sector-toegewezen", "indicatoren-ik", "niet-toegewezen-periode"],
)
async def test_paging_under_a_filter_returns_each_match_once_in_order(
    params: Any, past: Callable[[dict[str, Any]], Any], client: httpx.AsyncClient, kop: Kop,
    intake_harness: ServiceHarness,
) -> None:  # fmt: skip
    rijen = await _bulk(intake_harness, 600)
    verwacht = sorted(
        ((r["ontvangen_op"], r["id"]) for r in rijen if r["gemeente_code"] == GEMEENTE and past(r)),
        reverse=True,
    )
    assert 40 < len(verwacht) < 300  # the filter selects, and there is more than one page
    gezien: list[tuple[datetime, uuid.UUID]] = []
    cursor = None
    for _ in range(30):
        query = [*(params.items() if isinstance(params, dict) else params), ("pageSize", "13")]
        if cursor:
            query.append(("cursor", cursor))
        antwoord = await client.get("/v1/signalen", params=query, headers=kop(sub="af-1"))
        assert antwoord.status_code == 200, antwoord.text
        pagina = antwoord.json()
        assert len(pagina["signalen"]) <= 13
        gezien += [(datetime.fromisoformat(s["ontvangenOp"]), uuid.UUID(s["id"])) for s in pagina["signalen"]]
        cursor = pagina["volgende"]
        if cursor is None:
            break
    assert cursor is None
    assert gezien == verwacht


async def _plan(harness: ServiceHarness, query: str, *, zonder_index: str | None = None) -> str:
    """The query plan; on PostgreSQL ``zonder_index`` is dropped for this transaction only.

    On a near-empty table PostgreSQL has no statistics to prefer one index over another whose
    columns also match, so the choice between them is a tie; dropping the other one (rolled back
    with the transaction) shows whether the index under test can serve the query at all.
    """
    engine = create_async_engine(harness.database_url)
    try:
        async with engine.connect() as verbinding:
            if testing.test_backend() == "postgresql":
                await verbinding.execute(sa.text("SET LOCAL enable_seqscan = off"))
                if zonder_index:
                    await verbinding.execute(sa.text(f"DROP INDEX {zonder_index}"))
                return "\n".join(r[0] for r in await verbinding.execute(sa.text("EXPLAIN " + query)))
            return "\n".join(
                str(r[-1]) for r in await verbinding.execute(sa.text("EXPLAIN QUERY PLAN " + query))
            )
    finally:
        await engine.dispose()


async def test_the_new_filters_use_their_indexes(intake_harness: ServiceHarness) -> None:
    toegewezen = (
        "SELECT id FROM signalen WHERE gemeente_code = 'GM1509' AND toegewezen_aan = 'af-1' "
        "ORDER BY ontvangen_op DESC, id DESC LIMIT 21"
    )
    plan = await _plan(intake_harness, toegewezen, zonder_index="ix_signalen_gemeente_ontvangen")
    assert "ix_signalen_gemeente_toegewezen_ontvangen" in plan, plan
    assert "Sort" not in plan and "TEMP B-TREE" not in plan, plan  # served in queue order
    indicator = "SELECT signaal_id FROM signaal_indicatoren WHERE indicator IN ('onderbetaling', 'bedelarij')"
    plan = await _plan(intake_harness, indicator)
    assert "ix_signaal_indicatoren_indicator" in plan or "pk_signaal_indicatoren" in plan, plan
