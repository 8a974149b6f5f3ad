"""The gateway reads intake's answers bounded: a 300 MB answer from a misbehaving intake is 502, the gateway's
memory stays small, it stops reading early, and other callers are answered meanwhile.

The peer is a real process (tests/security/peers/grote_intake.py) and so is the gateway.
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.services import DIENSTEN
from meldroute_dev.testing import ServiceProcess, TestDatabases, free_port
from privacy_gateway.referenties.service import record_referenties
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

ROOT = Path(__file__).resolve().parents[2]
TOTAAL = 300 * 1024 * 1024
MAX_RSS = 200 * 1024 * 1024
MAX_WACHTTIJD = 0.200
GATEWAY = next(d for d in DIENSTEN if d.naam == "privacy-gateway")
#: A reference the partner was "shown" before: the gateway only asks intake about references it handed out.
REFERENTIE = uuid.UUID("6f1c2b7e-8d44-4c1a-9a55-0d3e2f1b7c90")
WARM_REFERENTIE = uuid.UUID("0b8e7f3a-2c51-4d7e-8f60-9a1b2c3d4e5f")


async def _record_referenties(database: str, partner: str) -> None:
    engine = create_async_engine(database)
    try:
        async with AsyncSession(engine) as session, session.begin():
            await record_referenties(
                session=session,
                partner=partner,
                referenties={uuid.uuid4(): REFERENTIE, uuid.uuid4(): WARM_REFERENTIE},
            )
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def grote_intake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    map_ = tmp_path_factory.mktemp("grote-intake")
    verslag = map_ / "verslag.txt"
    verslag.touch()
    poort = free_port()
    proces = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests/security/peers/grote_intake.py"),
            str(poort),
            str(TOTAAL),
            str(verslag),
        ]
    )
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", poort), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{poort}", verslag
    proces.terminate()
    proces.wait(timeout=10)


@pytest.fixture(scope="module")
def gateway_proces(
    grote_intake: tuple[str, Path],
    test_databases: TestDatabases,
    local_dir: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ServiceProcess]:
    database = test_databases.create("grenzen-gateway")
    upgrade(service_dir=GATEWAY.folder(ROOT), database_url=database)
    asyncio.run(_record_referenties(database, "riec-oost-nederland"))
    env = {
        "MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir), "GATEWAY_DATABASE_URL": database,
        "GATEWAY_INTAKE_URL": grote_intake[0], "GATEWAY_INTAKE_TIMEOUT_SECONDS": "30",
    }  # fmt: skip
    proces = ServiceProcess(dienst=GATEWAY, env=env, log_dir=tmp_path_factory.mktemp("logs"))
    proces.start()
    yield proces
    proces.stop()


def _verstuurd(verslag: Path, intake_pad: str) -> list[int]:
    """Bytes intake managed to send per answer on `intake_pad` (a prefix when it ends in /)."""
    uit = []
    for regel in verslag.read_text().splitlines():
        pad, aantal = regel.split()
        if pad == intake_pad or (intake_pad.endswith("/") and pad.startswith(intake_pad)):
            uit.append(int(aantal))
    return uit


@pytest.mark.parametrize(
    ("pad", "intake_pad"),
    [
        ("/v1/casussen", "/v1/intern/casussen"),  # chunked, no length: counted while streaming
        (
            f"/v1/casussen/{REFERENTIE}?doel=casusoverleg",
            "/v1/intern/casussen/",
        ),  # declared
    ],
)
def test_a_300_mb_answer_is_502_with_little_memory_and_others_are_served(
    pad: str,
    intake_pad: str,
    gateway_proces: ServiceProcess,
    grote_intake: tuple[str, Path],
    issuer: DevIssuer,
) -> None:
    proces = psutil.Process(gateway_proces.process.pid)
    voor = proces.memory_info().rss
    partner = {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie='riec-oost-nederland')}"}
    ander = {"Authorization": f"Bearer {issuer.mint(rol='partner', organisatie='af-gm1509')}"}
    with httpx.Client(base_url=gateway_proces.url, timeout=60.0) as http:
        # Warm: the callers' tokens verified, keys loaded, and the gateway's own service token for intake
        # minted (a short refusal of a declared 300 MB), so what is measured below is the reading alone.
        assert http.get("/v1/beleid", headers=ander).status_code == 200
        assert http.get("/v1/beleid", headers=partner).status_code == 200
        assert (
            http.get(
                f"/v1/casussen/{WARM_REFERENTIE}", params={"doel": "casusoverleg"}, headers=partner
            ).status_code
            == 502
        )
        antwoorden: list[httpx.Response] = []
        klaar = threading.Event()
        hoogste_rss = [voor]

        def meet() -> None:
            while not klaar.is_set():
                hoogste_rss[0] = max(hoogste_rss[0], proces.memory_info().rss)
                time.sleep(0.005)

        def groot() -> None:
            try:
                with httpx.Client(base_url=gateway_proces.url, timeout=60.0) as eigen:
                    antwoorden.append(eigen.get(pad, headers=partner))
            finally:
                klaar.set()

        meter = threading.Thread(target=meet)
        meter.start()
        begin = time.perf_counter()
        aanvaller = threading.Thread(target=groot)
        aanvaller.start()
        wachttijden = []
        while not klaar.is_set() or len(wachttijden) < 5:
            start = time.perf_counter()
            assert http.get("/v1/beleid", headers=ander).status_code == 200
            wachttijden.append(time.perf_counter() - start)
        aanvaller.join()
        meter.join()
        duur = time.perf_counter() - begin

    [antwoord] = antwoorden
    assert antwoord.status_code == 502, antwoord.text
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    assert "te groot" in antwoord.json()["detail"]
    time.sleep(0.5)  # intake writes its report once the gateway has hung up
    verzonden = _verstuurd(grote_intake[1], intake_pad)
    print(  # the figures behind the assertions, shown with -s
        f"\n{intake_pad}: 502 after {duur * 1000:.0f} ms; gateway RSS {voor / 2**20:.0f} -> "
        f"{hoogste_rss[0] / 2**20:.0f} MB; {len(wachttijden)} other calls meanwhile, slowest "
        f"{max(wachttijden) * 1000:.0f} ms; intake could send {verzonden[-1:]} bytes"
    )
    assert hoogste_rss[0] < MAX_RSS, f"gateway grew to {hoogste_rss[0] / 2**20:.0f} MB"
    assert max(wachttijden) < MAX_WACHTTIJD, [round(w * 1000) for w in wachttijden]
    # It stopped reading early: intake could write only a small part of its 300 MB before being cut off.
    assert verzonden, "intake got no request"
    assert verzonden[-1] < 64 * 1024 * 1024, verzonden
