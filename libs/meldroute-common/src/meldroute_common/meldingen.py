"""Notifications on the wire: CloudEvents 1.0 (structured JSON) signed with HMAC-SHA256, posted as a
webhook, or a plain-text mail through SMTP.

A notification says *that* something waits in meldroute, never *what*: its type, an opaque subject and
ids. The signature covers the timestamp and the exact body bytes:

    Meldroute-Tijdstip: 1764614400
    Meldroute-Handtekening: v1=<hex HMAC-SHA256(secret, "1764614400." + body)>

A receiver recomputes the HMAC over the raw body with its secret (`verify_handtekening`, constant-time)
and refuses a timestamp outside its window, so a captured request cannot be replayed later. The event
`id` stays the same across retries: a receiver deduplicates on it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import json
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import aiosmtplib
import httpx

SPECVERSION = "1.0"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
KOP_TIJDSTIP = "Meldroute-Tijdstip"
KOP_HANDTEKENING = "Meldroute-Handtekening"
HANDTEKENING_VERSIE = "v1"
#: How far a receiver lets the timestamp differ from its clock (seconds) by default.
STANDAARD_VENSTER = 300


class Meldingsoort(StrEnum):
    """What a notification announces; the CloudEvent `type` is `nl.meldroute.` + the value."""

    traject_geopend = "traject.geopend"
    advies_gevraagd = "advies.gevraagd"
    terugkoppeling_vastgelegd = "terugkoppeling.vastgelegd"
    goedkeuring_wacht = "goedkeuring.wacht"
    termijn_verstreken = "termijn.verstreken"


#: The mail's words for each kind (no case content: the reader logs in to see it).
OMSCHRIJVINGEN: dict[Meldingsoort, str] = {
    Meldingsoort.traject_geopend: "Er is een traject voor uw organisatie geopend.",
    Meldingsoort.advies_gevraagd: "Er wordt uw advies gevraagd.",
    Meldingsoort.terugkoppeling_vastgelegd: "Een partner heeft een uitkomst teruggekoppeld.",
    Meldingsoort.goedkeuring_wacht: "Er wacht een identiteitsverzoek op goedkeuring.",
    Meldingsoort.termijn_verstreken: "Een termijn is verstreken.",
}


def cloudevent_type(soort: Meldingsoort) -> str:
    return f"nl.meldroute.{soort.value}"


def build_cloudevent(
    *,
    id: str,
    soort: Meldingsoort,
    bron: str,
    onderwerp: str,
    tijd: datetime,
    data: Mapping[str, str],
) -> dict[str, Any]:
    """A CloudEvent 1.0 in structured mode. `data` holds ids and codes only (the caller's duty; every value
    is a short token, which the check below enforces so free text cannot slip in)."""
    for sleutel, waarde in data.items():
        if not isinstance(waarde, str) or len(waarde) > 100 or any(c.isspace() for c in waarde):
            raise ValueError(f"data.{sleutel} is geen id of code")
    return {
        "specversion": SPECVERSION,
        "id": id,
        "source": bron,
        "type": cloudevent_type(soort),
        "subject": onderwerp,
        "time": tijd.isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": dict(data),
    }


def encode_cloudevent(event: Mapping[str, Any]) -> bytes:
    """The exact bytes that are posted and signed."""
    return json.dumps(event, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(*, geheim: bytes, tijdstip: int, body: bytes) -> str:
    """The signature header's value over `tijdstip` and `body`."""
    mac = hmac.new(geheim, f"{tijdstip}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{HANDTEKENING_VERSIE}={mac}"


def signed_headers(*, geheim: bytes, tijdstip: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": CONTENT_TYPE,
        KOP_TIJDSTIP: str(tijdstip),
        KOP_HANDTEKENING: sign(geheim=geheim, tijdstip=tijdstip, body=body),
    }


def verify_handtekening(
    *, geheim: bytes, body: bytes, headers: Mapping[str, str], nu: int, venster: int = STANDAARD_VENSTER
) -> bool:
    """What a receiver does: the timestamp lies within `venster` seconds of `nu` and one of the header's
    signatures (comma-separated, for a secret being rotated) matches, compared in constant time."""
    gevonden = {k.lower(): v for k, v in headers.items()}
    tijd, handtekening = gevonden.get(KOP_TIJDSTIP.lower()), gevonden.get(KOP_HANDTEKENING.lower())
    if tijd is None or handtekening is None or not tijd.isdigit() or abs(nu - int(tijd)) > venster:
        return False
    verwacht = sign(geheim=geheim, tijdstip=int(tijd), body=body)
    return any(hmac.compare_digest(verwacht, deel.strip()) for deel in handtekening.split(","))


# --- Where a webhook may point -------------------------------------------------------------------------


def _intern(adres: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(adres, ipaddress.IPv6Address) and adres.ipv4_mapped is not None:
        adres = adres.ipv4_mapped
    return not adres.is_global or adres.is_multicast


async def check_webhook_url(url: str, *, https_verplicht: bool, intern_toegestaan: bool) -> str | None:
    """Why `url` may not receive webhooks (None: it may). Refuses other schemes, credentials in the URL, and
    (unless allowed) every host that is or resolves to a loopback, private, link-local or reserved address:
    a webhook must not become a way into the service's own network (SSRF)."""
    try:
        delen = urlsplit(url)
        poort = delen.port
    except ValueError:
        return "Geen geldige URL."
    toegestaan = ("https",) if https_verplicht else ("https", "http")
    if delen.scheme not in toegestaan:
        return "Alleen https is toegestaan." if https_verplicht else "Alleen http(s) is toegestaan."
    if not delen.hostname:
        return "De URL noemt geen host."
    if delen.username or delen.password:
        return "Geen inloggegevens in de URL."
    if delen.fragment:
        return "Geen fragment in de URL."
    if intern_toegestaan:
        return None
    try:
        # The loop's resolver runs in a thread: a slow DNS answer does not stall other requests.
        antwoorden = await asyncio.get_running_loop().getaddrinfo(
            delen.hostname, poort or (443 if delen.scheme == "https" else 80), type=socket.SOCK_STREAM
        )
        adressen = {info[4][0] for info in antwoorden}
    except (socket.gaierror, UnicodeError):
        return "De host is onbekend."
    for adres in adressen:
        if _intern(ipaddress.ip_address(str(adres).split("%")[0])):
            return "De host is een intern, privé of loopback-adres."
    return None


# --- Delivery -------------------------------------------------------------------------------------------


class AfleverFout(Exception):
    """A notification was not accepted (unreachable, refused, or a non-2xx answer); worth another attempt."""


async def post_webhook(
    *, http: httpx.AsyncClient, url: str, geheim: bytes, event: Mapping[str, Any], tijdstip: int
) -> None:
    """POST the signed event; returns only on a 2xx answer. Redirects are not followed (the target was
    checked, a redirect's target was not)."""
    body = encode_cloudevent(event)
    try:
        antwoord = await http.post(
            url,
            content=body,
            headers=signed_headers(geheim=geheim, tijdstip=tijdstip, body=body),
            follow_redirects=False,
        )
    except httpx.HTTPError as exc:
        raise AfleverFout(type(exc).__name__) from None
    if not 200 <= antwoord.status_code < 300:
        raise AfleverFout(f"status {antwoord.status_code}")


@dataclass(frozen=True, slots=True)
class SmtpInstellingen:
    host: str
    poort: int
    afzender: str
    starttls: bool = True
    gebruiker: str | None = None
    wachtwoord: str | None = None
    timeout: float = 10.0


def build_mail(
    *, afzender: str, aan: str, soort: Meldingsoort, kenmerk: str, bericht_id: str
) -> EmailMessage:
    """Plain text: that something waits, its kind and an opaque reference; nothing of the case.

    `kenmerk` is the per-organisation subject (the same for every notification about one case), `bericht_id`
    the notification's own id: each mail its own Message-ID, or a mail system would drop the second mail
    about a case as a duplicate of the first."""
    bericht = EmailMessage()
    bericht["From"] = afzender
    bericht["To"] = aan
    bericht["Subject"] = f"meldroute: {OMSCHRIJVINGEN[soort].rstrip('.').lower()}"
    bericht["Message-ID"] = f"<{bericht_id}@meldroute>"
    bericht.set_content(
        f"{OMSCHRIJVINGEN[soort]}\n\n"
        f"Soort: {cloudevent_type(soort)}\nKenmerk: {kenmerk}\n\n"
        "Log in bij meldroute om te zien wat er wacht. Deze e-mail bevat bewust geen gegevens van de casus.\n"
    )
    return bericht


async def send_mail(*, smtp: SmtpInstellingen, bericht: EmailMessage) -> None:
    try:
        await aiosmtplib.send(
            bericht,
            hostname=smtp.host,
            port=smtp.poort,
            start_tls=smtp.starttls,
            username=smtp.gebruiker,
            password=smtp.wachtwoord,
            timeout=smtp.timeout,
        )
    except (aiosmtplib.SMTPException, OSError) as exc:
        raise AfleverFout(type(exc).__name__) from None
