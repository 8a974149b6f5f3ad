"""The verwerkingenlog's signed checkpoints and witness with the services as real processes.

The gateway runs as its own process over real HTTP to intake, with a witness directory and a checkpoint
every two rows. The log is then attacked in its database as an administrator would, and the gateway's
own process is restarted with a replaced signing key; each time an auditor's kept head exposes it.
"""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import Stack, TestDatabases
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

ROOT = Path(__file__).resolve().parents[2]
RIEC = "riec-oost-nederland"


@pytest.fixture(scope="module")
def getuige(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("getuige")


@pytest.fixture(scope="module")
def log_stack(
    tmp_path_factory: pytest.TempPathFactory, test_databases: TestDatabases, local_dir: Path, getuige: Path
) -> Iterator[Stack]:
    urls = {}
    for dienst in DIENSTEN:
        urls[dienst.naam] = test_databases.create(f"e2e-log-{dienst.naam}")
        upgrade(service_dir=dienst.folder(ROOT), database_url=urls[dienst.naam])
    stack = Stack(
        local_dir=local_dir,
        database_urls=urls,
        log_dir=tmp_path_factory.mktemp("e2e-log-logs"),
        env={
            "GATEWAY_VERWERKINGEN_CHECKPOINT_INTERVAL": "2",
            "GATEWAY_VERWERKINGEN_CHECKPOINT_SECONDEN": "0",
            "GATEWAY_CHECKPOINT_WITNESS": str(getuige),
        },
    )
    stack.start()
    yield stack
    stack.stop()


def sql(url: str, *statements: str) -> list[Any]:
    """Run statements straight on a database, as its administrator can."""

    async def uitvoeren() -> list[Any]:
        engine = create_async_engine(url)
        try:
            async with engine.begin() as connection:
                rijen: list[Any] = []
                for statement in statements:
                    uitkomst = await connection.execute(text(statement))
                    rijen = list(uitkomst.all()) if uitkomst.returns_rows else []
                return rijen
        finally:
            await engine.dispose()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, uitvoeren()).result()


def offline_geldig(checkpoint: dict[str, Any], sleutels: dict[str, Any]) -> bool:
    bekend = {s["sleutelId"]: s for s in sleutels["sleutels"]}
    if checkpoint["sleutelId"] not in bekend:
        return False
    publiek = Ed25519PublicKey.from_public_bytes(
        base64.b64decode(bekend[checkpoint["sleutelId"]]["publiekeSleutel"])
    )
    tekst = (
        f"{sleutels['herkomst']}\n{checkpoint['volgnummer']}\n{checkpoint['kop']}\n{checkpoint['tijdstip']}\n"
    )
    try:
        publiek.verify(base64.b64decode(checkpoint["handtekening"]), tekst.encode())
    except Exception:
        return False
    return True


def test_kept_heads_and_the_witness_expose_truncation_and_a_replaced_key(
    log_stack: Stack, issuer: DevIssuer, getuige: Path, tmp_path: Path
) -> None:
    gateway = log_stack.url("privacy-gateway")
    fg = {"Authorization": f"Bearer {issuer.mint(rol='fg')}"}
    partner = {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie=RIEC)}"}
    proces = log_stack.services["privacy-gateway"]
    with httpx.Client(base_url=gateway, timeout=10) as http:
        # Six lookups of cases that do not exist: each is a denial, answered 404 and logged.
        for _ in range(6):
            response = http.get(
                f"/v1/casussen/{uuid.uuid4()}", params={"doel": "casusoverleg"}, headers=partner
            )
            assert response.status_code == 404, response.text
        checkpoints = http.get("/v1/verwerkingen/checkpoints", headers=fg).json()["checkpoints"]
        assert [c["volgnummer"] for c in checkpoints] == [2, 4, 6]
        sleutels = http.get("/v1/verwerkingen/sleutels", headers=fg).json()
        assert all(offline_geldig(c, sleutels) for c in checkpoints)
        # The witness, written by the process on its own volume, holds the same three heads.
        bestanden = sorted(getuige.iterdir())
        assert [json.loads(p.read_text())["volgnummer"] for p in bestanden] == [2, 4, 6]
        assert [json.loads(p.read_text()) for p in bestanden] == [
            {k: v for k, v in c.items() if k != "notitie"} for c in checkpoints
        ]
        bewaard = {k: v for k, v in checkpoints[-1].items() if k != "notitie"}
        uitkomst = http.get("/v1/verwerkingen/verificatie", params=bewaard, headers=fg).json()
        assert uitkomst["ok"] is True and uitkomst["bewaardeKop"] is True
        assert uitkomst["getuige"] == {"aantal": 3, "ontbrekend": 0}

    # The administrator swaps a signing key of their own into the configuration and restarts the process.
    dader = tmp_path / "dader.pem"
    dader.write_bytes(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    proces.stop()
    proces.env = {**proces.env, "GATEWAY_CHECKPOINT_SLEUTEL_BESTANDEN": json.dumps([str(dader)])}
    proces.start()
    with httpx.Client(base_url=gateway, timeout=10) as http:
        nieuw = http.get("/v1/verwerkingen/sleutels", headers=fg).json()
        assert [s["sleutelId"] for s in nieuw["sleutels"]] != [s["sleutelId"] for s in sleutels["sleutels"]]
        uitkomst = http.get("/v1/verwerkingen/verificatie", params=bewaard, headers=fg).json()
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        assert uitkomst["eersteFout"]["soort"] == "onbekende_sleutel"

    # Back to the real key: the kept head verifies again.
    proces.stop()
    proces.env = {k: v for k, v in proces.env.items() if k != "GATEWAY_CHECKPOINT_SLEUTEL_BESTANDEN"}
    proces.start()
    with httpx.Client(base_url=gateway, timeout=10) as http:
        assert (
            http.get("/v1/verwerkingen/verificatie", params=bewaard, headers=fg).json()["bewaardeKop"] is True
        )

        # The administrator cuts rows 5 and 6, the checkpoint at 6, and points the head at row 4.
        database = log_stack.services["privacy-gateway"].env["GATEWAY_DATABASE_URL"]
        rij4 = sql(database, "SELECT hash FROM verwerkingen WHERE volgnummer = 4")[0][0]
        sql(
            database,
            "DELETE FROM verwerkingen WHERE volgnummer > 4",
            "DELETE FROM verwerkingen_checkpoints WHERE volgnummer > 4",
            f"UPDATE verwerkingen_kop SET volgnummer = 4, hash = '{rij4}'",
        )
        uitkomst = http.get("/v1/verwerkingen/verificatie", headers=fg).json()
        assert uitkomst["ok"] is False, "the witness still has the head at row 6"
        assert uitkomst["eersteFout"]["soort"] == "bewaarde_kop_ontbreekt"
        uitkomst = http.get("/v1/verwerkingen/verificatie", params=bewaard, headers=fg).json()
        assert uitkomst["ok"] is False and uitkomst["bewaardeKop"] is False
        assert uitkomst["eersteFout"]["volgnummer"] == 5
