"""Benchmark 3: one covenant decision (`decide`) with the shipped policy, timed call by call.

The cases cycle through an allowed read, reads with a minor involved and a denial, so the figure covers
the long paths through the checks. The baseline is the cheapest thing a decision could be: one dict
lookup of the rules for (partner, purpose), timed the same way.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from meldroute_common.beleid import CasusFeiten, TrajectFeiten, decide, load_policy
from privacy_gateway.config import POLICIES_DIR

from bench.harness import Context
from bench.load import percentile
from bench.results import Aim, AimKind, Row

POLICY = POLICIES_DIR / "riec-oost-nederland.yaml"
_ONTVANGERS = ("riec-oost-nederland", "politie-oost-nederland", "openbaar-ministerie")


def _cases(nu: datetime) -> list[tuple[str, str, CasusFeiten, bool]]:
    """(partner, doel, facts, expected to be allowed)."""

    def feiten(*, minderjarige: bool, doel: str = "casusoverleg") -> CasusFeiten:
        return CasusFeiten(
            fase="opgeschaald",
            vertrouwelijkheidaanduiding="vertrouwelijk",
            opgeschaald_op=nu - timedelta(days=20),
            trajecten=[TrajectFeiten(doel=doel, ontvangers=_ONTVANGERS, sinds=nu - timedelta(days=20))],
            minderjarige_betrokken=minderjarige,
            toestemming=False,
        )

    return [
        ("riec-oost-nederland", "casusoverleg", feiten(minderjarige=False), True),
        ("politie-oost-nederland", "casusoverleg", feiten(minderjarige=True), True),
        ("openbaar-ministerie", "casusoverleg", feiten(minderjarige=True), True),
        # Purpose binding: escalated for casusoverleg, asked for another purpose.
        ("riec-oost-nederland", "bestuurlijke_interventie", feiten(minderjarige=False), False),
    ]


async def run(ctx: Context) -> list[Row]:
    beleid = load_policy(POLICY)
    nu = datetime.now(UTC)
    cases = _cases(nu)
    for partner, doel, casus, allowed in cases:
        if decide(beleid=beleid, partner_id=partner, doel=doel, casus=casus, nu=nu).toegestaan is not allowed:
            raise RuntimeError(f"the shipped policy no longer decides {partner}/{doel} as expected")
    regels = beleid.index.regels
    count = ctx.sizes.decisions
    ours: list[int] = []
    baseline: list[int] = []
    task = ctx.progress.add_task("policy: decide", total=count)
    clock = time.perf_counter_ns
    step = 1000
    for begin in range(0, count, step):
        for i in range(begin, min(count, begin + step)):
            partner, doel, casus, _ = cases[i % len(cases)]
            start = clock()
            decide(beleid=beleid, partner_id=partner, doel=doel, casus=casus, nu=nu)
            ours.append(clock() - start)
            start = clock()
            regels.get((partner, doel))
            baseline.append(clock() - start)
        ctx.progress.update(task, completed=min(count, begin + step))
    ctx.progress.remove_task(task)

    def ms(values: list[int], q: float) -> float:
        return percentile(values, q) / 1e6

    details = {
        "decisions": count,
        "cases": [f"{p}/{d}" for p, d, _, _ in cases],
        "oursP50Ms": ms(ours, 50),
        "oursP99Ms": ms(ours, 99),
        "oursMaxMs": max(ours) / 1e6,
        "baselineP50Ms": ms(baseline, 50),
    }
    return [
        Row(
            name="policy decide (shipped policy): p99",
            unit="ms",
            ours=ms(ours, 99),
            baseline=ms(baseline, 99),
            baseline_label="dict lookup",
            aim=Aim(AimKind.OURS_MAX, 0.2),
            details=details,
        )
    ]
