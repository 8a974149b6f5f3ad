"""Limits that keep a caller from exhausting a service: body size, page size and rate per client."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from meldroute_common.problems import PROBLEM_JSON
from meldroute_common.roles import ROLLEN
from meldroute_common.settings import ServiceSettings
from meldroute_dev.services import DIENSTEN

if TYPE_CHECKING:
    from meldroute_dev.testing import ServiceHarness

    from tests.security.conftest import Api, Operatie

#: Used when a pageSize parameter documents no maximum: the cap the services state in their descriptions.
STANDAARD_PAGINA_MAX = 100
#: Operations that must be limited per client, whatever else is: recording a signal, the statistics and the
#: internal operations; on the gateway every operation (a partner or the FG calls each of them).
VERPLICHT_BEGRENSD = {
    "signaalAanmaken", "signalenTellen", "internCasussenZoeken", "internCasusOphalen", "internPseudoniemBepalen",
}  # fmt: skip
LAGE_LIMIET = "3/minute"
POGINGEN = 10


def _max_body(dienst: str) -> int:
    """The service's default body limit, as its settings class declares it (the stack runs the defaults)."""
    package = next(d.package for d in DIENSTEN if d.naam == dienst)
    module = importlib.import_module(f"{package}.config")
    klassen = [
        k for k in vars(module).values()
        if isinstance(k, type) and issubclass(k, ServiceSettings) and k is not ServiceSettings
    ]  # fmt: skip
    assert len(klassen) == 1, klassen
    grens = klassen[0].model_fields["max_body_bytes"].default
    assert isinstance(grens, int)
    return grens


def _rol(operatie: Operatie) -> str:
    return next(naam for naam, rol in ROLLEN.items() if operatie.toegestaan_voor(rol))


def test_a_body_over_the_limit_is_413_on_every_operation_with_a_body(api: Api) -> None:
    operaties = [o for o in api.operaties if o.heeft_body]
    assert {o.dienst for o in operaties} == {d.naam for d in DIENSTEN}
    for operatie in operaties:
        grens = _max_body(operatie.dienst)
        url = api.stack.url(operatie.dienst) + operatie.pad
        for naam in operatie.pad_parameters:
            url = url.replace("{" + naam + "}", "00000000-0000-4000-8000-000000000000")
        kop = {
            "Authorization": f"Bearer {api.token(_rol(operatie), dienst=operatie.dienst)}",
            "Content-Type": "application/json",
        }
        # Declared length over the limit, and the same amount streamed without a length (chunked).
        te_groot = b"[" + b" " * grens + b"]"
        # Each with its own method (POST, PUT): the limit holds for every write.
        api.probleem(api.http.request(operatie.methode, url, content=te_groot, headers=kop), 413)

        def stukken(totaal: int = grens + 2) -> Iterator[bytes]:
            for begin in range(0, totaal, 64 * 1024):
                yield b" " * min(64 * 1024, totaal - begin)

        api.probleem(api.http.request(operatie.methode, url, content=stukken(), headers=kop), 413)


def test_page_size_over_the_cap_is_400(api: Api) -> None:
    operaties = [o for o in api.operaties if "pageSize" in o.query_parameters]
    assert operaties, "no operation pages"
    for operatie in operaties:
        schema = operatie.query_parameters["pageSize"].get("schema", {})
        grens = int(schema.get("maximum", STANDAARD_PAGINA_MAX))
        token = api.token(_rol(operatie), dienst=operatie.dienst)
        assert api.verzoek(operatie, token=token, query={"pageSize": grens}).status_code == 200, str(operatie)
        for te_veel in (grens + 1, 10**12):
            document = api.probleem(api.verzoek(operatie, token=token, query={"pageSize": te_veel}), 400)
            assert "pageSize" in {p["name"] for p in document.get("invalidParams", [])}, (
                str(operatie),
                document,
            )


async def _tot_429(
    client: httpx.AsyncClient, api: Api, operatie: Operatie, *, sub: str, **claims: Any
) -> tuple[int, httpx.Response | None]:
    """Call until the first 429 (at most POGINGEN times); the calls let through before it, and the 429."""
    token = api.token(_rol(operatie), dienst=operatie.dienst, sub=sub, **claims)
    gelukt = 0
    for _ in range(POGINGEN):
        antwoord = await client.request(
            operatie.methode, operatie.pad, json=operatie.body_voorbeeld if operatie.heeft_body else None,
            headers={"Authorization": f"Bearer {token}"},
        )  # fmt: skip
        if antwoord.status_code == 429:
            return gelukt, antwoord
        assert antwoord.status_code < 500, antwoord.text
        gelukt += 1
    return gelukt, None


