"""The gateway's transport to intake: answers framed strictly, connections kept only when that is safe."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from privacy_gateway.intake.verbinding import KeepAliveTransport

Behandelaar = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


class Peer:
    """A raw HTTP peer: ``behandel(reader, writer, n)`` answers the n-th request on a connection."""

    def __init__(self, behandel: Behandelaar) -> None:
        self.behandel = behandel
        self.verbindingen = 0
        self.verzoeken: list[bytes] = []

    async def _verbinding(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.verbindingen += 1
        n = 0
        try:
            while True:
                kop = await reader.readuntil(b"\r\n\r\n")
                lengte = next(
                    (
                        int(r.split(b":")[1])
                        for r in kop.split(b"\r\n")
                        if r.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                self.verzoeken.append(kop + await reader.readexactly(lengte))
                await self.behandel(reader, writer, n)
                n += 1
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@pytest.fixture
async def peer() -> AsyncIterator[Callable[[Behandelaar], Awaitable[tuple[Peer, str]]]]:
    servers: list[asyncio.Server] = []

    async def start(behandel: Behandelaar) -> tuple[Peer, str]:
        p = Peer(behandel)
        server = await asyncio.start_server(p._verbinding, "127.0.0.1", 0)
        servers.append(server)
        return p, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"

    yield start
    for server in servers:
        server.close()


def antwoord(body: bytes, *extra: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\ncontent-length: %d\r\n%b\r\n%b" % (
        len(body),
        b"".join(e + b"\r\n" for e in extra),
        body,
    )


async def schrijf(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.drain()


async def test_answers_by_length_reuse_one_connection(peer) -> None:  # type: ignore[no-untyped-def]
    p, url = await peer(lambda r, w, n: schrijf(w, antwoord(b'{"n": %d}' % n)))
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        assert (await http.get(f"{url}/a?x=1")).json() == {"n": 0}
        assert (await http.post(f"{url}/b", json={"a": 1})).json() == {"n": 1}
    assert p.verbindingen == 1
    assert p.verzoeken[0].startswith(b"GET /a?x=1 HTTP/1.1\r\n")
    assert p.verzoeken[1].startswith(b"POST /b HTTP/1.1\r\n") and p.verzoeken[1].endswith(b'{"a":1}')


async def test_a_chunked_answer_is_read_whole_and_the_connection_kept(peer) -> None:  # type: ignore[no-untyped-def]
    stukken = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5;x=y\r\nhallo\r\n7\r\n wereld\r\n0\r\nt: 1\r\n\r\n"
    p, url = await peer(lambda r, w, n: schrijf(w, stukken))
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        assert (await http.get(url)).content == b"hallo wereld"
        assert (await http.get(url)).content == b"hallo wereld"
    assert p.verbindingen == 1


async def test_an_answer_without_length_runs_to_the_close_and_its_connection_goes(peer) -> None:  # type: ignore[no-untyped-def]
    async def tot_het_einde(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await schrijf(w, b"HTTP/1.1 200 OK\r\n\r\ntot het einde")
        w.close()

    p, url = await peer(tot_het_einde)
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        assert (await http.get(url)).content == b"tot het einde"
        assert (await http.get(url)).content == b"tot het einde"
    assert p.verbindingen == 2


@pytest.mark.parametrize(
    "kop",
    [
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 3\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ncontent-length: -2\r\n\r\n",
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\n folded: header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nnaam zonder dubbelepunt\r\n\r\n",
        b"HTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/2 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
    ],
)
async def test_ambiguous_or_malformed_framing_is_a_protocol_error(peer, kop: bytes) -> None:  # type: ignore[no-untyped-def]
    _, url = await peer(lambda r, w, n: schrijf(w, kop + b"ok"))
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url)


async def test_headers_over_the_maximum_are_refused(peer) -> None:  # type: ignore[no-untyped-def]
    groot = b"HTTP/1.1 200 OK\r\nx: " + b"a" * 5000 + b"\r\ncontent-length: 0\r\n\r\n"
    _, url = await peer(lambda r, w, n: schrijf(w, groot))
    async with httpx.AsyncClient(transport=KeepAliveTransport(max_header_bytes=4096)) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url)


async def test_a_short_body_is_an_error_not_an_answer(peer) -> None:  # type: ignore[no-untyped-def]
    async def kort(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await schrijf(w, b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nkort")
        w.close()

    _, url = await peer(kort)
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.get(url)


async def test_a_kept_connection_closed_by_the_peer_is_retried_for_a_get_only(peer) -> None:  # type: ignore[no-untyped-def]
    async def sluit_bij_het_tweede(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        if n == 0:
            await schrijf(w, antwoord(b"eerste"))
        else:
            w.close()  # the request was read, no answer

    p, url = await peer(sluit_bij_het_tweede)
    async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
        assert (await http.get(url)).content == b"eerste"
        assert (await http.get(url)).content == b"eerste"  # sent again, on a new connection
        assert p.verbindingen == 2
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(url, json={})  # never sent twice
    assert sum(v.startswith(b"POST") for v in p.verzoeken) == 1


async def test_a_body_left_unread_drops_the_connection(peer) -> None:  # type: ignore[no-untyped-def]
    p, url = await peer(lambda r, w, n: schrijf(w, antwoord(b"x" * 200_000)))
    transport = KeepAliveTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        async with http.stream("GET", url) as response:
            async for _ in response.aiter_raw():
                break
        assert (await http.get(url)).content == b"x" * 200_000
    assert p.verbindingen == 2


async def test_timeouts_and_refused_connections_are_httpx_errors(peer) -> None:  # type: ignore[no-untyped-def]
    async def zwijg(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        await asyncio.sleep(5)

    _, url = await peer(zwijg)
    async with httpx.AsyncClient(transport=KeepAliveTransport(), timeout=0.2) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(url)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            vrij = s.getsockname()[1]
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{vrij}/")


async def test_a_header_with_a_line_break_is_never_sent(peer) -> None:  # type: ignore[no-untyped-def]
    p, url = await peer(lambda r, w, n: schrijf(w, antwoord(b"")))
    transport = KeepAliveTransport()
    verzoek = httpx.Request("GET", url, headers={"x-a": "b"})
    verzoek.headers._list.append((b"x-b", b"x-b", b"1\r\nx-c: 2"))  # what httpx would let through
    with pytest.raises(httpx.LocalProtocolError):
        await transport.handle_async_request(verzoek)
    await transport.aclose()
    assert p.verzoeken == []


async def test_https_is_verified_against_the_trusted_certificate(tmp_path: Path) -> None:
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    sleutel = ec.generate_private_key(ec.SECP256R1())
    naam = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "intake-test")])
    nu = datetime.datetime.now(datetime.UTC)
    certificaat = (
        x509.CertificateBuilder()
        .subject_name(naam)
        .issuer_name(naam)
        .public_key(sleutel.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(nu - datetime.timedelta(minutes=1))
        .not_valid_after(nu + datetime.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(sleutel, hashes.SHA256())
    )
    pem = tmp_path / "cert.pem"
    pem.write_bytes(certificaat.public_bytes(serialization.Encoding.PEM))
    sleutel_pem = tmp_path / "key.pem"
    sleutel_pem.write_bytes(
        sleutel.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(pem, sleutel_pem)
    p = Peer(lambda r, w, n: schrijf(w, antwoord(b"veilig")))
    server = await asyncio.start_server(p._verbinding, "127.0.0.1", 0, ssl=server_ctx)
    url = f"https://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
    try:
        vertrouwd = ssl.create_default_context(cafile=str(pem))
        async with httpx.AsyncClient(transport=KeepAliveTransport(ssl_context=vertrouwd)) as http:
            assert (await http.get(url)).content == b"veilig"
            assert (await http.get(url)).content == b"veilig"
        assert p.verbindingen == 1
        # Without that trust (the system's CA bundle), the certificate is refused.
        async with httpx.AsyncClient(transport=KeepAliveTransport()) as http:
            with pytest.raises(httpx.ConnectError):
                await http.get(url)
    finally:
        server.close()
