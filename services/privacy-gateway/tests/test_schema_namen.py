"""Published names: camelCase in every body, while the code's attributes are snake_case.

The live answers are compared with the published schemas (every key a property of its schema, every
required property present), and request bodies are read by their published names only.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from meldroute_common.devissuer import DevIssuer
from privacy_gateway.casussen.schemas import CasusSamenvatting, CasusVerstrekking, Evaluatie, EvaluatieVerzoek
from privacy_gateway.identiteit.schemas import IdentiteitsverzoekIn
from privacy_gateway.inzage.schemas import InzageverzoekIn
from pydantic import BaseModel, ValidationError

RIEC = "riec-oost-nederland"


def partner(issuer: DevIssuer, organisatie: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=organisatie)}"}


def fg(issuer: DevIssuer) -> dict[str, str]:
    return {"Authorization": f"Bearer {issuer.mint(rol='fg', sub='fg-1')}"}


def _past(body: dict[str, Any], model: type[BaseModel]) -> None:
    schema = model.model_json_schema(by_alias=True, mode="serialization")
    eigenschappen = set(schema["properties"])
    assert set(body) <= eigenschappen, set(body) - eigenschappen
    assert set(schema.get("required", [])) <= set(body)
    assert all("_" not in naam for naam in eigenschappen)


async def test_live_answers_use_the_published_camel_case_names(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[RIEC], betrokkenen=[{"rol": "slachtoffer", "bsn": "111222333"}])
    async with gateway() as client:
        referentie = await referentie_van(client, partner(issuer, RIEC), casus)
        lijst = await client.get("/v1/casussen", headers=partner(issuer, RIEC))
        assert lijst.status_code == 200, lijst.text
        [samenvatting] = lijst.json()["casussen"]
        _past(samenvatting, CasusSamenvatting)
        assert {"opgeschaaldOp", "vensterTot"} <= set(samenvatting)
        antwoord = await client.get(
            f"/v1/casussen/{referentie}", params={"doel": "casusoverleg"}, headers=partner(issuer, RIEC)
        )
        assert antwoord.status_code == 200, antwoord.text
        body = antwoord.json()
        _past(body, CasusVerstrekking)
        assert {"regelId", "vierOgen", "vensterTot", "opgeschaaldOp"} <= set(body)
        assert {"gemeenteCode", "melderDomein", "waargenomenOp", "ontvangenOp"} <= set(body["kern"])
        assert "gekoppeldeSignalen" in body["betrokkenen"][0]
        evaluatie = await client.post(
            "/v1/beleid/evaluaties",
            json={"casusId": referentie, "doel": "casusoverleg"},
            headers=partner(issuer, RIEC),
        )
        assert evaluatie.status_code == 200, evaluatie.text
        _past(evaluatie.json(), Evaluatie)
        rijen = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg(issuer))
        assert {"requestId", "casusId", "vorigeHash"} <= set(rijen.json()["verwerkingen"][0])


async def test_a_request_body_in_snake_case_is_refused_and_not_logged(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any
) -> None:
    casus = intake.casus(partners=[RIEC])
    async with gateway() as client:
        referentie = await referentie_van(client, partner(issuer, RIEC), casus)
        vooraf = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg(issuer))
        response = await client.post(
            "/v1/beleid/evaluaties",
            json={"casus_id": referentie, "doel": "casusoverleg"},
            headers=partner(issuer, RIEC),
        )
        assert response.status_code in (400, 422), response.text
        achteraf = await client.get("/v1/verwerkingen", params={"pageSize": 100}, headers=fg(issuer))
        assert achteraf.json()["verwerkingen"] == vooraf.json()["verwerkingen"]


@pytest.mark.parametrize(
    ("model", "invoer"),
    [
        (EvaluatieVerzoek, {"casus_id": "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54", "doel": "casusoverleg"}),
        (
            IdentiteitsverzoekIn,
            {"betrokkene": "b", "doel": "casusoverleg", "reden": "x" * 30, "casus_id": "x"},
        ),
        (InzageverzoekIn, {"bsn": "111222333", "geboorte_datum": "2001-05-04"}),
    ],
)
def test_request_models_know_only_their_published_names(
    model: type[BaseModel], invoer: dict[str, object]
) -> None:
    with pytest.raises(ValidationError):
        model.model_validate(invoer)


@pytest.mark.parametrize(
    ("model", "invoer"),
    [
        (EvaluatieVerzoek, {"casusId": "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54", "doel": "casusoverleg"}),
        (IdentiteitsverzoekIn, {"betrokkene": "5e1c" * 16, "doel": "casusoverleg", "reden": "x" * 30}),
        (InzageverzoekIn, {"naam": "J. Jansen", "geboortedatum": "2001-05-04"}),
    ],
)
def test_request_models_read_ids_and_dates_as_json_text(
    model: type[BaseModel], invoer: dict[str, object]
) -> None:
    # The shared input base is strict; ids and dates arrive as text and must still be read (as FastAPI does,
    # from the parsed body, and from raw JSON).
    assert model.model_validate(invoer) == model.model_validate_json(json.dumps(invoer))


def test_request_models_refuse_what_strict_input_refuses() -> None:
    with pytest.raises(ValidationError):
        InzageverzoekIn.model_validate({"naam": "J. Jansen", "geboortedatum": 989_000_000})
    with pytest.raises(ValidationError):
        EvaluatieVerzoek.model_validate({"casusId": "4d1e7a90-5b2c-8f3e-a6d1-0c9b8e7f6a54", "doel": 3})
