"""HTTP/1.1 to intake-api over asyncio streams, with kept-alive connections: the transport of the intake client.

The gateway asks one peer, intake, a few kinds of small requests; httpx's general transport (httpcore, h11 and
anyio underneath) cost about a millisecond of CPU per call there, more than the rest of the call. This one
speaks just what those calls need, strictly:

* requests with a body carry its length (no chunked uploads); a header with CR or LF is refused;
* an answer is framed by `Content-Length` or `Transfer-Encoding: chunked`, or runs to the end of the
  connection; both headers at once, differing lengths, a malformed status line or header, a 1xx answer
  or a header block over ``max_header_bytes`` are protocol errors (and the connection is dropped);
* a connection goes back to the pool only after its answer was read to the end and neither side said
  `Connection: close`; idle connections are dropped after ``keepalive_seconds`` (below the server's keep-alive
  timeout) or when the peer closed them;
* a GET on a kept-alive connection the peer closed before answering is sent once more on a new connection
  (a GET changes nothing); nothing else is ever sent twice.

Errors are httpx's (ConnectError, ReadTimeout, RemoteProtocolError, ...), so the client handles them as before.
No proxy from the environment is used: intake is reached directly.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx

__all__ = ["KeepAliveTransport"]

_CHUNK = 64 * 1024
_NO_BODY_STATUS = frozenset({204, 304})
_IDEMPOTENT_RETRY = frozenset({"GET"})


@dataclass(slots=True, eq=False)
class _Verbinding:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    hergebruikt: bool = False
    vrij_sinds: float = field(default_factory=time.monotonic)

    def bruikbaar(self, nu: float, houdbaarheid: float) -> bool:
        return (
            not self.reader.at_eof() and not self.writer.is_closing() and nu - self.vrij_sinds < houdbaarheid
        )

    def sluit(self) -> None:
        self.writer.close()


class _Verouderd(Exception):
    """A kept-alive connection the peer had closed before any byte of the answer."""


def _timeout(request: httpx.Request, soort: str) -> float | None:
    waarde = request.extensions.get("timeout", {}).get(soort)
    return waarde if isinstance(waarde, int | float) else None


class KeepAliveTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 over asyncio, at most ``max_connections`` connections, ``max_idle`` of them kept per origin."""

    def __init__(
        self,
        *,
        ssl_context: ssl.SSLContext | None = None,
        max_connections: int = 100,
        max_idle: int = 20,
        keepalive_seconds: float = 4.0,
        max_header_bytes: int = 64 * 1024,
    ) -> None:
        self._ssl = ssl_context
        self._plaatsen = asyncio.Semaphore(max_connections)
        self._max_idle = max_idle
        self._houdbaarheid = keepalive_seconds
        self._max_kop = max_header_bytes
        self._vrij: dict[tuple[str, str, int], list[_Verbinding]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        if url.scheme not in ("http", "https"):
            raise httpx.UnsupportedProtocol(f"onbekend protocol {url.scheme!r}", request=request)
        herkomst = (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))
        verzoek = await self._verzoek_bytes(request)
        try:
            async with asyncio.timeout(_timeout(request, "pool")):
                await self._plaatsen.acquire()
        except TimeoutError:
            raise httpx.PoolTimeout("geen verbinding vrij", request=request) from None
        try:
            verbinding = self._vrije(herkomst)
            if verbinding is None:
                verbinding = await self._verbind(herkomst, request)
            try:
                return await self._wissel(verbinding, herkomst, verzoek, request)
            except _Verouderd:
                if request.method not in _IDEMPOTENT_RETRY:
                    raise httpx.RemoteProtocolError(
                        "de server sloot de verbinding zonder antwoord", request=request
                    ) from None
            verbinding = await self._verbind(herkomst, request)
            try:
                return await self._wissel(verbinding, herkomst, verzoek, request)
            except _Verouderd:
                raise httpx.RemoteProtocolError(
                    "de server sloot de verbinding zonder antwoord", request=request
                ) from None
        except BaseException:
            self._plaatsen.release()
            raise

    async def aclose(self) -> None:
        for verbindingen in self._vrij.values():
            for verbinding in verbindingen:
                verbinding.sluit()
        self._vrij.clear()

    # --- connections ------------------------------------------------------------------------------

    def _vrije(self, herkomst: tuple[str, str, int]) -> _Verbinding | None:
        verbindingen = self._vrij.get(herkomst)
        nu = time.monotonic()
        while verbindingen:
            verbinding = verbindingen.pop()
            if verbinding.bruikbaar(nu, self._houdbaarheid):
                verbinding.hergebruikt = True
                return verbinding
            verbinding.sluit()
        return None

    def _terug(self, herkomst: tuple[str, str, int], verbinding: _Verbinding) -> None:
        verbindingen = self._vrij.setdefault(herkomst, [])
        if len(verbindingen) >= self._max_idle:
            verbinding.sluit()
            return
        verbinding.vrij_sinds = time.monotonic()
        verbindingen.append(verbinding)

    async def _verbind(self, herkomst: tuple[str, str, int], request: httpx.Request) -> _Verbinding:
        scheme, host, port = herkomst
        tls = None
        if scheme == "https":
            if self._ssl is None:
                self._ssl = httpx.create_ssl_context()  # once: it reads the CA bundle
            tls = self._ssl
        try:
            async with asyncio.timeout(_timeout(request, "connect")):
                reader, writer = await asyncio.open_connection(
                    host, port, ssl=tls, server_hostname=host if tls else None, limit=self._max_kop
                )
        except TimeoutError:
            raise httpx.ConnectTimeout("verbinden duurde te lang", request=request) from None
        except (OSError, ssl.SSLError) as fout:
            raise httpx.ConnectError(f"verbinden mislukt ({type(fout).__name__})", request=request) from None
        return _Verbinding(reader, writer)

    # --- one exchange -----------------------------------------------------------------------------

    @staticmethod
    async def _verzoek_bytes(request: httpx.Request) -> bytes:
        body = await request.aread()
        regels = [request.method.encode("ascii"), b" ", request.url.raw_path, b" HTTP/1.1\r\n"]
        gezien_lengte = False
        for naam, waarde in request.headers.raw:
            if any(t in naam or t in waarde for t in (b"\r", b"\n", b"\0")) or b":" in naam or not naam:
                raise httpx.LocalProtocolError("ongeldige header", request=request)
            laag = naam.lower()
            if laag == b"transfer-encoding":
                raise httpx.LocalProtocolError("een verzoek wordt niet in stukken verstuurd", request=request)
            gezien_lengte = gezien_lengte or laag == b"content-length"
            regels += [naam, b": ", waarde, b"\r\n"]
        if body and not gezien_lengte:
            regels += [b"Content-Length: ", str(len(body)).encode("ascii"), b"\r\n"]
        regels += [b"\r\n", body]
        return b"".join(regels)

    async def _wissel(
        self, verbinding: _Verbinding, herkomst: tuple[str, str, int], verzoek: bytes, request: httpx.Request
    ) -> httpx.Response:
        try:
            try:
                verbinding.writer.write(verzoek)
                async with asyncio.timeout(_timeout(request, "write")):
                    await verbinding.writer.drain()
            except TimeoutError:
                raise httpx.WriteTimeout("versturen duurde te lang", request=request) from None
            except OSError:
                if verbinding.hergebruikt:
                    raise _Verouderd from None
                raise httpx.WriteError("versturen mislukt", request=request) from None
            try:
                async with asyncio.timeout(_timeout(request, "read")):
                    kop = await verbinding.reader.readuntil(b"\r\n\r\n")
            except TimeoutError:
                raise httpx.ReadTimeout("het antwoord bleef uit", request=request) from None
            except asyncio.IncompleteReadError as fout:
                if verbinding.hergebruikt and not fout.partial:
                    raise _Verouderd from None
                raise httpx.RemoteProtocolError(
                    "de verbinding sloot midden in het antwoord", request=request
                ) from None
            except asyncio.LimitOverrunError:
                raise httpx.RemoteProtocolError(
                    "de headers van het antwoord zijn te groot", request=request
                ) from None
            except OSError:
                if verbinding.hergebruikt:
                    raise _Verouderd from None
                raise httpx.ReadError("lezen mislukt", request=request) from None
            status, reden, headers, lengte, in_stukken, sluiten = _lees_kop(kop, request)
            if request.method == "HEAD" or status in _NO_BODY_STATUS:
                lengte, in_stukken = 0, False
        except BaseException:
            verbinding.sluit()
            raise
        stroom = _Antwoordstroom(
            transport=self,
            verbinding=verbinding,
            herkomst=herkomst,
            request=request,
            lengte=lengte,
            in_stukken=in_stukken,
            houden=not sluiten and (lengte is not None or in_stukken),
        )
        return httpx.Response(
            status,
            headers=headers,
            stream=stroom,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reden},
        )

    def _klaar(self, verbinding: _Verbinding, herkomst: tuple[str, str, int], *, houden: bool) -> None:
        """An answer ended (read through, or left): the connection goes back or is closed, its place freed."""
        if houden:
            self._terug(herkomst, verbinding)
        else:
            verbinding.sluit()
        self._plaatsen.release()


