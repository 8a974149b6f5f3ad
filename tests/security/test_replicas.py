"""Replicas share one rate-limit budget through Redis: two real intake processes, one counter.

Each test uses its own key prefix (`MELDROUTE_REDIS_PREFIX`), so parallel runs never share counters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceProcess, TestDatabases

if TYPE_CHECKING:
    from meldroute_dev.testing import ServiceHarness

    from tests.security.conftest import Api

ROOT = Path(__file__).resolve().parents[2]
INTAKE = next(d for d in DIENSTEN if d.naam == "intake-api")
REDIS = "redis://127.0.0.1:6379/0"
LIMIET = 5

Replicas = Callable[[dict[str, str]], list[ServiceProcess]]


@pytest.fixture
def replicas(
    test_databases: TestDatabases, local_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Replicas]:
    """`replicas(env)`: two intake processes on one database with the given extra settings."""
    gestart: list[ServiceProcess] = []

    def start(extra: dict[str, str]) -> list[ServiceProcess]:
        database = test_databases.create("replicas-intake")
        upgrade(service_dir=INTAKE.folder(ROOT), database_url=database)
        env = {
            "MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir), "INTAKE_DATABASE_URL": database,
            "INTAKE_OUTBOX_RELAY_AAN": "false", "INTAKE_RETENTIE_TAAK_AAN": "false",
            "INTAKE_RATE_LIMIT": f"{LIMIET}/minute", **extra,
        }  # fmt: skip
        paar = []
        for _ in range(2):
            proces = ServiceProcess(dienst=INTAKE, env=env, log_dir=tmp_path_factory.mktemp("replica"))
            gestart.append(proces)
            proces.start()
            paar.append(proces)
        return paar

    yield start
    for proces in gestart:
        proces.stop()


def _verdeeld(api: Api, paar: list[ServiceProcess], aantal: int) -> list[int]:
    """`aantal` signals of one client, alternately at each replica; the statuses in order."""
    operatie = api.operatie("signaalAanmaken")
    token = api.token("melder", sub=f"replica-{uuid.uuid4().hex[:8]}", organisatie=None)
    statussen = []
    for nummer in range(aantal):
        antwoord = api.verzoek(operatie, token=token, base_url=paar[nummer % 2].url)
        assert antwoord.status_code in {201, 429}, antwoord.text
        if antwoord.status_code == 429:
            assert int(antwoord.headers["retry-after"]) >= 1
        statussen.append(antwoord.status_code)
    return statussen


def test_two_replicas_behind_one_redis_share_one_budget(api: Api, replicas: Replicas) -> None:
    paar = replicas({"MELDROUTE_REDIS_URL": REDIS, "MELDROUTE_REDIS_PREFIX": f"test-{uuid.uuid4().hex}"})
    statussen = _verdeeld(api, paar, 2 * LIMIET)
    # The (limit+1)th request overall is refused, whichever replica it reaches.
    assert statussen == [201] * LIMIET + [429] * LIMIET, statussen


def test_without_redis_each_replica_counts_alone(api: Api, replicas: Replicas) -> None:
    """The control: in-memory counters give each process its own budget (twice the limit in total)."""
    paar = replicas({})
    assert _verdeeld(api, paar, 2 * LIMIET) == [201] * (2 * LIMIET)


async def test_counters_out_of_reach_refuse_rather_than_admit(
    api: Api, harness_van: Callable[[str], ServiceHarness]
) -> None:
    harness = harness_van("intake-api")
    operatie = api.operatie("signaalAanmaken")
    async with harness.client(
        redis_url="redis://127.0.0.1:9/0", outbox_relay_aan=False, retentie_taak_aan=False
    ) as client:
        token = api.token("melder", organisatie=None)
        antwoord = await client.post(
            operatie.pad, json=operatie.body_voorbeeld, headers={"Authorization": f"Bearer {token}"}
        )
    api.probleem(antwoord, 503)
    assert "verzoeklimiet" in antwoord.json()["detail"]


GATEWAY = next(d for d in DIENSTEN if d.naam == "privacy-gateway")


def test_a_real_gateway_refuses_per_sub_and_counts_denied_probes(
    api: Api, test_databases: TestDatabases, local_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A gateway process with low limits: 429 per sub on the partner operations, and 30 probes for unknown
    cases give 5 rows of their own and one row counting the other 25 (written when the process stops)."""
    database = test_databases.create("grenzen-gateway-limiet")
    upgrade(service_dir=GATEWAY.folder(ROOT), database_url=database)
    env = {
        "MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir), "GATEWAY_DATABASE_URL": database,
        "GATEWAY_INTAKE_URL": api.stack.url("intake-api"), "GATEWAY_RATE_LIMIT": "30/minute",
        "GATEWAY_WEIGERINGEN_LOGBUDGET": "5/hour",
        "MELDROUTE_REDIS_URL": REDIS, "MELDROUTE_REDIS_PREFIX": f"test-{uuid.uuid4().hex}",
    }  # fmt: skip
    proces = ServiceProcess(dienst=GATEWAY, env=env, log_dir=tmp_path_factory.mktemp("gateway"))
    proces.start()
    try:
        casus = api.operatie("casusOpvragen")
        sonde = api.token("partner", dienst="privacy-gateway", sub="sonde", gemeente=None)
        statussen = [api.verzoek(casus, token=sonde, base_url=proces.url).status_code for _ in range(35)]
        assert statussen == [404] * 30 + [429] * 5, statussen
        # Another user of the same partner still has a budget of their own.
        ander = api.token("partner", dienst="privacy-gateway", sub="ander", gemeente=None)
        assert api.verzoek(api.operatie("beleidOphalen"), token=ander, base_url=proces.url).status_code == 200
        fg = api.token("fg", dienst="privacy-gateway", gemeente=None, organisatie=None)
        rijen = api.verzoek(
            api.operatie("verwerkingenOpvragen"), token=fg, query={"pageSize": 100}, base_url=proces.url
        ).json()["verwerkingen"]
        assert [r["actie"] for r in rijen] == ["weigering"] * 5
    finally:
        proces.stop()
    proces.start()  # the count of the open window was written on the way down
    try:
        rijen = api.verzoek(
            api.operatie("verwerkingenOpvragen"), token=fg, query={"pageSize": 100}, base_url=proces.url
        ).json()["verwerkingen"]
        assert [r["actie"] for r in rijen] == ["weigering"] * 5 + ["weigeringen_geteld"]
        assert rijen[-1]["detail"]["aantal"] == 25 and rijen[-1]["detail"]["gebruiker"] == "sonde"
        verificatie = api.verzoek(
            api.operatie("verwerkingenVerifieren"), token=fg, base_url=proces.url
        ).json()
        assert verificatie["ok"] is True and verificatie["aantal"] == 6
    finally:
        proces.stop()