def _assert_429(gelukt: int, antwoord: httpx.Response | None, operatie: Operatie) -> None:
    assert antwoord is not None, f"{operatie}: {POGINGEN} calls within a minute, none refused ({LAGE_LIMIET})"
    assert 1 <= gelukt <= 3, f"{operatie}: {gelukt} calls passed before the first 429"
    assert antwoord.headers["content-type"].startswith(PROBLEM_JSON)
    assert int(antwoord.headers["retry-after"]) >= 1


def _per_client_limieten(dienst: str) -> list[str]:
    """The environment names of every per-client limit of a service (`<PREFIX>RATE_LIMIT`, `..._RATE_LIMIT`)."""
    dienst_ = next(d for d in DIENSTEN if d.naam == dienst)
    velden = dienst_.settings_class().model_fields
    return [f"{dienst_.env_prefix}{naam.upper()}" for naam in velden if naam.endswith("rate_limit")]


def test_expensive_operations_are_documented_as_rate_limited(api: Api) -> None:
    begrensd = {o.operation_id for o in api.operaties if o.begrensd}
    verplicht = VERPLICHT_BEGRENSD | {o.operation_id for o in api.operaties if o.dienst == "privacy-gateway"}
    assert begrensd >= verplicht, f"not rate limited: {sorted(verplicht - begrensd)}"
    zonder_429 = [str(o) for o in api.operaties if o.begrensd and "429" not in o.statussen]
    assert not zonder_429, zonder_429


async def test_rate_limited_operations_answer_429_per_client(
    api: Api, harness_van: Callable[[str], ServiceHarness], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every operation documented as rate limited, on its service with a low `<PREFIX>RATE_LIMIT`."""
    begrensd = [o for o in api.operaties if o.begrensd]
    for dienst in sorted({o.dienst for o in begrensd}):
        for naam in _per_client_limieten(dienst):
            monkeypatch.setenv(naam, LAGE_LIMIET)  # through the documented setting names
        harness = harness_van(dienst)
        assert harness.settings().rate_limit == LAGE_LIMIET
        extra: dict[str, Any] = {}
        if dienst == "intake-api":
            extra = {"outbox_relay_aan": False, "retentie_taak_aan": False}
        elif dienst == "privacy-gateway":
            extra = {"intake_url": api.stack.url("intake-api")}  # the stack's intake answers its reads
        async with harness.client(**extra) as client:
            for operatie in (o for o in begrensd if o.dienst == dienst):
                gelukt, antwoord = await _tot_429(
                    client, api, operatie, sub=f"limiet-{operatie.operation_id}-1"
                )
                _assert_429(gelukt, antwoord, operatie)
                # Another client (same municipality and partner) is not held up by the first.
                tweede = await _tot_429(client, api, operatie, sub=f"limiet-{operatie.operation_id}-2")
                assert tweede[0] >= 1, f"{operatie}: the limit is not per client"


async def test_an_organisation_shares_one_budget_across_its_users(
    api: Api, harness_van: Callable[[str], ServiceHarness], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Per-user limits high, the organisation's low: new users of the same partner do not buy a new budget."""
    monkeypatch.setenv("GATEWAY_RATE_LIMIT", "100/minute")
    monkeypatch.setenv("GATEWAY_RATE_LIMIT_ORGANISATIE", LAGE_LIMIET)
    operatie = api.operatie("beleidOphalen")  # same budget as the case operations, and no call to intake
    async with harness_van("privacy-gateway").client() as client:
        statussen = []
        for nummer in range(6):
            token = api.token("partner", dienst="privacy-gateway", sub=f"org-{nummer}", gemeente=None)
            antwoord = await client.get(operatie.pad, headers={"Authorization": f"Bearer {token}"})
            statussen.append(antwoord.status_code)
        assert statussen.count(429) == 3, statussen
        # Another organisation is not held up by the first.
        ander = api.token(
            "partner", dienst="privacy-gateway", sub="org-ander", organisatie="politie-oost", gemeente=None
        )
        antwoord = await client.get(operatie.pad, headers={"Authorization": f"Bearer {ander}"})
        assert antwoord.status_code != 429, antwoord.text
