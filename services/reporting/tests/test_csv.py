"""CSV: the same suppressed figures as JSON, Dutch column names, a trailing line on what was withheld."""

from __future__ import annotations

import csv
import io

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

from .conftest import gebeurtenis, invoeren, lezer_headers, publiceer
from .test_statistieken import beschermd

PARAMS = {"groeperenOp": "gemeente", "periode": "jaar", "van": "2026-01", "tot": "2026-12"}


async def test_signal_counts_as_csv_match_the_json(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = [gebeurtenis(gemeenteCode="GM0222") for _ in range(14)]
    events += [gebeurtenis(gemeenteCode="GM1509") for _ in range(2)]
    events += [gebeurtenis(gemeenteCode="GM0197") for _ in range(11)]
    async with reporting_harness.client(drempel=5, minimale_populatie=0) as client:
        await invoeren(client, issuer, events)
        await publiceer(reporting_harness, drempel=5)
        json_antwoord = (
            await client.get("/v1/statistieken/signalen", params=PARAMS, headers=lezer_headers(issuer))
        ).json()
        antwoord = await client.get(
            "/v1/statistieken/signalen",
            params=PARAMS,
            headers={**lezer_headers(issuer), "Accept": "text/csv"},
        )
    assert antwoord.status_code == 200
    assert antwoord.headers["content-type"].startswith("text/csv")
    regels = antwoord.text.split("\r\n")
    assert regels[-1] == ""
    slot = regels[-2]
    rijen = list(csv.reader(io.StringIO("\r\n".join(regels[:-2]))))
    assert rijen[0] == ["soort", "periode", "gemeente", "aantal", "onderdrukt", "reden"]
    data = rijen[1:]
    per_gemeente = {r[2]: r for r in data if r[0] == "cel"}
    assert per_gemeente["GM0222"][4:] == ["nee", ""] and beschermd(int(per_gemeente["GM0222"][3]), 14, 5)
    assert per_gemeente["GM1509"][3:] == ["", "ja", "primair"]
    assert per_gemeente["GM0197"][4:] == ["nee", ""] and beschermd(int(per_gemeente["GM0197"][3]), 11, 5)
    [totaal] = [r for r in data if r[0] == "totaal"]
    assert totaal[:3] == ["totaal", "2026", "totaal"] and totaal[4:] == ["nee", ""]
    assert beschermd(int(totaal[3]), 27, 5)
    assert int(totaal[3]) == json_antwoord["totalen"][0]["aantal"]
    # The same figures as the JSON.
    assert {c["waarden"]["gemeente"]: c["aantal"] for c in json_antwoord["cellen"]} == {
        g: (int(r[3]) if r[3] else None) for g, r in per_gemeente.items()
    }
    nummer = {r[2]: i for i, r in enumerate(data, start=1)}
    assert slot.startswith("# Onderdrukt: ")
    assert f"rij {nummer['GM1509']} primair (klein aantal, onder 5 na verstoring)" in slot
    assert "secundair" not in slot


async def test_csv_of_a_fully_suppressed_answer_and_of_the_evaluation(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(drempel=5, minimale_populatie=50) as client:
        await invoeren(client, issuer, [gebeurtenis() for _ in range(12)])
        await publiceer(reporting_harness, drempel=5)
        headers = {**lezer_headers(issuer), "Accept": "text/csv"}
        leeg = await client.get("/v1/statistieken/signalen", params=PARAMS, headers=headers)
        assert leeg.text.split("\r\n")[1].startswith("# Het hele antwoord is onderdrukt")
    async with reporting_harness.client(drempel=5, minimale_populatie=0) as client:
        await invoeren(client, issuer, [gebeurtenis(maand="2026-02") for _ in range(12)])
        await invoeren(
            client, issuer, [gebeurtenis(maand="2026-02", uitkomst="opgeschaald") for _ in range(2)]
        )
        await publiceer(reporting_harness, drempel=5)
        antwoord = await client.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-03"},
            headers={**lezer_headers(issuer), "Accept": "text/csv"},
        )
    regels = antwoord.text.split("\r\n")
    rijen = list(csv.reader(io.StringIO("\r\n".join(regels[:-2]))))
    assert rijen[0] == ["onderdeel", "periode", "groep", "maat", "waarde", "onderdrukt", "reden"]
    [domein] = [r for r in rijen if r[:4] == ["melderdomeinen", "2026-K1", "melderDomein=toezicht", "aantal"]]
    assert domein[5:] == ["nee", ""] and beschermd(int(domein[4]), 12, 5)
    assert ["uitkomsten", "2026-K1", "uitkomst=opgeschaald", "aantal", "", "ja", "primair"] in rijen
    assert ["doorlooptijden", "2026-K1", "", "mediaan_dagen", "", "ja", ""] in rijen
    assert "primair (klein aantal, onder 5 na verstoring)" in regels[-2]
    assert "Aandelen en doorlooptijden op rij" in regels[-2]
