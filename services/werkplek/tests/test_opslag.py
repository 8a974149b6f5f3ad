"""The session store in Redis (as in production): prefixed keys, hashed ids, a TTL, delete on read for logins."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

from meldroute_dev.cli import WERKPLEK_CSS, werkplek_css_bundel
from werkplek.sessies import LoginTransactie, RedisOpslag, Sessie, Sessies

REDIS = "redis://127.0.0.1:6379/0"
ROOT = Path(__file__).resolve().parents[3]


def _sessie(**velden: object) -> Sessie:
    waarden: dict[str, object] = {
        "id": "sessie-" + uuid.uuid4().hex, "sub": "melder-1", "rol": "melder", "naam": "Melder",
        "gemeente": "GM1509", "scopes": ["signalen:aanmaken"], "tokens": {"intake-api": "a.b.c"},
        "verloopt": int(time.time()) + 3600, **velden,
    }  # fmt: skip
    return Sessie(**waarden)  # type: ignore[arg-type]


async def test_sessions_in_redis_are_prefixed_hashed_and_expire() -> None:
    prefix = f"test-{uuid.uuid4().hex[:8]}:werkplek"
    opslag = RedisOpslag(url=REDIS, prefix=prefix)
    sessies = Sessies(opslag=opslag, sessie_seconden=120, login_seconden=60)
    try:
        sessie = _sessie()
        await sessies.bewaar(sessie)
        sleutels = [k.decode() async for k in opslag.redis.scan_iter(match=f"{prefix}:*")]
        assert len(sleutels) == 1 and sleutels[0].startswith(f"{prefix}:sessie:")
        assert sessie.id not in sleutels[0]  # a copy of Redis holds no cookie value that works
        assert 0 < await opslag.redis.ttl(sleutels[0]) <= 120
        terug = await sessies.lees(sessie.id)
        assert terug is not None and terug.tokens == sessie.tokens and terug.csrf == sessie.csrf
        await sessies.wis(sessie.id)
        assert await sessies.lees(sessie.id) is None
        # A session never outlives its token.
        verlopen = _sessie(verloopt=int(time.time()) - 1)
        await sessies.bewaar(verlopen)
        assert await sessies.lees(verlopen.id) is None
        # A login transaction is read once.
        login_id = await sessies.begin_login(
            LoginTransactie(state="s" * 20, nonce="n" * 20, code_verifier="v" * 64)
        )
        assert (await sessies.neem_login(login_id)) is not None
        assert (await sessies.neem_login(login_id)) is None
        assert await sessies.lees("x" * 500) is None
    finally:
        async for sleutel in opslag.redis.scan_iter(match=f"{prefix}:*"):
            await opslag.redis.delete(sleutel)
        await opslag.sluit()


def test_the_served_style_sheet_is_the_npm_packages_bundled() -> None:
    # `meldroute werkplek-css` writes it from node_modules (npm ci); served by the werkplek itself, no CDN.
    assert (ROOT / WERKPLEK_CSS).read_text() == werkplek_css_bundel(ROOT)