def _lees_kop(
    kop: bytes, request: httpx.Request
) -> tuple[int, bytes, list[tuple[bytes, bytes]], int | None, bool, bool]:
    """Status, reason, headers, Content-Length (None: none), chunked, and whether the connection ends after."""

    def fout(wat: str) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(f"onbruikbaar antwoord: {wat}", request=request)

    regels = kop[:-4].split(b"\r\n")
    versie, _, rest = regels[0].partition(b" ")
    code, _, reden = rest.partition(b" ")
    if versie not in (b"HTTP/1.1", b"HTTP/1.0") or len(code) != 3 or not code.isdigit():
        raise fout("statusregel")
    status = int(code)
    if status < 200:
        raise fout("1xx")
    headers: list[tuple[bytes, bytes]] = []
    lengtes: set[bytes] = set()
    codering: bytes | None = None
    sluiten = versie == b"HTTP/1.0"
    for regel in regels[1:]:
        naam, dubbelepunt, waarde = regel.partition(b":")
        if not dubbelepunt or not naam or naam != naam.strip() or b" " in naam or b"\t" in naam:
            raise fout("header")
        waarde = waarde.strip(b" \t")
        laag = naam.lower()
        if laag == b"content-length":
            lengtes.add(waarde)
        elif laag == b"transfer-encoding":
            if codering is not None:
                raise fout("transfer-encoding")
            codering = waarde.lower()
        elif laag == b"connection":
            tokens = {t.strip().lower() for t in waarde.split(b",")}
            if b"close" in tokens:
                sluiten = True
            elif b"keep-alive" in tokens and versie == b"HTTP/1.0":
                sluiten = False
        headers.append((naam, waarde))
    if codering is not None:
        if codering != b"chunked" or lengtes:
            raise fout("transfer-encoding")
        return status, reden, headers, None, True, sluiten
    if lengtes:
        if len(lengtes) != 1 or not (lengte := next(iter(lengtes))).isdigit() or len(lengte) > 18:
            raise fout("content-length")
        return status, reden, headers, int(lengte), False, sluiten
    return status, reden, headers, None, False, True


