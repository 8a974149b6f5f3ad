"""Partners' work notes through the gateway, with the real intake app in-process behind it.

A partner writes on its own open track only (the policy's check, as for outcomes: a refusal is 403 and in the
verwerkingenlog), the text never enters the log and reaches intake to be scrubbed there; a partner reads back
its own organisation's notes only, never the attention officer's nor another partner's; the attention
officer reads them all on the track.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness, clear_tables, running
from privacy_gateway.main import create_app

from tests.builders import betrokkene, signaal

from .conftest import ReferentieVan

RIEC, POLITIE, COMENSHA = "riec-oost-nederland", "politie-oost-nederland", "comensha"
DOEL = "casusoverleg"
NAAM, BSN = "Canarius Zwartveld", "123456782"
#: Identifiers in the forms the scrubber knows: spaced BSN, spaced IBAN, fullwidth e-mail.
TEKST = (
    f"Gesproken met {NAAM}, BSN 123 456 782, rekening NL91 ABNA 0417 1643 00, mail ｃａｎａｒｙ@example.nl."
)
SPOREN = ("Canarius", "Zwartveld", BSN, "123 456 782", "NL91", "0417", "canary", "ｃａｎａｒｙ")


def _kop(issuer: DevIssuer, rol: str, **claims: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol=rol, **claims)}"}


@asynccontextmanager
async def _keten(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    """Intake's app and the gateway's, the gateway calling intake in-process."""
    intake_app = intake_harness.app(outbox_relay_aan=False, retentie_taak_aan=False)
    try:
        async with running(intake_app) as intake:
            gateway_app = create_app(
                gateway_harness.settings(), intake_transport=httpx.ASGITransport(app=intake_app)
            )
            async with running(gateway_app) as gateway:
                yield intake, gateway
    finally:
        await clear_tables(intake_harness.database_url, intake_harness.metadata)
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


async def _casus(intake: httpx.AsyncClient, af: dict[str, str], issuer: DevIssuer) -> dict[str, Any]:
    melder = _kop(issuer, "melder", gemeente="GM1509", sub="melder-1")
    persoon = betrokkene(bsn=BSN, naam=NAAM, geboortedatum="1990-02-03")
    nieuw = await intake.post("/v1/signalen", json=signaal(betrokkenen=[persoon]), headers=melder)
    assert nieuw.status_code == 201, nieuw.text
    pad = f"/v1/signalen/{nieuw.json()['id']}/beoordelingen"
    await intake.post(
        pad, json={"status": "in_behandeling", "toelichting": "Oppakken."}, headers={**af, "If-Match": '"1"'}
    )
    opgeschaald = await intake.post(
        pad, json={"status": "opgeschaald", "toelichting": "Opschalen.", "partners": [RIEC, POLITIE], "doel": DOEL},
        headers={**af, "If-Match": '"2"'},
    )  # fmt: skip
    assert opgeschaald.status_code == 200, opgeschaald.text
    casus: dict[str, Any] = opgeschaald.json()
    return casus


async def _log(gateway: httpx.AsyncClient, issuer: DevIssuer, casus_id: str) -> list[dict[str, Any]]:
    antwoord = await gateway.get(
        "/v1/verwerkingen",
        params={"casusId": casus_id, "pageSize": 100},
        headers=_kop(issuer, "fg", sub="fg-1"),
    )
    assert antwoord.status_code == 200, antwoord.text
    rijen: list[dict[str, Any]] = antwoord.json()["verwerkingen"]
    return rijen


async def test_partner_notes_are_their_own_and_the_attention_officer_reads_them_all(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, issuer: DevIssuer,
    referentie_van: ReferentieVan,
) -> None:  # fmt: skip
    af = _kop(issuer, "aandachtsfunctionaris", gemeente="GM1509", sub="af-1")
    async with _keten(intake_harness, gateway_harness) as (intake, gateway):
        casus = await _casus(intake, af, issuer)
        traject_pad = f"/v1/signalen/{casus['id']}/trajecten/{casus['trajecten'][0]['id']}/aantekeningen"
        assert (
            await intake.post(traject_pad, json={"tekst": "Alleen voor de gemeente."}, headers=af)
        ).status_code == 201
        partners: dict[str, tuple[dict[str, str], str]] = {}
        for partner in (RIEC, POLITIE):
            kop = _kop(issuer, "partner", organisatie=partner, sub=f"{partner}-1")
            partners[partner] = (kop, await referentie_van(gateway, kop, casus["id"]))

        antwoorden: list[httpx.Response] = []
        for partner, (kop, referentie) in partners.items():
            antwoord = await gateway.post(
                f"/v1/casussen/{referentie}/aantekeningen", json={"doel": DOEL, "tekst": f"{partner}: {TEKST}"},
                headers=kop,
            )  # fmt: skip
            assert antwoord.status_code == 201, antwoord.text
            assert antwoord.json()["casusId"] == referentie and casus["id"] not in antwoord.text
            antwoorden.append(antwoord)

        for partner, (kop, referentie) in partners.items():
            eigen = await gateway.get(
                f"/v1/casussen/{referentie}/aantekeningen", params={"doel": DOEL}, headers=kop
            )
            assert eigen.status_code == 200, eigen.text
            [notitie] = eigen.json()["aantekeningen"]
            assert notitie["door"] == f"{partner}-1" and notitie["tekst"].startswith(
                f"{partner}: Gesproken met [NAAM]"
            )
            assert "gemeente" not in eigen.text and all(p not in eigen.text for p in partners if p != partner)
            antwoorden.append(eigen)

        alles = await intake.get(traject_pad, headers=af)
        assert [a["partner"] for a in alles.json()["aantekeningen"]] == [None, RIEC, POLITIE]
        antwoorden.append(alles)
        for antwoord in antwoorden:
            assert not [s for s in SPOREN if s.lower() in antwoord.text.lower()], antwoord.text

        rijen = await _log(gateway, issuer, casus["id"])
        geschreven = [r for r in rijen if r["actie"] == "aantekening"]
        assert sorted(r["detail"]["organisatie"] for r in geschreven) == [POLITIE, RIEC]
        assert {r["actie"] for r in rijen} >= {"aantekening", "aantekeningen_teruggegeven"}
        assert not [s for s in (*SPOREN, "Gesproken") if s.lower() in str(rijen).lower()]


async def test_a_partner_without_an_open_track_is_refused_and_logged(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, issuer: DevIssuer,
    referentie_van: ReferentieVan,
) -> None:  # fmt: skip
    af = _kop(issuer, "aandachtsfunctionaris", gemeente="GM1509", sub="af-1")
    async with _keten(intake_harness, gateway_harness) as (intake, gateway):
        casus = await _casus(intake, af, issuer)
        riec = _kop(issuer, "partner", organisatie=RIEC, sub=f"{RIEC}-1")
        referentie = await referentie_van(gateway, riec, casus["id"])
        pad = f"/v1/casussen/{referentie}/aantekeningen"

        # A purpose the partner has no track for: the policy refuses, 403 with the reason, logged.
        ander_doel = await gateway.post(pad, json={"doel": "zorg_en_opvang", "tekst": "x"}, headers=riec)
        assert ander_doel.status_code == 403 and ander_doel.json()["reden"], ander_doel.text
        # Another partner with RIEC's reference: not its case, 404, logged.
        comensha = _kop(issuer, "partner", organisatie=COMENSHA, sub="comensha-1")
        assert (
            await gateway.post(pad, json={"doel": DOEL, "tekst": "x"}, headers=comensha)
        ).status_code == 404
        assert (await gateway.get(pad, params={"doel": DOEL}, headers=comensha)).status_code == 404
        # The track closed: writing and reading back end with it.
        traject = casus["trajecten"][0]["id"]
        afgerond = await intake.post(
            f"/v1/signalen/{casus['id']}/trajecten/{traject}/afronding",
            json={"toelichting": "Klaar."},
            headers=af,
        )
        assert afgerond.status_code == 200, afgerond.text
        gesloten = await gateway.post(pad, json={"doel": DOEL, "tekst": "Na afronding."}, headers=riec)
        assert gesloten.status_code == 403, gesloten.text
        assert (await gateway.get(pad, params={"doel": DOEL}, headers=riec)).status_code == 403
        # No scope: a goedkeurder may read cases but not write notes.
        goedkeurder = _kop(issuer, "goedkeurder", organisatie=RIEC, sub=f"{RIEC}-2")
        assert (
            await gateway.post(pad, json={"doel": DOEL, "tekst": "x"}, headers=goedkeurder)
        ).status_code == 403

        alles = await intake.get(f"/v1/signalen/{casus['id']}/trajecten/{traject}/aantekeningen", headers=af)
        assert alles.json()["aantekeningen"] == []
        rijen = await _log(gateway, issuer, casus["id"])
        weigeringen = [r for r in rijen if r["actie"] == "weigering"]
        assert [r["detail"].get("organisatie") for r in weigeringen].count(RIEC) == 3
        assert not [r for r in rijen if r["actie"] == "aantekening"]
