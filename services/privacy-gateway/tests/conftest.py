"""A fake of intake-api's internal API (in-process, over httpx.MockTransport) and a gateway wired to it.

The fake seals identities with the development public key exactly as intake does, so the gateway's
unsealing is exercised for real; link pseudonyms are an HMAC under the development link key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.codering import decode_b64url
from meldroute_common.sealing import SealContext, load_public_key, seal
from meldroute_dev.testing import ServiceHarness, clear_tables, running
from privacy_gateway.main import create_app
from privacy_gateway.pseudoniemen import partner_casus_referentie
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


class NepIntake:
    """Serves ``/v1/intern/...`` from an in-memory dict; ``storing`` simulates failures."""

    def __init__(self, local_dir: Path) -> None:
        self.public_key = load_public_key(local_dir / "keys" / "gateway-hpke-public.pem")
        self.link_key = bytes.fromhex((local_dir / "keys" / "intake-link.key").read_text().strip())
        self._referentiesleutel = bytes.fromhex(
            (local_dir / "keys" / "gateway-pseudonym.key").read_text().strip()
        )
        self.casussen: dict[str, dict[str, Any]] = {}
        self.storing: str | None = None  # None | "plat" | "traag" | "rommel" | "fout" | "vorm"
        #: Advice questions by id; outcomes and follow-on purposes as the gateway forwarded them.
        self.adviesvragen: dict[str, dict[str, Any]] = {}
        self.terugkoppelingen: list[dict[str, Any]] = []
        #: When set, intake refuses every outcome with this problem (400), as it would a code it does not know.
        self.weigering_terugkoppeling: dict[str, Any] | None = None
        self.doelverzoeken: list[dict[str, Any]] = []
        #: Signals in any status, for the dry-run's policy facts (escalated cases are found there too).
        self.signalen: dict[str, dict[str, Any]] = {}
        self.verzoeken: list[httpx.Request] = []
        #: Notifications the gateway enqueued (`POST /v1/intern/meldingen`), and subscriptions by id.
        self.meldingen: list[dict[str, Any]] = []
        self.abonnementen: dict[str, dict[str, Any]] = {}
        #: Groups of link pseudonyms intake knows to be one person (BSN and name + birth date recorded together).
        self.personen: list[set[str]] = []

    def referentie(self, casus_id: str, *, partner: str) -> str:
        """The reference under which the gateway shows this case to `partner` (its development key)."""
        return str(
            partner_casus_referentie(
                sleutel=self._referentiesleutel, partner_id=partner, casus_id=uuid.UUID(casus_id)
            )
        )

    def link(
        self, *, bsn: str | None = None, naam: str | None = None, geboortedatum: str | None = None
    ) -> str:
        invoer = f"bsn:{bsn}" if bsn else f"naam:{(naam or '').strip().lower()}|{geboortedatum}"
        return hmac.new(self.link_key, invoer.encode(), hashlib.sha256).hexdigest()

    def casus(
        self,
        *,
        partners: list[str],
        doel: str = "casusoverleg",
        vertrouwelijkheid: str = "vertrouwelijk",
        minderjarig: bool = False,
        toestemming: bool = False,
        opgeschaald: datetime | None = None,
        betrokkenen: list[dict[str, Any]] | None = None,
        trajecten: list[dict[str, Any]] | None = None,
    ) -> str:
        """Add an escalated case; returns its id. Each betrokkene dict holds identifying fields and `rol` (and
        optionally `toestemming`); `trajecten` as intake serves them ({doel, partners, status?}), default one
        open track of `doel` to `partners`."""
        casus_id = uuid.uuid4()
        uit: list[dict[str, Any]] = []
        for persoon in (
            betrokkenen if betrokkenen is not None else [{"rol": "slachtoffer", "bsn": "111222333"}]
        ):
            b_id = uuid.uuid4()
            identiteit = {k: v for k, v in persoon.items() if k not in ("rol", "toestemming")}
            link = None
            if identiteit.get("bsn") or identiteit.get("naam"):
                link = self.link(
                    bsn=identiteit.get("bsn"),
                    naam=identiteit.get("naam"),
                    geboortedatum=identiteit.get("geboortedatum"),
                )
            blob = None
            if identiteit:
                sealed = seal(
                    plaintext=json.dumps(identiteit).encode(),
                    ontvanger=self.public_key,
                    context=SealContext(signaal_id=casus_id, betrokkene_id=b_id, veld="identiteit"),
                )
                blob = base64.b64encode(sealed).decode()
            uit.append(
                {
                    "id": str(b_id), "rol": persoon.get("rol", "slachtoffer"), "linkPseudoniem": link,
                    "leeftijdsklasse": "<18" if minderjarig else "23-29", "geslacht": "man",
                    "nationaliteitsgroep": "eu", "gekoppeldeSignalen": 2, "identiteitVerzegeld": blob,
                    "toestemming": bool(persoon.get("toestemming", False)),
                }
            )  # fmt: skip
        moment = opgeschaald or datetime.now(UTC) - timedelta(days=1)
        sporen = [
            {"id": str(uuid.uuid4()), "doel": t["doel"], "status": t.get("status", "open"),
             "partners": t["partners"], "sinds": t.get("sinds", moment.isoformat())}
            for t in (trajecten if trajecten is not None else [{"doel": doel, "partners": partners}])
        ]  # fmt: skip
        self.casussen[str(casus_id)] = {
            "trajecten": sporen,
            "id": str(casus_id), "gemeenteCode": "GM1509", "status": "opgeschaald", "fase": "opgeschaald",
            "opgeschaaldOp": moment.isoformat(), "partners": partners, "doel": doel,
            "vertrouwelijkheidaanduiding": vertrouwelijkheid, "toestemming": toestemming,
            "minderjarigeBetrokken": minderjarig,
            "kern": {"gemeenteCode": "GM1509", "melderDomein": "toezicht", "waargenomenOp": "2026-10-01",
                     "ontvangenOp": "2026-10-01T12:00:00+00:00", "uitbuitingsvormen": ["arbeid"]},
            "kenmerken": {"indicatoren": ["woont-op-werkplek"], "sector": "agrarisch", "locatietype": "boerenerf"},
            "omschrijving": "Gezien op [ADRES], bellen naar [TELEFOON].",
            "betrokkenen": uit,
        }  # fmt: skip
        return str(casus_id)

    def adviesvraag(
        self, *, experts: list[str], status: str = "advies_gevraagd", gemeente: str = "GM1509",
        minderjarig: bool = False, gesteld: datetime | None = None,
    ) -> str:  # fmt: skip
        """Add a signal in `status` with an advice question to `experts`; returns the question's id."""
        signaal_id, vraag_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.signalen[signaal_id] = {
            "id": signaal_id, "gemeenteCode": gemeente, "status": status, "vertrouwelijkheidaanduiding": "vertrouwelijk",
            "minderjarigeBetrokken": minderjarig, "toestemming": False, "trajecten": [],
        }  # fmt: skip
        self.adviesvragen[vraag_id] = {
            "id": vraag_id, "signaalId": signaal_id, "gemeenteCode": gemeente,
            "gesteldOp": (gesteld or datetime.now(UTC) - timedelta(hours=1)).isoformat(),
            "vraag": "Wijst dit op uitbuiting? Bel [TELEFOON].", "experts": experts, "status": "open",
            "kern": {"gemeenteCode": gemeente, "melderDomein": "toezicht", "waargenomenOp": "2026-10-01",
                     "ontvangenOp": "2026-10-01T12:00:00+00:00", "uitbuitingsvormen": ["arbeid"]},
            "kenmerken": {"indicatoren": ["woont-op-werkplek"], "sector": "agrarisch", "locatietype": "boerenerf"},
            "omschrijving": "Gezien op [ADRES].", "antwoorden": [],
        }  # fmt: skip
        return vraag_id

    def _feiten(self, signaal_id: str) -> dict[str, Any] | None:
        if signaal_id in self.signalen:
            return self.signalen[signaal_id]
        casus = self.casussen.get(signaal_id)
        if casus is None:
            return None
        return {
            "id": signaal_id, "gemeenteCode": casus["gemeenteCode"], "status": casus["status"],
            "vertrouwelijkheidaanduiding": casus["vertrouwelijkheidaanduiding"],
            "minderjarigeBetrokken": casus["minderjarigeBetrokken"], "toestemming": casus["toestemming"],
            "trajecten": casus["trajecten"],
        }  # fmt: skip

    def _met_feiten(self, vraag: dict[str, Any]) -> dict[str, Any]:
        """A question as intake serves it: with its signal's stage, confidentiality and minors as they are now."""
        feiten = self._feiten(vraag["signaalId"]) or {}
        return {
            **vraag, "fase": feiten.get("status", "onbekend"),
            "vertrouwelijkheidaanduiding": feiten.get("vertrouwelijkheidaanduiding", "vertrouwelijk"),
            "minderjarigeBetrokken": feiten.get("minderjarigeBetrokken", True),
        }  # fmt: skip

    def _intern_schrijven(self, request: httpx.Request, pad: str) -> httpx.Response | None:
        """The internal writes and the advice and policy-fact reads; None for any other path."""
        nu = datetime.now(UTC).isoformat()
        delen = pad.removeprefix("/v1/intern/").split("/")
        if delen[0] == "signalen" and len(delen) == 3 and delen[2] == "beleidsfeiten":
            feiten = self._feiten(delen[1])
            return httpx.Response(200, json=feiten) if feiten else httpx.Response(404, json={"status": 404})
        if delen[0] == "meldingen" and request.method == "POST":
            self.meldingen.append(json.loads(request.content))
            return httpx.Response(201, json={"aantal": 1})
        if delen[0] == "abonnementen":
            return self._abonnementen(request, delen[1:], nu)
        if delen[0] == "adviesvragen":
            if len(delen) == 1:
                partner = request.url.params.get("partner")
                lijst = [
                    self._met_feiten(v)
                    for v in self.adviesvragen.values()
                    if partner is None or partner in v["experts"]
                ]
                return httpx.Response(200, json={"adviesvragen": lijst, "volgende": None})
            vraag = self.adviesvragen.get(delen[1])
            if vraag is None:
                return httpx.Response(404, json={"status": 404})
            if len(delen) == 2:
                return httpx.Response(200, json=self._met_feiten(vraag))
            body = json.loads(request.content)
            if body["partner"] not in vraag["experts"]:
                return httpx.Response(404, json={"status": 404})
            vraag["antwoorden"].append({"partner": body["partner"], "gegevenOp": nu})
            vraag["status"] = "beantwoord"
            return httpx.Response(201, json={"id": str(uuid.uuid4()), "gegevenOp": nu})
        if delen[0] == "casussen" and len(delen) == 3 and request.method == "POST":
            casus = self.casussen.get(delen[1])
            body = json.loads(request.content)
            if casus is None or body["partner"] not in casus["partners"]:
                return httpx.Response(404, json={"status": 404})
            actief = [
                t for t in casus["trajecten"]
                if t["status"] != "afgerond" and body["partner"] in t["partners"] and t["doel"] == body["doel"]
            ]  # fmt: skip
            if delen[2] == "terugkoppelingen":
                if self.weigering_terugkoppeling is not None:
                    return httpx.Response(400, json=self.weigering_terugkoppeling)
                if not actief:
                    return httpx.Response(404, json={"status": 404})
                self.terugkoppelingen.append({"casus": delen[1], **body})
                actief[0]["status"] = "lopend"
                return httpx.Response(201, json={"id": str(uuid.uuid4()), "vastgelegdOp": nu})
            if delen[2] == "doelverzoeken":
                if actief:
                    return httpx.Response(409, json={"status": 409})
                self.doelverzoeken.append({"casus": delen[1], **body})
                return httpx.Response(201, json={"id": str(uuid.uuid4()), "status": "gevraagd"})
        return None

    def _abonnementen(self, request: httpx.Request, delen: list[str], nu: str) -> httpx.Response:
        if request.method == "POST":
            body = json.loads(request.content)
            body.pop("door")
            abonnement = {"id": str(uuid.uuid4()), "url": None, "email": None, **body, "aangemaaktOp": nu}
            self.abonnementen[abonnement["id"]] = abonnement
            return httpx.Response(201, json={**abonnement, "geheim": "geheim-eenmalig"})
        organisatie = request.url.params["organisatie"]
        if request.method == "GET":
            eigen = [a for a in self.abonnementen.values() if a["organisatie"] == organisatie]
            return httpx.Response(200, json={"abonnementen": eigen})
        abonnement = self.abonnementen.get(delen[0])
        if abonnement is None or abonnement["organisatie"] != organisatie:
            return httpx.Response(404, json={"status": 404})
        del self.abonnementen[delen[0]]
        return httpx.Response(204)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.verzoeken.append(request)
        if self.storing == "plat":
            raise httpx.ConnectError("connection refused", request=request)
        if self.storing == "traag":
            raise httpx.ReadTimeout("timed out", request=request)
        if self.storing == "fout":
            return httpx.Response(500, json={"status": 500})
        if self.storing == "rommel":
            return httpx.Response(200, content=b"<html>geen json</html>")
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        claims = json.loads(decode_b64url(token.split(".")[1]))
        if claims.get("aud") != "intake-api" or "intake:intern" not in claims.get("scope", "").split():
            return httpx.Response(403, json={"status": 403})
        pad = request.url.path
        if request.method == "POST" and pad == "/v1/intern/pseudoniemen":
            body = json.loads(request.content)
            if "bsn" in body and not str(body["bsn"]).isdigit():
                return httpx.Response(400, json={"status": 400})
            link = self.link(**body)
            gekoppeld = set().union({link}, *(p for p in self.personen if link in p))
            return httpx.Response(200, json={"linkPseudoniem": link, "koppelpseudoniemen": sorted(gekoppeld)})
        if pad == "/v1/intern/casussen":
            if self.storing == "vorm":
                return httpx.Response(200, json={"casussen": [{"id": "geen-uuid"}], "volgende": 3})
            partner = request.url.params.get("partner")
            lijst = [
                {k: v for k, v in c.items() if k != "betrokkenen"}
                for c in self.casussen.values()
                if partner is None or partner in c["partners"]
            ]
            return httpx.Response(200, json={"casussen": lijst, "volgende": None})
        geschreven = self._intern_schrijven(request, pad)
        if geschreven is not None:
            return geschreven
        if pad.startswith("/v1/intern/casussen/"):
            casus = self.casussen.get(pad.rsplit("/", 1)[1])
            if casus is None:
                return httpx.Response(404, json={"status": 404})
            if self.storing == "vorm":
                return httpx.Response(200, json={**casus, "partners": "riec-oost-nederland", "kern": None})
            return httpx.Response(200, json=casus)
        return httpx.Response(404, json={"status": 404})


GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
ReferentieVan = Callable[[httpx.AsyncClient, dict[str, str], str], Awaitable[str]]


@pytest.fixture
def referentie_van(local_dir: Path) -> ReferentieVan:
    """``await referentie_van(client, headers, casus_id)``: the reference under which the caller's organisation
    knows intake's case, found the way a partner finds it (its list, every page). The expected value is
    computed with the gateway's development key, so a list showing intake's id or another partner's
    reference fails here."""
    sleutel = bytes.fromhex((local_dir / "keys" / "gateway-pseudonym.key").read_text().strip())

    async def zoek(client: httpx.AsyncClient, headers: dict[str, str], casus_id: str) -> str:
        token = headers["Authorization"].removeprefix("Bearer ")
        organisatie = json.loads(decode_b64url(token.split(".")[1]))["organisatie"]
        verwacht = str(
            partner_casus_referentie(sleutel=sleutel, partner_id=organisatie, casus_id=uuid.UUID(casus_id))
        )
        params: dict[str, str | int] = {"pageSize": 100}
        while True:
            response = await client.get("/v1/casussen", params=params, headers=headers)
            assert response.status_code == 200, response.text
            body = response.json()
            assert casus_id not in response.text, "the list shows intake's case id"
            if any(c["id"] == verwacht for c in body["casussen"]):
                return verwacht
            if body["volgende"] is None:
                raise AssertionError(f"{organisatie} does not see case {casus_id} in its list")
            params["cursor"] = body["volgende"]

    return zoek