class _Antwoordstroom(httpx.AsyncByteStream):
    """The body of one answer, read as it is asked for; the connection is handed back once it is through."""

    def __init__(
        self,
        *,
        transport: KeepAliveTransport,
        verbinding: _Verbinding,
        herkomst: tuple[str, str, int],
        request: httpx.Request,
        lengte: int | None,
        in_stukken: bool,
        houden: bool,
    ) -> None:
        self._transport, self._verbinding, self._herkomst = transport, verbinding, herkomst
        self._request = request
        self._lengte, self._in_stukken, self._houden = lengte, in_stukken, houden
        self._gesloten = False
        if lengte == 0 and not in_stukken:
            self._einde(houden=houden)

    def _einde(self, *, houden: bool) -> None:
        if not self._gesloten:
            self._gesloten = True
            self._transport._klaar(self._verbinding, self._herkomst, houden=houden)

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._gesloten:
            return
        reader = self._verbinding.reader
        leestijd = _timeout(self._request, "read")
        try:
            if self._in_stukken:
                async for stuk in self._stukken(reader, leestijd):
                    yield stuk
            elif self._lengte is not None:
                over = self._lengte
                while over:
                    async with asyncio.timeout(leestijd):
                        stuk = await reader.read(min(over, _CHUNK))
                    if not stuk:
                        raise httpx.RemoteProtocolError(
                            "het antwoord is korter dan aangekondigd", request=self._request
                        )
                    over -= len(stuk)
                    yield stuk
            else:
                while True:
                    async with asyncio.timeout(leestijd):
                        stuk = await reader.read(_CHUNK)
                    if not stuk:
                        break
                    yield stuk
        except TimeoutError:
            self._einde(houden=False)
            raise httpx.ReadTimeout("het antwoord bleef uit", request=self._request) from None
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            self._einde(houden=False)
            raise httpx.ReadError("lezen van het antwoord mislukt", request=self._request) from None
        except BaseException:
            self._einde(houden=False)
            raise
        self._einde(houden=self._houden)

    async def _stukken(self, reader: asyncio.StreamReader, leestijd: float | None) -> AsyncIterator[bytes]:
        while True:
            async with asyncio.timeout(leestijd):
                regel = await reader.readuntil(b"\r\n")
            grootte = regel[:-2].split(b";", 1)[0].strip()
            if not grootte or len(grootte) > 16 or any(c not in b"0123456789abcdefABCDEF" for c in grootte):
                raise httpx.RemoteProtocolError("ongeldige stukgrootte", request=self._request)
            over = int(grootte, 16)
            if over == 0:
                while True:  # trailers, up to the empty line
                    async with asyncio.timeout(leestijd):
                        if await reader.readuntil(b"\r\n") == b"\r\n":
                            return
            while over:
                async with asyncio.timeout(leestijd):
                    stuk = await reader.read(min(over, _CHUNK))
                if not stuk:
                    raise httpx.RemoteProtocolError(
                        "het antwoord is korter dan aangekondigd", request=self._request
                    )
                over -= len(stuk)
                yield stuk
            async with asyncio.timeout(leestijd):
                if await reader.readexactly(2) != b"\r\n":
                    raise httpx.RemoteProtocolError("ongeldig stuk", request=self._request)

    async def aclose(self) -> None:
        # Not read to the end: what is left of it would be read as the next answer, so the connection goes.
        self._einde(houden=False)
