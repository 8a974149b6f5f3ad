"""Benchmark 2: a partner's case read through the privacy gateway against the same read straight from intake.

One escalated signal is made through the API (melder records it, the aandachtsfunctionaris takes it in
behandeling and escalates it to RIEC and police for casusoverleg). Then, one request at a time and
alternating, RIEC reads it through `GET /v1/casussen/{id}?doel=casusoverleg` and the gateway's service
token reads it from intake's `GET /v1/intern/casussen/{id}`. On PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import httpx

from bench.data import signal_bodies
from bench.harness import Context, bearer, intake_env
from bench.load import expecting, idempotency_key, interleaved
from bench.profiel import profiled
from bench.results import Aim, AimKind, Row

GEMEENTE = "GM1509"
PARTNERS = ["riec-oost-nederland", "politie-oost-nederland"]
LEZER = "riec-oost-nederland"
DOEL = "casusoverleg"


def _checked(response: httpx.Response, status: int, step: str) -> httpx.Response:
    if response.status_code != status:
        raise RuntimeError(f"{step}: HTTP {response.status_code}: {response.text[:300]}")
    return response


async def escalated_signal(*, http: httpx.AsyncClient, intake_url: str, ctx: Context) -> str:
    """Record a signal as melder and escalate it as aandachtsfunctionaris; its id."""
    melder = bearer(ctx.issuer, rol="melder", gemeente=GEMEENTE, sub="bench-melder")
    af = bearer(ctx.issuer, rol="aandachtsfunctionaris", gemeente=GEMEENTE, sub="bench-af")
    body = signal_bodies(count=1, gemeente=GEMEENTE, seed=11)[0]
    created = _checked(
        await http.post(
            f"{intake_url}/v1/signalen",
            content=body,
            headers={**melder, "Content-Type": "application/json", "Idempotency-Key": idempotency_key()},
        ),
        201,
        "recording the signal",
    )
    signaal_id = str(created.json()["id"])
    etag = created.headers["ETag"]
    besluiten: list[dict[str, Any]] = [
        {"status": "in_behandeling", "toelichting": "In behandeling genomen voor de benchmark."},
        {
            "status": "opgeschaald",
            "toelichting": "Opgeschaald naar het casusoverleg voor de benchmark.",
            "partners": PARTNERS,
            "doel": DOEL,
        },
    ]
    for besluit in besluiten:
        response = _checked(
            await http.post(
                f"{intake_url}/v1/signalen/{signaal_id}/beoordelingen",
                json=besluit,
                headers={**af, "If-Match": etag},
            ),
            200,
            f"deciding {besluit['status']}",
        )
        etag = response.headers["ETag"]
    return signaal_id


async def run(ctx: Context) -> list[Row]:
    async with ctx.resources("gateway") as resources:
        intake_db = await resources.migrated(backend="postgresql", service="intake-api")
        gateway_db = await resources.migrated(backend="postgresql", service="privacy-gateway")
        intake = resources.server(
            name="intake-api", factory="intake_api.main:create_app", env=intake_env(intake_db)
        )
        gateway = resources.server(
            name="privacy-gateway",
            factory="privacy_gateway.main:create_app",
            env={
                "GATEWAY_DATABASE_URL": gateway_db,
                "GATEWAY_INTAKE_URL": intake.url,
                "GATEWAY_RATE_LIMIT": "100000000/minute",
                "GATEWAY_RATE_LIMIT_ORGANISATIE": "100000000/minute",
                "GATEWAY_INZAGE_RATE_LIMIT": "100000000/minute",
            },
        )
        await resources.start(intake, gateway)
        async with httpx.AsyncClient(timeout=30) as http:
            signaal_id = await escalated_signal(http=http, intake_url=intake.url, ctx=ctx)
            partner = bearer(ctx.issuer, rol="partner", organisatie=LEZER, sub="bench-partner")
            service = bearer(ctx.issuer, rol="privacy-gateway")
            # The partner knows the case by its own reference, learnt from its list.
            lijst = _checked(await http.get(f"{gateway.url}/v1/casussen", headers=partner), 200, "the list")
            (referentie,) = [c["id"] for c in lijst.json()["casussen"]]
            casus_url = f"{gateway.url}/v1/casussen/{referentie}"
            intern_url = f"{intake.url}/v1/intern/casussen/{signaal_id}"
            first = _checked(
                await http.get(casus_url, params={"doel": DOEL}, headers=partner), 200, "the partner's read"
            )
            categories = sorted(k for k, v in first.json().items() if v not in (None, [], {}))

            # py-spy samples running threads only: the gateway is idle while the baseline is read.
            async with profiled(gateway.pid, out=resources.log_dir / "gateway-profile.txt") as profile:
                measured_ours, measured_baseline = await interleaved(
                    ours=expecting(lambda: http.get(casus_url, params={"doel": DOEL}, headers=partner)),
                    baseline=expecting(lambda: http.get(intern_url, headers=service)),
                    count=ctx.sizes.requests,
                    ours_pids=[gateway.pid, intake.pid],
                    baseline_pids=[intake.pid],
                    progress=ctx.progress,
                    label="gateway: casus vs intern read",
                )
    if not measured_ours.count or not measured_baseline.count:
        raise RuntimeError(
            f"no successful reads (ours: {measured_ours.first_error}; baseline: {measured_baseline.first_error})"
        )
    notes = [
        f"{side}: {m.errors} failed reads; first: {m.first_error}"
        for side, m in (("ours", measured_ours), ("baseline", measured_baseline))
        if m.errors
    ]
    details = {
        "ours": measured_ours.summary(),
        "baseline": measured_baseline.summary(),
        "answerFields": categories,
        "notes": notes,
    }
    if profile:
        details["profile"] = profile
    name = "gateway GET /v1/casussen/{id}?doel=casusoverleg"
    direct = "intake /v1/intern read"
    return [
        Row(
            name=f"{name}: p50",
            unit="ms",
            ours=measured_ours.p(50),
            baseline=measured_baseline.p(50),
            baseline_label=direct,
            aim=Aim(AimKind.RATIO_MAX, 1.3),
            details=details,
        ),
        Row(
            name=f"{name}: p99",
            unit="ms",
            ours=measured_ours.p(99),
            baseline=measured_baseline.p(99),
            baseline_label=direct,
        ),
    ]