@pytest.fixture
def intake(local_dir: Path) -> NepIntake:
    return NepIntake(local_dir)


@pytest.fixture
def gateway(gateway_harness: ServiceHarness, intake: NepIntake) -> GatewayFactory:
    """``async with gateway(**settings) as client``: the gateway app on a migrated database, intake faked."""

    @asynccontextmanager
    async def start(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(
            gateway_harness.settings(**overrides), intake_transport=httpx.MockTransport(intake.handler)
        )
        try:
            async with running(app) as client:
                yield client
        finally:
            await clear_tables(gateway_harness.database_url, gateway_harness.metadata)

    return start


@pytest.fixture
def sql(gateway_harness: ServiceHarness) -> Callable[..., Any]:
    """``await sql(statement, ...)``: run statements directly against the gateway's database, bypassing the
    app; returns the rows of the last one."""

    async def uitvoeren(*statements: str) -> list[Any]:
        engine = create_async_engine(gateway_harness.database_url)
        try:
            async with engine.begin() as connection:
                resultaat: list[Any] = []
                for statement in statements:
                    uitkomst = await connection.execute(text(statement))
                    resultaat = list(uitkomst.all()) if uitkomst.returns_rows else []
                return resultaat
        finally:
            await engine.dispose()

    return uitvoeren
