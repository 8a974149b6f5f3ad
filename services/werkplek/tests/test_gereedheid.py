"""Readiness: the werkplek is ready only while its session store answers (without it nobody can log in)."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import pytest
from meldroute_dev.testing import free_port
from redis.asyncio import Redis
from redis.exceptions import RedisError
from werkplek.main import create_app
from werkplek.sessies import RedisOpslag, Sessie, Sessies

from .conftest import BASIS, werkplek_settings

REDIS = "redis://127.0.0.1:6379/0"


@asynccontextmanager
async def _werkplek(local_dir: Path, redis_url: str, prefix: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(werkplek_settings(local_dir, redis_url=redis_url, redis_prefix=prefix))
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASIS) as client,
    ):
        client.app = app  # type: ignore[attr-defined]
        yield client


async def test_ready_with_redis_and_the_sessions_are_there(local_dir: Path) -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}"
    async with _werkplek(local_dir, REDIS, prefix) as client:
        gereed = await client.get("/health/ready")
        assert gereed.status_code == 200, gereed.text
        assert gereed.json()["sessieopslag"] == "ok" and gereed.json()["dienst"] == "werkplek"
        sessies: Sessies = client.app.state.sessies  # type: ignore[attr-defined]
        assert isinstance(sessies.opslag, RedisOpslag)
        sessie = Sessie(id="s-" + uuid.uuid4().hex, sub="melder-1", rol="melder", naam="Melder", gemeente=None,
                        scopes=[], tokens={}, verloopt=int(time.time()) + 600)  # fmt: skip
        try:
            await sessies.bewaar(sessie)
            sleutels = [k.decode() async for k in sessies.opslag.redis.scan_iter(match=f"{prefix}:*")]
            assert len(sleutels) == 1 and sleutels[0].startswith(f"{prefix}:werkplek:sessie:")
        finally:
            async for sleutel in sessies.opslag.redis.scan_iter(match=f"{prefix}:*"):
                await sessies.opslag.redis.delete(sleutel)


async def test_not_ready_when_redis_cannot_be_reached(local_dir: Path) -> None:
    # A port nothing listens on: the connection is refused at once.
    async with _werkplek(local_dir, f"redis://127.0.0.1:{free_port()}/0", "test-onbereikbaar") as client:
        begin = time.monotonic()
        niet = await client.get("/health/ready")
        assert time.monotonic() - begin < 10, "readiness must answer within the probe's patience"
        assert niet.status_code == 503
        assert niet.headers["content-type"].startswith("application/problem+json")
        assert "sessieopslag" in niet.json()["detail"]
        assert "127.0.0.1" not in niet.text, "the unauthenticated answer names no address"
        # Alive all the same: a restart would not bring Redis back.
        assert (await client.get("/health/live")).status_code == 200


async def _redis_gereed(poort: int) -> None:
    redis = Redis.from_url(f"redis://127.0.0.1:{poort}/0", socket_connect_timeout=1)
    try:
        for _ in range(100):
            try:
                if await redis.ping():
                    return
            except RedisError:
                await asyncio.sleep(0.05)
        raise AssertionError("redis-server did not start")
    finally:
        await redis.aclose()


def _redis_server(poort: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["redis-server", "--port", str(poort), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.processes
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")
async def test_readiness_follows_redis_going_away_and_coming_back(local_dir: Path) -> None:
    poort = free_port()
    redis = _redis_server(poort)
    try:
        await _redis_gereed(poort)
        async with _werkplek(local_dir, f"redis://127.0.0.1:{poort}/0", "test-weg") as client:
            assert (await client.get("/health/ready")).status_code == 200
            redis.terminate()
            redis.wait(timeout=10)
            assert (await client.get("/health/ready")).status_code == 503
            redis = _redis_server(poort)
            await _redis_gereed(poort)
            assert (await client.get("/health/ready")).status_code == 200
    finally:
        redis.terminate()
        redis.wait(timeout=10)
