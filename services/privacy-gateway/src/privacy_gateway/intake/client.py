"""HTTP client for intake-api's internal API (scope ``intake:intern``).

Every failure becomes a problem the gateway answers with, and none of them lets data through:

* intake cannot be reached (connection refused, DNS, reset)        -> 503 ServiceUnavailable
* intake does not answer within the configured timeout            -> 504 GatewayTimeout
* intake answers 5xx, non-JSON, or JSON of the wrong shape        -> 502 BadGateway
* intake answers more than ``GATEWAY_INTAKE_MAX_BYTES``             -> 502 BadGateway, read no further
* intake refuses the gateway's token (401/403, after one renewal) -> 502 BadGateway

What intake answers as the caller's business is passed on without its content: 404 (no such object for this
partner) as None, 409 (a conflict of state) as Conflict, 400 on a write as BadRequest naming only the fields.

Messages name intake, never the request or response content.

Answers are streamed: a declared length over the maximum is refused before the body is read, and the bytes
are counted while they arrive, so a misbehaving peer can cost at most the maximum in memory. Compressed
answers are refused (a small compressed body may expand without bound). A body larger than
``_PARSE_IN_THREAD_BYTES`` is parsed in a worker thread so other requests keep being served meanwhile.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

import httpx
from meldroute_common.paginering import ongeldige_cursor
from meldroute_common.problems import (
    BadGateway,
    BadRequest,
    Conflict,
    GatewayTimeout,
    InvalidParam,
    ServiceUnavailable,
)
from meldroute_common.servicetokens import ServiceTokenSource, TokenUnavailable
from pydantic import BaseModel, ValidationError

from privacy_gateway.intake.schemas import (
    IntakeAantekeningen,
    IntakeAantekeningVastgelegd,
    IntakeAbonnementAangemaakt,
    IntakeAbonnementen,
    IntakeAdviesvraag,
    IntakeAdviesvragenPagina,
    IntakeAntwoordVastgelegd,
    IntakeBeleidsfeiten,
    IntakeCasus,
    IntakeCasussenPagina,
    IntakeDoelverzoekIngediend,
    IntakeMeldingenIngepland,
    IntakePseudoniem,
    IntakeTerugkoppelingVastgelegd,
)

__all__ = ["IntakeClient", "alle_paginas"]

log = logging.getLogger("meldroute.gateway.intake")

M = TypeVar("M", bound=BaseModel)

#: Bodies above this size are parsed in a worker thread (a 2 MiB page takes tens of milliseconds to parse).
_PARSE_IN_THREAD_BYTES = 64 * 1024
_TE_GROOT = "intake-api gaf een te groot antwoord; er is niets verstrekt."
#: A field name intake may name in a refusal (`maatregel`, `trajecten[0].partners[1]`); anything else is dropped.
_VELDNAAM = re.compile(r"[A-Za-z][A-Za-z0-9_.\[\]]{0,79}")


@dataclass(frozen=True, slots=True)
class _Antwoord:
    """Status and the complete (bounded) body of one answer of intake."""

    status_code: int
    content: bytes


T = TypeVar("T")


async def alle_paginas(pagina: Callable[[str | None], Awaitable[tuple[list[T], str | None]]]) -> list[T]:
    """Every item of one of intake's listings, following its cursor to the last page.

    `pagina(cursor)` reads one page and returns its items and the next cursor. A cursor that comes round again
    would never end: that answer is unusable (502).
    """
    items: list[T] = []
    cursor: str | None = None
    gezien: set[str] = set()
    while True:
        gelezen, volgende = await pagina(cursor)
        items.extend(gelezen)
        if volgende is None or not gelezen:
            return items
        if volgende in gezien:
            raise BadGateway("intake-api gaf een onbruikbaar antwoord; er is niets verstrekt.")
        gezien.add(volgende)
        cursor = volgende


class IntakeClient:
    """Reads escalated cases from intake-api; one instance per app (``app.state.intake``)."""

    def __init__(
        self,
        *,
        http: httpx.AsyncClient,
        tokens: ServiceTokenSource,
        base_url: str,
        timeout: float,
        max_bytes: int = 2 * 1024 * 1024,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``transport``, when given, is ``http``'s own transport: requests are then built by ``http`` (its
        headers, timeouts and request hooks) and handed to the transport directly, past the client's
        redirect, auth and cookie handling, which calls to intake never use."""
        self._http = http
        self._transport = transport
        self._max_bytes = max_bytes
        self._tokens = tokens
        self._base = base_url.rstrip("/")
        # httpx times each phase (connect, read, ...) separately; a server dripping bytes would never
        # trip it. This bounds the whole exchange as well.
        self._timeout = timeout

    async def casussen(
        self, *, partner: str | None, page_size: int, cursor: str | None = None
    ) -> IntakeCasussenPagina:
        """One page of escalated cases, newest escalation first, optionally only those shared with ``partner``."""
        params: dict[str, str | int] = {"pageSize": page_size}
        if partner is not None:
            params["partner"] = partner
        if cursor is not None:
            params["cursor"] = cursor
        response = await self._request("GET", "/v1/intern/casussen", params=params)
        if response.status_code == 400:
            raise ongeldige_cursor()
        return await self._parse(response, IntakeCasussenPagina)

    async def casus(self, casus_id: UUID) -> IntakeCasus | None:
        """One escalated case with its sealed identity blobs, or None when intake knows no such escalated case."""
        response = await self._request("GET", f"/v1/intern/casussen/{casus_id}")
        if response.status_code == 404:
            return None
        casus = await self._parse(response, IntakeCasus)
        if casus.id != casus_id:
            log.warning("intake antwoordde met een andere casus dan gevraagd")
            raise BadGateway("intake-api gaf een onbruikbaar antwoord.")
        return casus

    async def beleidsfeiten(self, signaal_id: UUID) -> IntakeBeleidsfeiten | None:
        """The policy facts of a signal in any status (for a dry-run), or None when intake knows no such signal."""
        response = await self._request("GET", f"/v1/intern/signalen/{signaal_id}/beleidsfeiten")
        if response.status_code == 404:
            return None
        feiten = await self._parse(response, IntakeBeleidsfeiten)
        self._zelfde(feiten.id, signaal_id)
        return feiten

    async def adviesvragen(
        self, *, partner: str, page_size: int, cursor: str | None = None
    ) -> IntakeAdviesvragenPagina:
        """One page of the advice questions put to ``partner``."""
        params: dict[str, str | int] = {"partner": partner, "pageSize": page_size}
        if cursor is not None:
            params["cursor"] = cursor
        response = await self._request("GET", "/v1/intern/adviesvragen", params=params)
        if response.status_code == 400:
            raise ongeldige_cursor()
        return await self._parse(response, IntakeAdviesvragenPagina)

    async def adviesvraag(self, adviesvraag_id: UUID) -> IntakeAdviesvraag | None:
        """One advice question with its summary, or None when intake knows no such question."""
        response = await self._request("GET", f"/v1/intern/adviesvragen/{adviesvraag_id}")
        if response.status_code == 404:
            return None
        vraag = await self._parse(response, IntakeAdviesvraag)
        self._zelfde(vraag.id, adviesvraag_id)
        return vraag

    async def record_adviesantwoord(
        self, *, adviesvraag_id: UUID, partner: str, door: str, antwoord: str
    ) -> IntakeAntwoordVastgelegd | None:
        """Store an expert's answer; None when ``partner`` is not an expert of the question."""
        response = await self._request(
            "POST",
            f"/v1/intern/adviesvragen/{adviesvraag_id}/antwoorden",
            json={"partner": partner, "door": door, "antwoord": antwoord},
        )
        if response.status_code == 404:
            return None
        self._write_refused(response)
        return await self._parse(response, IntakeAntwoordVastgelegd)

    async def record_terugkoppeling(
        self, *, casus_id: UUID, partner: str, door: str, velden: dict[str, str]
    ) -> IntakeTerugkoppelingVastgelegd | None:
        """Store a partner's outcome on a track of the case (``velden``: doel, terugkoppeling and the optional
        reden, opvangvorm, maatregel, toelichting in their JSON names); None when the partner is not on an
        open or running track with that purpose."""
        response = await self._request(
            "POST",
            f"/v1/intern/casussen/{casus_id}/terugkoppelingen",
            json={"partner": partner, "door": door, **velden},
        )
        if response.status_code == 404:
            return None
        self._write_refused(response)
        return await self._parse(response, IntakeTerugkoppelingVastgelegd)

    async def record_aantekening(
        self, *, casus_id: UUID, partner: str, door: str, doel: str, tekst: str
    ) -> IntakeAantekeningVastgelegd | None:
        """Store a partner's work note on its track with this purpose; None when the partner is not on an open
        or running track with that purpose."""
        response = await self._request(
            "POST",
            f"/v1/intern/casussen/{casus_id}/aantekeningen",
            json={"partner": partner, "door": door, "doel": doel, "tekst": tekst},
        )
        if response.status_code == 404:
            return None
        self._write_refused(response)
        return await self._parse(response, IntakeAantekeningVastgelegd)

    async def aantekeningen(self, *, casus_id: UUID, partner: str, doel: str) -> IntakeAantekeningen | None:
        """The partner's own work notes on its tracks with this purpose; None when intake knows no such case."""
        response = await self._request(
            "GET", f"/v1/intern/casussen/{casus_id}/aantekeningen", params={"partner": partner, "doel": doel}
        )
        if response.status_code == 404:
            return None
        return await self._parse(response, IntakeAantekeningen)

    async def record_doelverzoek(
        self, *, casus_id: UUID, partner: str, door: str, doel: str, reden: str
    ) -> IntakeDoelverzoekIngediend | None:
        """Store a partner's request for a follow-on purpose; None when the partner is not on the case,
        Conflict when it already has an active track with that purpose."""
        response = await self._request(
            "POST",
            f"/v1/intern/casussen/{casus_id}/doelverzoeken",
            json={"partner": partner, "door": door, "doel": doel, "reden": reden},
        )
        if response.status_code == 404:
            return None
        if response.status_code == 409:
            raise Conflict("De partner heeft al een lopend traject met dit doel.")
        self._write_refused(response)
        return await self._parse(response, IntakeDoelverzoekIngediend)

    async def create_abonnement(
        self, *, organisatie: str, door: str, velden: dict[str, Any]
    ) -> IntakeAbonnementAangemaakt:
        """A subscription of `organisatie` (``velden``: soorten, kanaal, url or email in their JSON names)."""
        response = await self._request(
            "POST", "/v1/intern/abonnementen", json={**velden, "organisatie": organisatie, "door": door}
        )
        if response.status_code == 409:
            raise Conflict("De organisatie heeft het maximum aantal abonnementen.")
        self._write_refused(response)
        return await self._parse(response, IntakeAbonnementAangemaakt)

    async def abonnementen(self, *, organisatie: str) -> IntakeAbonnementen:
        response = await self._request("GET", "/v1/intern/abonnementen", params={"organisatie": organisatie})
        return await self._parse(response, IntakeAbonnementen)

    async def delete_abonnement(self, *, organisatie: str, abonnement_id: UUID) -> bool:
        """False when `organisatie` has no such subscription."""
        response = await self._request(
            "DELETE", f"/v1/intern/abonnementen/{abonnement_id}", params={"organisatie": organisatie}
        )
        if response.status_code == 404:
            return False
        if response.status_code != 204:
            log.warning("intake-api antwoordde met onverwachte status %s", response.status_code)
            raise BadGateway("intake-api gaf een onverwacht antwoord; er is niets verstrekt.")
        return True

    async def schedule_melding(self, *, soort: str, organisaties: list[str], signaal_id: UUID) -> int:
        """Enqueue a notification at intake (ids and the kind only); the number of subscriptions it reaches."""
        response = await self._request(
            "POST", "/v1/intern/meldingen",
            json={"soort": soort, "organisaties": organisaties, "signaalId": str(signaal_id)},
        )  # fmt: skip
        return (await self._parse(response, IntakeMeldingenIngepland)).aantal

    @staticmethod
    def _zelfde(gekregen: UUID, gevraagd: UUID) -> None:
        if gekregen != gevraagd:
            log.warning("intake antwoordde over een ander object dan gevraagd")
            raise BadGateway("intake-api gaf een onbruikbaar antwoord.")

    @staticmethod
    def _write_refused(response: _Antwoord) -> None:
        """A 400 on a write: the fields intake names, never its texts (they could quote the input)."""
        if response.status_code != 400:
            return
        namen: list[str] = []
        try:
            probleem = json.loads(response.content)
            for param in probleem.get("invalidParams") or []:
                naam = param.get("name") if isinstance(param, dict) else None
                if isinstance(naam, str) and _VELDNAAM.fullmatch(naam):
                    namen.append(naam)
        except (ValueError, AttributeError):
            pass
        raise BadRequest(
            "intake-api weigerde de invoer.",
            invalid_params=[
                InvalidParam(name=n, reason="Ongeldige waarde volgens intake-api.") for n in namen
            ]
            or None,
        )

    async def link_pseudoniem(
        self, *, bsn: str | None = None, naam: str | None = None, geboortedatum: date | None = None
    ) -> str:
        """Intake's link pseudonym for a BSN, or for a name and birth date (the link key stays with intake)."""
        return (await self.pseudoniemen(bsn=bsn, naam=naam, geboortedatum=geboortedatum)).link_pseudoniem

    async def pseudoniemen(
        self, *, bsn: str | None = None, naam: str | None = None, geboortedatum: date | None = None
    ) -> IntakePseudoniem:
        """The link pseudonym and every pseudonym intake links to the same person (a BSN and name + birth date
        recorded together on any signal)."""
        body: dict[str, Any]
        if bsn is not None:
            body = {"bsn": bsn}
        elif naam is not None and geboortedatum is not None:
            body = {"naam": naam, "geboortedatum": geboortedatum.isoformat()}
        else:
            raise ValueError("geef bsn, of naam en geboortedatum")
        response = await self._request("POST", "/v1/intern/pseudoniemen", json=body)
        if response.status_code == 400:
            # The only client error intake names here is invalid input; never echo the input itself.
            veld = "bsn" if bsn is not None else "naam"
            raise BadRequest(
                "De gegevens van de betrokkene zijn ongeldig.",
                invalid_params=[InvalidParam(name=veld, reason="Ongeldige waarde.")],
            )
        return await self._parse(response, IntakePseudoniem)

    async def _request(self, method: str, path: str, **kwargs: Any) -> _Antwoord:
        for poging in range(2):
            try:
                token = await self._tokens.token()
            except (TokenUnavailable, httpx.HTTPError, KeyError, ValueError):
                log.warning("geen service-token voor intake-api te krijgen")
                raise ServiceUnavailable(
                    "De privacy-gateway kan zich niet bij intake-api aanmelden."
                ) from None
            verzoek = self._http.build_request(
                method,
                self._base + path,
                headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"},
                **kwargs,
            )
            try:
                async with asyncio.timeout(self._timeout):
                    response = await self._send(verzoek)
                    try:
                        status = response.status_code
                        if status == 401 and poging == 0:
                            self._tokens.invalidate()  # expired or rotated key: one fresh token, then give up
                            continue
                        self._controleer_status(status)
                        content = await self._lees_begrensd(response)
                    finally:
                        await response.aclose()
            except (httpx.TimeoutException, TimeoutError):
                log.warning("intake-api antwoordde niet op tijd")
                raise GatewayTimeout("intake-api antwoordde niet op tijd; er is niets verstrekt.") from None
            except httpx.HTTPError as fout:
                log.warning("intake-api is niet bereikbaar (%s)", type(fout).__name__)
                raise ServiceUnavailable("intake-api is niet bereikbaar; er is niets verstrekt.") from None
            return _Antwoord(status_code=status, content=content)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _send(self, verzoek: httpx.Request) -> httpx.Response:
        if self._transport is None:
            return await self._http.send(verzoek, stream=True)
        for hook in self._http.event_hooks["request"]:
            await hook(verzoek)
        response = await self._transport.handle_async_request(verzoek)
        response.request = verzoek
        try:
            for hook in self._http.event_hooks["response"]:
                await hook(response)
        except BaseException:
            await response.aclose()
            raise
        return response

    @staticmethod
    def _controleer_status(status: int) -> None:
        if status in (401, 403) or status >= 500:
            log.warning("intake-api antwoordde met status %s", status)
            raise BadGateway("intake-api gaf een foutmelding; er is niets verstrekt.")
        if status not in (200, 201, 204, 400, 404, 409):
            log.warning("intake-api antwoordde met onverwachte status %s", status)
            raise BadGateway("intake-api gaf een onverwacht antwoord; er is niets verstrekt.")

    async def _lees_begrensd(self, response: httpx.Response) -> bytes:
        """The body, at most `max_bytes`: the declared length is checked first, then the bytes as they come."""
        codering = response.headers.get("content-encoding", "identity").strip().lower()
        if codering not in ("", "identity"):
            log.warning("intake-api antwoordde gecomprimeerd (%s)", codering[:20])
            raise BadGateway("intake-api gaf een onverwacht antwoord; er is niets verstrekt.")
        lengte = response.headers.get("content-length")
        if lengte is not None and (not lengte.strip().isdigit() or int(lengte) > self._max_bytes):
            log.warning("intake-api kondigde een te groot antwoord aan")
            raise BadGateway(_TE_GROOT)
        buffer = bytearray()
        # Identity only (checked above), so the decoded bytes are the bytes on the wire.
        async for stuk in response.aiter_bytes():
            if len(buffer) + len(stuk) > self._max_bytes:
                log.warning("intake-api stuurde meer dan %s bytes; het lezen is gestopt", self._max_bytes)
                raise BadGateway(_TE_GROOT)
            buffer += stuk
        return bytes(buffer)

    @staticmethod
    async def _parse(response: _Antwoord, model: type[M]) -> M:
        if response.status_code not in (200, 201):
            log.warning("intake-api antwoordde met onverwachte status %s", response.status_code)
            raise BadGateway("intake-api gaf een onverwacht antwoord; er is niets verstrekt.")
        try:
            if len(response.content) > _PARSE_IN_THREAD_BYTES:
                return await asyncio.to_thread(model.model_validate_json, response.content)
            return model.model_validate_json(response.content)
        except ValidationError:
            # Not logged in detail: pydantic's message would quote the (possibly personal) content.
            log.warning("intake-api gaf een antwoord dat niet aan het contract voldoet")
            raise BadGateway("intake-api gaf een onbruikbaar antwoord; er is niets verstrekt.") from None
