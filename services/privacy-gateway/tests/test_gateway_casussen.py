"""Partner endpoints: list, one case as the policy allows, denials, evaluations, and intake failures."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from meldroute_common.beleid import BeleidFout
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

RIEC = "riec-oost-nederland"
POLITIE = "politie-oost-nederland"


def partner(issuer: DevIssuer, organisatie: str, sub: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=organisatie, sub=sub)}"}


def fg(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='fg', sub='fg-1')}"}


async def log_rijen(client: Any, issuer: DevIssuer, **filters: str) -> list[dict[str, Any]]:
    response = await client.get("/v1/verwerkingen", params={"pageSize": 100, **filters}, headers=fg(issuer))
    assert response.status_code == 200, response.text
    rijen: list[dict[str, Any]] = response.json()["verwerkingen"]
    return rijen


async def test_case_is_disclosed_with_only_the_allowed_categories(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(
        partners=[RIEC, "belastingdienst"],
        betrokkenen=[{"rol": "slachtoffer", "bsn": "111222333", "naam": "Jan Jansen"}],
    )
    async with gateway() as client:
        riec_ref = await referentie_van(client, partner(issuer, RIEC), casus)
        bd_ref = await referentie_van(client, partner(issuer, "belastingdienst"), casus)
        assert riec_ref != bd_ref
        riec = await client.get(
            f"/v1/casussen/{riec_ref}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
        )
        assert riec.status_code == 200, riec.text
        body = riec.json()
        assert body["id"] == riec_ref and casus not in riec.text
        # Days, not moments.
        assert len(body["opgeschaaldOp"]) == 10 and len(body["vensterTot"]) == 10
        assert len(body["kern"]["ontvangenOp"]) == 10
        assert body["regelId"] == "casusoverleg-riec-politie"
        assert body["categorieen"] == [
            "kern",
            "kenmerken",
            "omschrijving",
            "pseudoniem",
            "gekoppelde_signalen",
        ]
        assert body["vierOgen"] == ["identiteit"]
        assert body["omschrijving"] == "Gezien op [ADRES], bellen naar [TELEFOON]."
        [betrokkene] = body["betrokkenen"]
        link = intake.casussen[casus]["betrokkenen"][0]["linkPseudoniem"]
        assert betrokkene["pseudoniem"] and betrokkene["pseudoniem"] != link
        assert betrokkene["gekoppeldeSignalen"] == 2
        # Nothing identifying and nothing sealed leaves the gateway here.
        for verboden in (
            "111222333",
            "Jansen",
            link,
            intake.casussen[casus]["betrokkenen"][0]["identiteitVerzegeld"],
        ):
            assert verboden not in riec.text

        belasting = await client.get(
            f"/v1/casussen/{bd_ref}",
            params={"doel": "casusoverleg"},
            headers=partner(issuer, "belastingdienst"),
        )
        assert belasting.status_code == 200, belasting.text
        body = belasting.json()
        assert body["categorieen"] == ["kern", "kenmerken"]
        assert body["omschrijving"] is None
        assert (
            body["betrokkenen"][0]["pseudoniem"] is None
            and body["betrokkenen"][0]["gekoppeldeSignalen"] is None
        )
        # Two partners get unrelated references for the same person.
        assert body["betrokkenen"][0]["referentie"] != riec.json()["betrokkenen"][0]["referentie"]

        rijen = await log_rijen(client, issuer, actie="verstrekking")
        assert [(r["afnemer"], r["detail"]["categorieen"]) for r in rijen] == [
            (RIEC, ["gekoppelde_signalen", "kenmerken", "kern", "omschrijving", "pseudoniem"]),
            ("belastingdienst", ["kenmerken", "kern"]),
        ]
        # The FG sees intake's id and the reference each partner got it under.
        assert [(r["casusId"], r["detail"]["casusReferentie"]) for r in rijen] == [
            (casus, riec_ref),
            (casus, bd_ref),
        ]
        assert all(r["betrokkene"] and r["betrokkene"] != link for r in rijen)
        assert rijen[0]["grondslag"].startswith("art. 6 lid 1 sub e AVG")


async def test_partner_pseudonyms_differ_between_partners_and_are_stable(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    persoon = {"rol": "slachtoffer", "bsn": "111222333"}
    a = intake.casus(partners=[RIEC, POLITIE], betrokkenen=[persoon])
    b = intake.casus(partners=[RIEC], betrokkenen=[persoon])
    async with gateway() as client:

        async def pseudoniem(casus: str, wie: str) -> str:
            ref = await referentie_van(client, partner(issuer, wie), casus)
            r = await client.get(
                f"/v1/casussen/{ref}", params={"doel": "casusoverleg"}, headers=partner(issuer, wie)
            )
            assert r.status_code == 200, r.text
            waarde: str = r.json()["betrokkenen"][0]["pseudoniem"]
            return waarde

        assert await pseudoniem(a, RIEC) == await pseudoniem(b, RIEC)
        assert await pseudoniem(a, RIEC) != await pseudoniem(a, POLITIE)


async def test_case_not_shared_is_404_and_logged(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[POLITIE])
    async with gateway() as client:
        politie_ref = await referentie_van(client, partner(issuer, POLITIE), casus)
        # Another partner's reference, intake's own id, and a guess: all unknown to RIEC.
        for casus_id in (politie_ref, casus, "0b6f9a52-3c1d-4c8e-9f7a-2d5e8b1c4a77"):
            response = await client.get(
                f"/v1/casussen/{casus_id}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
            )
            assert response.status_code == 404, response.text
            assert "kern" not in response.json()
        rijen = await log_rijen(client, issuer)
        assert [(r["actie"], r["afnemer"], r["detail"]["reden"]) for r in rijen] == [
            ("weigering", None, "onbekend_of_niet_gedeeld")
        ] * 3
        assert [r["casusId"] for r in rijen] == [None] * 3


async def test_policy_denial_is_403_with_reason_and_logged(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    minderjarig = intake.casus(partners=["belastingdienst"], minderjarig=True)
    ander_doel = intake.casus(partners=[RIEC], doel="bestuurlijke_interventie")
    async with gateway() as client:
        minderjarig = await referentie_van(client, partner(issuer, "belastingdienst"), minderjarig)
        ander_doel = await referentie_van(client, partner(issuer, RIEC), ander_doel)
        response = await client.get(
            f"/v1/casussen/{minderjarig}",
            params={"doel": "casusoverleg"},
            headers=partner(issuer, "belastingdienst"),
        )
        assert response.status_code == 403, response.text
        assert response.json()["reden"] == "minderjarige"
        assert "kern" not in response.text
        response = await client.get(
            f"/v1/casussen/{ander_doel}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
        )
        assert response.status_code == 403 and response.json()["reden"] == "ander_doel"
        rijen = await log_rijen(client, issuer)
        assert [(r["actie"], r["detail"]["reden"]) for r in rijen] == [
            ("weigering", "minderjarige"),
            ("weigering", "ander_doel"),
        ]
        assert not await log_rijen(client, issuer, actie="verstrekking")


async def test_list_shows_only_cases_shared_with_the_caller(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    eigen = intake.casus(partners=[RIEC])
    ander = intake.casus(partners=[POLITIE])
    verlopen = intake.casus(
        partners=[RIEC, POLITIE], opgeschaald=datetime(2026, 1, 2, 9, 13, 7, 123456, tzinfo=UTC)
    )
    async with gateway() as client:
        response = await client.get("/v1/casussen", headers=partner(issuer, RIEC))
        assert response.status_code == 200, response.text
        lijst = response.json()["casussen"]
        toegang = {c["id"]: c["toegang"] for c in lijst}
        eigen_ref = await referentie_van(client, partner(issuer, RIEC), eigen)
        verlopen_ref = await referentie_van(client, partner(issuer, RIEC), verlopen)
        assert set(toegang) == {eigen_ref, verlopen_ref}
        assert toegang[eigen_ref] is True
        assert [c["id"] for c in lijst] == sorted(toegang), "ordered by the partner's own reference"
        assert [c["opgeschaaldOp"] for c in lijst if c["id"] == verlopen_ref] == ["2026-01-02"]
        for intern in (eigen, ander, verlopen):
            assert intern not in response.text
        assert "betrokkenen" not in response.text and "111222333" not in response.text
        assert intake.verzoeken[-1].url.params["partner"] == RIEC
        # A token without an organisation may not list cases.
        zonder = issuer.mint(rol="fg", audience="privacy-gateway", extra={"scope": "casussen:lezen"})
        response = await client.get("/v1/casussen", headers={"Authorization": f"Bearer {zonder}"})
        assert response.status_code == 403


async def test_evaluation_explains_without_disclosing(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=["belastingdienst"])
    async with gateway() as client:
        casus = await referentie_van(client, partner(issuer, "belastingdienst"), casus)
        response = await client.post(
            "/v1/beleid/evaluaties",
            json={"casusId": casus, "doel": "casusoverleg"},
            headers=partner(issuer, "belastingdienst"),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["toegestaan"] is True and body["regelId"] == "casusoverleg-belastingdienst"
        assert body["categorieen"] == ["kern", "kenmerken"]
        assert body["geweigerd"]["omschrijving"]["code"] == "niet_in_regel"
        assert "Gezien op" not in response.text and "GM1509" not in response.text
        response = await client.post(
            "/v1/beleid/evaluaties",
            json={"casusId": casus, "doel": "zorg_en_opvang"},
            headers=partner(issuer, "belastingdienst"),
        )
        assert response.json()["toegestaan"] is False
        assert response.json()["reden"]["code"] == "ander_doel"
        response = await client.post(
            "/v1/beleid/evaluaties",
            json={"casusId": casus, "doel": "casusoverleg"},
            headers=partner(issuer, RIEC),
        )
        assert response.status_code == 404
        assert [r["actie"] for r in await log_rijen(client, issuer)] == ["evaluatie", "evaluatie"]


@pytest.mark.parametrize(
    ("storing", "status"), [("plat", 503), ("traag", 504), ("rommel", 502), ("fout", 502), ("vorm", 502)]
)
async def test_intake_failures_disclose_and_log_nothing(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, storing: str, status: int
) -> None:
    casus = intake.casus(partners=[RIEC])
    async with gateway() as client:
        casus = await referentie_van(client, partner(issuer, RIEC), casus)
        intake.storing = storing
        response = await client.get(
            f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
        )
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "GM1509" not in response.text and "Gezien op" not in response.text
        lijst = await client.get("/v1/casussen", headers=partner(issuer, RIEC))
        assert lijst.status_code == status
        intake.storing = None
        assert await log_rijen(client, issuer) == []


async def test_slow_intake_times_out_with_the_configured_timeout(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    import asyncio

    import httpx

    casus = intake.casus(partners=[RIEC])
    origineel = intake.handler

    async def traag(request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/v1/intern/casussen/"):  # the list stays fast
            await asyncio.sleep(5)
        return origineel(request)

    intake.handler = traag  # the transport calls this; httpx applies the client's timeout around it
    async with gateway(intake_timeout_seconds=0.2) as client:
        casus = await referentie_van(client, partner(issuer, RIEC), casus)
        response = await asyncio.wait_for(
            client.get(
                f"/v1/casussen/{casus}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
            ),
            3,
        )
        assert response.status_code == 504, response.text


def test_an_invalid_policy_stops_start_up_naming_the_field(
    gateway_harness: ServiceHarness, tmp_path: Path
) -> None:
    from privacy_gateway.config import POLICIES_DIR
    from privacy_gateway.main import create_app

    tekst = (POLICIES_DIR / "riec-oost-nederland.yaml").read_text(encoding="utf-8")
    kapot = tmp_path / "kapot.yaml"
    kapot.write_text(
        tekst.replace("maxVertrouwelijkheid: confidentieel", "maxVertrouwelijkheid: topgeheim"),
        encoding="utf-8",
    )
    with pytest.raises(BeleidFout) as fout:
        create_app(gateway_harness.settings(policy_file=kapot))
    assert "maxVertrouwelijkheid" in str(fout.value)


async def test_published_policy_is_the_validated_one(gateway: Any, issuer: DevIssuer) -> None:
    async with gateway() as client:
        response = await client.get("/v1/beleid", headers=partner(issuer, RIEC))
        assert response.status_code == 200
        body = response.json()
        assert body["versie"] == "1.0.0" and body["geldigVanaf"] == "2026-01-01"
        assert any(r["id"] == "casusoverleg-riec-politie" for r in body["regels"])


async def test_the_list_reads_every_page_of_intake_and_stops_on_a_circular_cursor(
    gateway: Any, intake: Any, issuer: DevIssuer
) -> None:
    import httpx

    casussen = [intake.casus(partners=[RIEC]) for _ in range(3)]
    origineel = intake.handler
    rondje = {"aan": False}

    def per_stuk(request: httpx.Request) -> httpx.Response:
        """Intake's list one case per page (the cursor is the index), or always the same cursor."""
        if request.url.path != "/v1/intern/casussen":
            return origineel(request)
        index = int(request.url.params.get("cursor", "0"))
        volgende = None if index + 1 >= len(casussen) else ("0" if rondje["aan"] else str(index + 1))
        casus = {k: v for k, v in intake.casussen[casussen[index]].items() if k != "betrokkenen"}
        return httpx.Response(200, json={"casussen": [casus], "volgende": volgende})

    intake.handler = per_stuk
    async with gateway() as client:
        response = await client.get("/v1/casussen", params={"pageSize": 100}, headers=partner(issuer, RIEC))
        assert response.status_code == 200 and len(response.json()["casussen"]) == 3
        rondje["aan"] = True
        response = await client.get("/v1/casussen", headers=partner(issuer, RIEC))
        assert response.status_code == 502, response.text
