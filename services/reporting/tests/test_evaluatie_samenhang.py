"""The evaluation's tables share counts; each shared count is one published figure, the same everywhere."""

from __future__ import annotations

import random
from typing import Any

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer

GEMEENTEN = ["GM1509", "GM0222", "GM0197"]
SECTOREN = ["agrarisch", "horeca", "bouw"]


def _totalen(tabel: dict[str, Any], dimensie: str | None) -> dict[tuple[str, str | None], Any]:
    return {(t["periode"], t["waarde"]): t["aantal"] for t in tabel["totalen"] if t["dimensie"] == dimensie}


async def test_shared_counts_are_published_once(reporting_harness: ServiceHarness, issuer: DevIssuer) -> None:
    rng = random.Random(7)
    events = [
        gebeurtenis(
            maand=f"2026-0{rng.randint(1, 6)}",
            gemeenteCode=rng.choice(GEMEENTEN),
            sector=rng.choices(SECTOREN, weights=[10, 3, 1])[0],
            uitbuitingsvormen=rng.choice([["arbeid"], ["seksueel"], ["arbeid", "crimineel"]]),
        )
        for _ in range(160)
    ]
    # A municipality with few signals: its total is small and must be withheld in every table alike.
    events += [gebeurtenis(maand="2026-02", gemeenteCode="GM0294", sector="horeca") for _ in range(3)]
    async with reporting_harness.client(minimale_populatie=10) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness)
        response = await client.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-06"},
            headers=lezer_headers(issuer),
        )
    assert response.status_code == 200, response.text
    body = response.json()

    per_gemeente = {
        (c["periode"], c["waarden"]["gemeente"]): c["aantal"] for c in body["gemeenten"]["cellen"]
    }
    assert per_gemeente == _totalen(body["sectorenPerGemeente"], "gemeente")
    per_vorm = {
        (c["periode"], c["waarden"]["uitbuitingsvorm"]): c["aantal"] for c in body["vormenOverTijd"]["cellen"]
    }
    assert per_vorm == _totalen(body["vormenPerGemeente"], "uitbuitingsvorm")
    assert any(a is None for a in per_gemeente.values()), (
        "the data should make some municipality total withheld"
    )

    eindtotalen = [_totalen(body[t], None) for t in ("melderDomeinen", "gemeenten", "sectorenPerGemeente")]
    assert eindtotalen[0] == eindtotalen[1] == eindtotalen[2]
