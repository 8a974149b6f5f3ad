"""The demo: realistic distributions, and posted through the real intake API with triage."""

from __future__ import annotations

from collections import Counter
from datetime import date

from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.devissuer import DevIssuer
from meldroute_common.testing import ServiceHarness
from reporting.demo import genereer, voer_in

VANDAAG = date(2026, 11, 15)


def test_generated_signals_follow_the_plan_loosely() -> None:
    catalogus = standaard_catalogus()
    signalen = genereer(aantal=2000, maanden=24, vandaag=VANDAAG, zaad=7, catalogus=catalogus)
    assert genereer(aantal=5, maanden=24, vandaag=VANDAAG, zaad=7, catalogus=catalogus) == signalen[:5]
    assert {s.gemeente for s in signalen} == {g.code for g in catalogus.gemeenten}
    slachtoffers = [s.body["betrokkenen"][0] for s in signalen]
    mannen = sum(b["geslacht"] == "man" for b in slachtoffers) / len(slachtoffers)
    assert 0.28 < mannen < 0.38
    leeftijden = Counter(
        None if "geboortedatum" not in b else catalogus_leeftijd(b["geboortedatum"], s.body["waargenomenOp"])
        for b, s in zip(slachtoffers, signalen, strict=True)
    )
    bekend = sum(n for k, n in leeftijden.items() if k is not None)
    assert 0.35 < (leeftijden["<18"] + leeftijden["18-22"]) / bekend < 0.52
    assert 0.22 < leeftijden["23-29"] / bekend < 0.34
    data = sorted(date.fromisoformat(s.body["waargenomenOp"]) for s in signalen)
    assert (VANDAAG - data[0]).days > 600 and data[-1] <= VANDAAG
    for s in signalen:
        assert not catalogus.onbekende_codes("uitbuitingsvormen", s.body["uitbuitingsvormen"])
        assert not catalogus.onbekende_codes("sectoren", [s.body["sector"]])
        assert not catalogus.onbekende_codes("locatietypen", [s.body["locatietype"]])
        assert not catalogus.onbekende_codes("melderdomeinen", [s.body["melderDomein"]])
        assert not catalogus.onbekende_codes("indicatoren", s.body["indicatoren"])
        if s.beoordelingen:
            assert s.beoordelingen[0]["status"] == "in_behandeling"


def catalogus_leeftijd(geboortedatum: str, peildatum: str) -> str:
    from meldroute_common.catalogus import leeftijdsklasse

    return leeftijdsklasse(
        geboortedatum=date.fromisoformat(geboortedatum), peildatum=date.fromisoformat(peildatum)
    )


async def test_demo_posts_and_triages_through_the_intake_api(
    intake_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    signalen = genereer(aantal=12, maanden=24, vandaag=date.today(), zaad=3, catalogus=standaard_catalogus())
    verwacht = Counter(b["status"] for s in signalen for b in s.beoordelingen)
    async with intake_harness.client(outbox_relay_aan=False, retentie_taak_aan=False) as intake:
        telling = await voer_in(http=intake, issuer=issuer, signalen=signalen)
        assert telling == Counter({"signalen": 12, **verwacht})
        af = issuer.mint(rol="aandachtsfunctionaris", gemeente=signalen[0].gemeente)
        lijst = await intake.get("/v1/signalen", headers={"Authorization": f"Bearer {af}"})
        assert lijst.status_code == 200
