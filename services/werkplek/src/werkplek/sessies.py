"""Server-side sessions: the browser holds only a random session id; tokens and identity stay here.

A session is a JSON document in Redis under `<prefix>:werkplek:sessie:<sha256 of the id>` (so a copy of Redis
holds no cookie value that would work), with an idle TTL renewed on use and never past the access token's
expiry. Without Redis (development and test only) the same store runs in this process's memory.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.asyncio import Redis


def nieuw_id() -> str:
    """A session, login or CSRF id: 256 random bits."""
    return secrets.token_urlsafe(32)


def _sleutel(soort: str, sessie_id: str) -> str:
    return f"{soort}:{hashlib.sha256(sessie_id.encode()).hexdigest()}"


class Opslag(Protocol):
    async def zet(self, sleutel: str, waarde: str, *, seconden: int) -> None: ...
    async def lees(self, sleutel: str) -> str | None: ...
    async def neem(self, sleutel: str) -> str | None:
        """Read and delete in one step (a login transaction is used once)."""
        ...

    async def wis(self, sleutel: str) -> None: ...
    async def ping(self) -> None: ...
    async def sluit(self) -> None: ...


def _tekst(waarde: bytes | str | None) -> str | None:
    return waarde.decode() if isinstance(waarde, bytes) else waarde


class RedisOpslag:
    def __init__(self, *, url: str, prefix: str) -> None:
        self.redis = Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        self.prefix = prefix

    async def zet(self, sleutel: str, waarde: str, *, seconden: int) -> None:
        await self.redis.set(f"{self.prefix}:{sleutel}", waarde, ex=seconden)

    async def lees(self, sleutel: str) -> str | None:
        return _tekst(await self.redis.get(f"{self.prefix}:{sleutel}"))

    async def neem(self, sleutel: str) -> str | None:
        return _tekst(await self.redis.getdel(f"{self.prefix}:{sleutel}"))

    async def wis(self, sleutel: str) -> None:
        await self.redis.delete(f"{self.prefix}:{sleutel}")

    async def ping(self) -> None:
        await self.redis.ping()

    async def sluit(self) -> None:
        await self.redis.aclose()


@dataclass
class GeheugenOpslag:
    """The store in this process's memory: development and test only (one process, lost on restart)."""

    waarden: dict[str, tuple[str, float]] = field(default_factory=dict)

    async def zet(self, sleutel: str, waarde: str, *, seconden: int) -> None:
        self.waarden[sleutel] = (waarde, time.monotonic() + seconden)

    async def lees(self, sleutel: str) -> str | None:
        gevonden = self.waarden.get(sleutel)
        if gevonden is None or gevonden[1] < time.monotonic():
            self.waarden.pop(sleutel, None)
            return None
        return gevonden[0]

    async def neem(self, sleutel: str) -> str | None:
        waarde = await self.lees(sleutel)
        self.waarden.pop(sleutel, None)
        return waarde

    async def wis(self, sleutel: str) -> None:
        self.waarden.pop(sleutel, None)

    async def ping(self) -> None:
        return None

    async def sluit(self) -> None:
        return None


@dataclass
class Sessie:
    """One logged-in user: who, the tokens per audience, the CSRF token and what they recorded here."""

    id: str
    sub: str
    rol: str
    naam: str
    gemeente: str | None
    scopes: list[str]
    #: audience → access token; never sent to the browser.
    tokens: dict[str, str]
    #: Unix time the access token expires: the session ends then too.
    verloopt: int
    csrf: str = field(default_factory=nieuw_id)
    #: Ids of the signals recorded in this session, newest first (the melder's "my signals").
    eigen_signalen: list[str] = field(default_factory=list)
    #: The ID token of the login: the `id_token_hint` of the logout at the provider (it opens no API).
    id_token: str = ""
    #: The access token of the login: what is exchanged for a service's audience it lacks (never sent as is
    #: to a service whose audience it does not carry).
    login_token: str = ""

    def mag(self, scope: str) -> bool:
        return scope in self.scopes

    def token(self, audience: str) -> str | None:
        return self.tokens.get(audience)

    def naar_json(self) -> str:
        velden = {k: v for k, v in self.__dict__.items() if k != "id"}
        return json.dumps(velden)

    @classmethod
    def uit_json(cls, sessie_id: str, tekst: str) -> Sessie:
        velden: dict[str, Any] = json.loads(tekst)
        return cls(id=sessie_id, **velden)


@dataclass(frozen=True)
class LoginTransactie:
    """A started login: what the callback must match (state, nonce) and the PKCE verifier."""

    state: str
    nonce: str
    code_verifier: str


class Sessies:
    """Sessions and login transactions over one store."""

    def __init__(self, *, opslag: Opslag, sessie_seconden: int, login_seconden: int) -> None:
        self.opslag, self.sessie_seconden, self.login_seconden = opslag, sessie_seconden, login_seconden

    def _ttl(self, sessie: Sessie) -> int:
        return max(1, min(self.sessie_seconden, sessie.verloopt - int(time.time())))

    async def bewaar(self, sessie: Sessie) -> None:
        await self.opslag.zet(_sleutel("sessie", sessie.id), sessie.naar_json(), seconden=self._ttl(sessie))

    async def lees(self, sessie_id: str | None) -> Sessie | None:
        """The session of a cookie value, renewed; None when unknown, expired or past its token's expiry."""
        if not sessie_id or len(sessie_id) > 128:
            return None
        tekst = await self.opslag.lees(_sleutel("sessie", sessie_id))
        if tekst is None:
            return None
        sessie = Sessie.uit_json(sessie_id, tekst)
        if sessie.verloopt <= int(time.time()):
            await self.wis(sessie_id)
            return None
        await self.bewaar(sessie)  # sliding idle timeout
        return sessie

    async def wis(self, sessie_id: str) -> None:
        await self.opslag.wis(_sleutel("sessie", sessie_id))

    async def begin_login(self, transactie: LoginTransactie) -> str:
        login_id = nieuw_id()
        waarde = json.dumps(transactie.__dict__)
        await self.opslag.zet(_sleutel("login", login_id), waarde, seconden=self.login_seconden)
        return login_id

    async def neem_login(self, login_id: str | None) -> LoginTransactie | None:
        """The login transaction of a callback, deleted as it is read (a callback works once)."""
        if not login_id or len(login_id) > 128:
            return None
        tekst = await self.opslag.neem(_sleutel("login", login_id))
        return None if tekst is None else LoginTransactie(**json.loads(tekst))
