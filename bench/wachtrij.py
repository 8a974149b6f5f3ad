"""Benchmark 5: a deep page of the signal queue against page 1, with a million signals for one municipality.

The signals are bulk-loaded straight into intake's tables with INSERT … SELECT over generate_series
(shaped like real rows: codes from the catalogue, a scrubbed description, a sealed blob, statuses from
new to escalated, and their rows in `signaal_uitbuitingsvormen` and `casus_partners`), then vacuumed and
analysed. The deep page is reached with the cursor the service itself would have handed out there
(`intake_api.paginering.make_cursor` of the row before it). On PostgreSQL.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg  # type: ignore[import-untyped]
import httpx
from intake_api.paginering import make_cursor
from meldroute_common.catalogus import ONBEKEND, standaard_catalogus
from meldroute_common.paginering import DEFAULT_PAGE_SIZE

from bench.data import ZINNEN
from bench.harness import Context, asyncpg_dsn, bearer, intake_env
from bench.load import expecting, interleaved
from bench.results import Aim, AimKind, Row

GEMEENTE = "GM1509"
#: Where the deep page starts, as a share of the queue.
DIEPTE = 0.9
CHUNK = 50_000

_INSERT = """
INSERT INTO signalen (
    id, gemeente_code, melder_domein, waargenomen_op, ontvangen_op, uitbuitingsvormen, indicatoren, sector,
    locatietype, omschrijving, omschrijving_verzegeld, toestemming, status, versie, status_gewijzigd_op,
    aangemaakt_door, doorverwezen_naar, opgeschaald_op, partners, doel, vertrouwelijkheidaanduiding, gewist_op
)
SELECT
    gen_random_uuid(), $1,
    ($2::text[])[1 + i % cardinality($2::text[])],
    (t - make_interval(days => i % 21))::date,
    t,
    json_build_array(($3::text[])[1 + i % cardinality($3::text[])]),
    json_build_array(($4::text[])[1 + i % cardinality($4::text[])],
                     ($4::text[])[1 + (i * 7) % cardinality($4::text[])]),
    ($5::text[])[1 + (i * 3) % cardinality($5::text[])],
    ($6::text[])[1 + (i * 5) % cardinality($6::text[])],
    ($7::text[])[1 + i % cardinality($7::text[])] || ' ' || ($7::text[])[1 + (i * 3) % cardinality($7::text[])],
    decode(repeat(md5(i::text), 12), 'hex'),
    i % 3 = 0,
    s.status,
    CASE s.status WHEN 'ontvangen' THEN 1 WHEN 'in_behandeling' THEN 2 ELSE 3 END,
    t + make_interval(days => 2),
    'melder-' || (i % 40),
    CASE s.status WHEN 'doorverwezen_ander_domein' THEN ($8::text[])[1 + i % cardinality($8::text[])] END,
    CASE s.status WHEN 'opgeschaald' THEN t + make_interval(days => 5) END,
    CASE s.status WHEN 'opgeschaald' THEN json_build_array('riec-oost-nederland', 'politie-oost-nederland') END,
    CASE s.status WHEN 'opgeschaald' THEN 'casusoverleg' END,
    CASE s.status WHEN 'opgeschaald' THEN 'vertrouwelijk' END,
    NULL
