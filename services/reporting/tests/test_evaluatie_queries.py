"""The evaluation reads each part of the stored publication once: no statement is run twice with the same values.

Before the stored publication the evaluation computed its tables in SQL per request and ran the
per-municipality form and sector queries twice (8 statements, 2 of them repeats).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from sqlalchemy import event
from sqlalchemy.engine import Engine

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer


@contextmanager
def counted_statements() -> Iterator[list[tuple[str, str]]]:
    statements: list[tuple[str, str]] = []

    def count(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, repr(parameters)))

    event.listen(Engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(Engine, "before_cursor_execute", count)


async def test_the_evaluation_runs_each_read_once(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [
        gebeurtenis(maand=f"2026-0{1 + i % 6}", gemeenteCode=("GM1509", "GM0222")[i % 2]) for i in range(120)
    ]
    events += [gebeurtenis(maand="2026-03", uitkomst="opgeschaald") for _ in range(40)]
    async with reporting_harness.client() as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness)
        headers = lezer_headers(issuer)
        params = {"periode": "kwartaal", "van": "2026-01", "tot": "2026-06"}
        assert (
            await client.get("/v1/statistieken/evaluatie", params=params, headers=headers)
        ).status_code == 200
        with counted_statements() as statements:
            response = await client.get("/v1/statistieken/evaluatie", params=params, headers=headers)
    assert response.status_code == 200, response.text
    reads = [s for s in statements if s[0].lstrip().upper().startswith(("SELECT", "WITH"))]
    assert reads, "the evaluation reads the publication"
    repeated = [s for s in set(reads) if reads.count(s) > 1]
    assert not repeated, repeated
    # The publications, the population, each of the six tables with its margins in one statement, the outcome
    # tables (outcomes, first outcomes, escalations per municipality) together in one, the lead times to a
    # first outcome, and the passed deadlines per municipality.
    assert len(reads) <= 11, [s[0][:80] for s in reads]
