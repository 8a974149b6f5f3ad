"""The internal API for the privacy gateway: escalated cases with sealed identities, and pseudonyms."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from meldroute_common.sealing import SealContext, load_keyring, open_sealed
from meldroute_dev.testing import ServiceHarness

from .conftest import ANDERE_GEMEENTE, OPSCHALING

Kop = Callable[..., dict[str, str]]
Doe = Callable[..., Any]


async def _opschalen(aanmaken: Doe, beoordeel: Doe, *, partners: list[str], **velden: Any) -> dict[str, Any]:
    signaal = await aanmaken(**velden)
    claims = {"gemeente": signaal["gemeenteCode"]}
    assert (await beoordeel(signaal["id"], 1, "in_behandeling", _claims=claims)).status_code == 200
    response = await beoordeel(
        signaal["id"], 2, "opgeschaald", _claims=claims, partners=partners, doel="casusoverleg",
        vertrouwelijkheidaanduiding="zaakvertrouwelijk",
    )  # fmt: skip
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def test_one_case_carries_the_sealed_identity(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop, intake_harness: ServiceHarness,
    db_rijen: Doe,
) -> None:  # fmt: skip
    await aanmaken()  # the same person in an earlier signal
    casus_signaal = await _opschalen(
        aanmaken, beoordeel, partners=OPSCHALING["partners"], indicatoren=["minderjarige-betrokken"]
    )
    gateway = kop("privacy-gateway")
    response = await client.get(f"/v1/intern/casussen/{casus_signaal['id']}", headers=gateway)
    assert response.status_code == 200, response.text
    casus = response.json()
    assert casus["status"] == casus["fase"] == "opgeschaald"
    assert casus["partners"] == OPSCHALING["partners"] and casus["doel"] == "casusoverleg"
    assert casus["vertrouwelijkheidaanduiding"] == "zaakvertrouwelijk"
    assert casus["minderjarigeBetrokken"] is True
    assert casus["kern"] == {
        "gemeenteCode": "GM1509", "melderDomein": "toezicht", "waargenomenOp": "2026-10-01",
        "ontvangenOp": casus_signaal["ontvangenOp"], "uitbuitingsvormen": ["arbeid"],
    }  # fmt: skip
    assert casus["kenmerken"] == {
        "indicatoren": ["minderjarige-betrokken"],
        "sector": "agrarisch",
        "locatietype": "boerenerf",
    }
    (betrokkene,) = casus["betrokkenen"]
    assert betrokkene["gekoppeldeSignalen"] == 1 and len(betrokkene["linkPseudoniem"]) == 64
    keyring = load_keyring([intake_harness.local_dir / "keys" / "gateway-hpke-private.pem"])
    identiteit = json.loads(
        open_sealed(
            blob=base64.b64decode(betrokkene["identiteitVerzegeld"]),
            sleutels=keyring,
            context=SealContext(
                signaal_id=uuid.UUID(casus["id"]),
                betrokkene_id=uuid.UUID(betrokkene["id"]),
                veld="identiteit",
            ),
        )
    )
    assert identiteit == {
        "bsn": "111222333", "naam": "Piet Voorbeeld", "geboortedatum": "2001-05-04", "geslacht": "man",
        "nationaliteit": "PL",
    }  # fmt: skip
    log = await db_rijen("toegangslog")
    assert [(r["door"], r["actie"]) for r in log] == [("privacy-gateway", "casus_gelezen_intern")]

    # The pseudonym service gives the gateway the same pseudonym for the same BSN, without the key.
    pseudoniem = await client.post("/v1/intern/pseudoniemen", json={"bsn": "111 222 333"}, headers=gateway)
    assert pseudoniem.json()["linkPseudoniem"] == betrokkene["linkPseudoniem"]
    # Recorded with BSN and name + birth date: both pseudonyms belong to the person.
    assert len(pseudoniem.json()["koppelpseudoniemen"]) == 2
    assert betrokkene["linkPseudoniem"] in pseudoniem.json()["koppelpseudoniemen"]


async def test_cases_that_are_not_escalated_are_404(
    aanmaken: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    signaal = await aanmaken()
    for signaal_id in (signaal["id"], str(uuid.uuid4())):
        response = await client.get(f"/v1/intern/casussen/{signaal_id}", headers=kop("privacy-gateway"))
        assert response.status_code == 404


async def test_case_list_filters_by_partner_and_pages_newest_first(
    aanmaken: Doe, beoordeel: Doe, client: httpx.AsyncClient, kop: Kop
) -> None:
    riec = await _opschalen(aanmaken, beoordeel, partners=["riec-oost-nederland"])
    beide = await _opschalen(
        aanmaken, beoordeel, partners=["riec-oost-nederland", "zorgcoordinatie-noord-oost-gelderland"]
    )
    elders = await _opschalen(
        aanmaken, beoordeel, partners=["zorgcoordinatie-noord-oost-gelderland"], gemeenteCode=ANDERE_GEMEENTE
    )
    await aanmaken()  # not escalated: never listed
    gateway = kop("privacy-gateway")

    async def ids(**params: Any) -> list[str]:
        gezien: list[str] = []
        while True:
            response = await client.get("/v1/intern/casussen", params=params, headers=gateway)
            assert response.status_code == 200, response.text
            pagina = response.json()
            for casus in pagina["casussen"]:
                assert all("identiteitVerzegeld" not in b for b in casus["betrokkenen"])
            gezien += [c["id"] for c in pagina["casussen"]]
            if pagina["volgende"] is None:
                return gezien
            params["cursor"] = pagina["volgende"]

    assert await ids(pageSize=1) == [elders["id"], beide["id"], riec["id"]]
    assert await ids(partner="riec-oost-nederland") == [beide["id"], riec["id"]]
    assert await ids(partner="zorgcoordinatie-noord-oost-gelderland", pageSize=1) == [
        elders["id"],
        beide["id"],
    ]
    assert (
        await client.get("/v1/intern/casussen", params={"pageSize": 101}, headers=gateway)
    ).status_code == 400


async def test_pseudonyms_on_request(client: httpx.AsyncClient, kop: Kop) -> None:
    gateway = kop("privacy-gateway")
    ongeldig = await client.post("/v1/intern/pseudoniemen", json={"bsn": "111222334"}, headers=gateway)
    assert ongeldig.status_code == 400 and "111222334" not in ongeldig.text
    leeg = await client.post("/v1/intern/pseudoniemen", json={"naam": "Piet"}, headers=gateway)
    assert leeg.status_code == 400
    naam = await client.post(
        "/v1/intern/pseudoniemen",
        json={"naam": "Piet Voorbeeld", "geboortedatum": "2001-05-04"},
        headers=gateway,
    )
    naam_anders_geschreven = await client.post(
        "/v1/intern/pseudoniemen",
        json={"naam": "PIET  voorbeeld", "geboortedatum": "2001-05-04"},
        headers=gateway,
    )
    assert naam.status_code == 200 and naam.json() == naam_anders_geschreven.json()
    bsn = await client.post("/v1/intern/pseudoniemen", json={"bsn": "111222333"}, headers=gateway)
    assert bsn.json() != naam.json()
    # An attention officer's token does not reach the internal API.
    assert (
        await client.post("/v1/intern/pseudoniemen", json={"bsn": "111222333"}, headers=kop())
    ).status_code == 403
