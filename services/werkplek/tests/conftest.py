"""The werkplek in-process, wired to an in-process intake-api and to its own development login."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.settings import Omgeving
from meldroute_dev.testing import ServiceHarness, clear_tables
from werkplek.config import WerkplekSettings
from werkplek.main import create_app

BASIS = "https://werkplek.test"


@dataclass
class Werkplek:
    app: Any
    browser: httpx.AsyncClient
    #: Every response the browser got, to search for anything that must never reach it.
    antwoorden: list[httpx.Response] = field(default_factory=list)

    async def inloggen(self, rol: str) -> httpx.Response:
        """The whole login as a browser walks it: werkplek → development login → callback."""
        start = await self.browser.get("/inloggen")
        assert start.status_code == 303
        pagina = await self.browser.get(start.headers["location"])
        assert pagina.status_code == 200, pagina.text
        verzoek = re.search(r'name="verzoek" value="([^"]+)"', pagina.text)
        assert verzoek
        keuze = await self.browser.post(
            "/dev-login/authorize", data={"verzoek": verzoek.group(1), "rol": rol}
        )
        assert keuze.status_code == 303
        terug = await self.browser.get(keuze.headers["location"])
        assert terug.status_code == 200, terug.text
        return terug

    def csrf(self, html: str) -> str:
        gevonden = re.search(r'name="csrf" value="([^"]+)"', html)
        assert gevonden, "no CSRF token in the page"
        return gevonden.group(1)


def werkplek_settings(local_dir: Path, **overrides: Any) -> WerkplekSettings:
    values: dict[str, Any] = {
        "env": Omgeving.test, "local_dir": local_dir, "public_url": BASIS, "intake_url": "http://intake.test",
        "database_url": "sqlite+aiosqlite:///:memory:", **overrides,
    }  # fmt: skip
    return WerkplekSettings(**values)


@pytest.fixture
async def werkplek(intake_harness: ServiceHarness, local_dir: Path) -> AsyncIterator[Werkplek]:
    intake_app = intake_harness.app(outbox_relay_aan=False, retentie_taak_aan=False)
    app = create_app(werkplek_settings(local_dir))
    try:
        async with intake_app.router.lifespan_context(intake_app), app.router.lifespan_context(app):
            intake_http = httpx.AsyncClient(transport=httpx.ASGITransport(app=intake_app))
            app.state.intake.http = intake_http
            app.state.oidc_transport = httpx.ASGITransport(app=app)
            antwoorden: list[httpx.Response] = []

            async def bewaar(response: httpx.Response) -> None:
                await response.aread()
                antwoorden.append(response)

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=BASIS, event_hooks={"response": [bewaar]}
            ) as browser:
                yield Werkplek(app=app, browser=browser, antwoorden=antwoorden)
            await intake_http.aclose()
    finally:
        await clear_tables(intake_harness.database_url, intake_harness.metadata)
