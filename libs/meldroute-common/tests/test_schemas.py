"""The schema base: snake_case in code, camelCase in JSON; requests strict and closed, responses by name."""

from __future__ import annotations

import pytest
from meldroute_common.schemas import Invoer, Uitvoer
from pydantic import ValidationError


class _Verzoek(Invoer):
    gemeente_code: str
    toestemming: bool


class _Antwoord(Uitvoer):
    gemeente_code: str


def test_requests_take_camel_case_only_strictly_and_nothing_else() -> None:
    verzoek = _Verzoek.model_validate({"gemeenteCode": "GM1509", "toestemming": False})
    assert verzoek.gemeente_code == "GM1509"
    for fout in (
        {"gemeente_code": "GM1509", "toestemming": False},
        {"gemeenteCode": "GM1509", "toestemming": "false"},
        {"gemeenteCode": "GM1509", "toestemming": False, "bsn": "111222333"},
    ):
        with pytest.raises(ValidationError):
            _Verzoek.model_validate(fout)


def test_responses_are_built_by_name_and_published_by_alias() -> None:
    antwoord = _Antwoord(gemeente_code="GM1509")
    assert antwoord.model_dump(mode="json") == {"gemeenteCode": "GM1509"}
    assert set(_Antwoord.model_json_schema()["properties"]) == {"gemeenteCode"}