FROM (
    SELECT i, $9::timestamptz - make_interval(secs => i * 90 + i % 7) AS t,
           CASE WHEN i < 200 THEN 'ontvangen' WHEN i < 500 THEN 'in_behandeling'
                ELSE (ARRAY['afgesloten_geen_mensenhandel', 'doorverwezen_ander_domein', 'opgeschaald'])[1 + i % 3]
           END AS status
    FROM generate_series($10::int, $11::int) AS i
) AS s
"""
_VORMEN = """
INSERT INTO signaal_uitbuitingsvormen (signaal_id, vorm)
SELECT id, uitbuitingsvormen->>0 FROM signalen
"""
_PARTNERS = """
INSERT INTO casus_partners (signaal_id, partner)
SELECT id, json_array_elements_text(partners) FROM signalen WHERE partners IS NOT NULL
"""


def _codes(lijst: str) -> list[str]:
    catalogus = standaard_catalogus()
    return sorted(c for c in catalogus.codes(lijst) if c != ONBEKEND)  # type: ignore[arg-type]


async def bulk_load(ctx: Context, connection: asyncpg.Connection, *, count: int) -> None:
    """`count` signals of GEMEENTE, newest 90 seconds apart going back, in chunks with progress."""
    catalogus = standaard_catalogus()
    indicatoren = sorted(i.code for i in catalogus.indicatoren)
    scrubbed = [*ZINNEN, "Bereikbaar via [TELEFOON]."]
    now = datetime.now(UTC)
    task = ctx.progress.add_task(f"queue: loading {count:,} signals", total=count)
    for begin in range(0, count, CHUNK):
        end = min(count, begin + CHUNK) - 1
        await connection.execute(
            _INSERT, GEMEENTE, _codes("melderdomeinen"), _codes("uitbuitingsvormen"), indicatoren,
            _codes("sectoren"), _codes("locatietypen"), scrubbed, _codes("doorverwijsdomeinen"), now, begin, end,
        )  # fmt: skip
        ctx.progress.update(task, completed=end + 1)
    ctx.progress.remove_task(task)
    ctx.say("queue: forms and partners of the loaded signals, then VACUUM ANALYZE")
    await connection.execute(_VORMEN)
    await connection.execute(_PARTNERS)
    for table in ("signalen", "signaal_uitbuitingsvormen", "casus_partners"):
        await connection.execute(f"VACUUM ANALYZE {table}")


async def run(ctx: Context) -> list[Row]:
    count = ctx.sizes.signals
    page_size = DEFAULT_PAGE_SIZE
    deep = int(count * DIEPTE)
    async with ctx.resources("wachtrij") as resources:
        url = await resources.migrated(backend="postgresql", service="intake-api")
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            await bulk_load(ctx, connection, count=count)
            # The row just before the deep page and the one that must open it.
            before, opening = await connection.fetch(
                "SELECT ontvangen_op, id FROM signalen WHERE gemeente_code = $1 "
                "ORDER BY ontvangen_op DESC, id DESC OFFSET $2 LIMIT 2",
                GEMEENTE,
                deep - 1,
            )
        finally:
            await connection.close()
        cursor = make_cursor(moment=before["ontvangen_op"], id=uuid.UUID(str(before["id"])))
        intake = resources.server(
            name="intake-api", factory="intake_api.main:create_app", env=intake_env(url)
        )
        await resources.start(intake)
        token = bearer(ctx.issuer, rol="aandachtsfunctionaris", gemeente=GEMEENTE, sub="bench-af")
        async with httpx.AsyncClient(base_url=intake.url, headers=token, timeout=60) as http:
            first = await http.get("/v1/signalen")
            deep_page = await http.get("/v1/signalen", params={"cursor": cursor})
            for page, response in (("page 1", first), ("the deep page", deep_page)):
                if response.status_code != 200 or len(response.json()["signalen"]) != page_size:
                    raise RuntimeError(f"{page}: HTTP {response.status_code}: {response.text[:300]}")
            if deep_page.json()["signalen"][0]["id"] != str(opening["id"]):
                raise RuntimeError("the deep page does not open with the row after the cursor")

            measured_deep, measured_first = await interleaved(
                ours=expecting(lambda: http.get("/v1/signalen", params={"cursor": cursor})),
                baseline=expecting(lambda: http.get("/v1/signalen")),
                count=ctx.sizes.requests,
                ours_pids=[intake.pid],
                baseline_pids=[intake.pid],
                progress=ctx.progress,
                label="queue: deep page vs page 1",
            )
    if not measured_deep.count or not measured_first.count:
        raise RuntimeError(f"no pages read ({measured_deep.first_error}; {measured_first.first_error})")
    return [
        Row(
            name=f"intake GET /v1/signalen, page at row {deep:,} of {count:,}: p50",
            unit="ms",
            ours=measured_deep.p(50),
            baseline=measured_first.p(50),
            baseline_label="page 1",
            aim=Aim(AimKind.RATIO_MAX, 1.5),
            details={
                "signals": count,
                "pageSize": page_size,
                "deepRow": deep,
                "ours": measured_deep.summary(),
                "baseline": measured_first.summary(),
            },
        )
    ]
