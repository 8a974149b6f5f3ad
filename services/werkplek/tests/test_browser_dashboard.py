"""The dashboard in a real browser: reporting and the werkplek as processes, a published quarter, Chromium.

The policy officer logs in, opens the dashboard and chooses the quarter in the GET form; the attention officer
(a browser of their own) sees the own municipality next to the region. axe-core checks each screen (no serious
or critical WCAG 2.1 AA violation), each is checked on a phone-sized screen and at 200% zoom, the browser's
storage holds only the session id's cookie (no token reaches the browser), and no URL or title names who is
logged in. Screenshots `30-dashboard…` go to
`test-artifacts/werkplek/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.services import DIENSTEN, WERKPLEK
from meldroute_dev.testing import ServiceHarness, ServiceProcess, clear_tables, free_port
from reporting.perioden import kwartaal_van
from reporting.statistieken.publicatie import publish_closed
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from werkplek.dashboard import periodenaam

from .test_browser import CHROMIUM, Spoor, _axe, _inloggen, _opslag_zonder_token
from .test_dashboard import K, gebeurtenissen, maand_met_cijfers

pytestmark = pytest.mark.processes
#: The names the login gives the people of this walk (the ID token's `name`).
NAMEN = ("Beleidsmedewerker", "Aandachtsfunctionaris mensenhandel")


async def _publiceer(database_url: str) -> list[str]:
    engine = create_async_engine(database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        return await publish_closed(maker=maker, drempel=K, embargo=timedelta(days=14))
    finally:
        await engine.dispose()


@pytest.fixture
def diensten(
    reporting_harness: ServiceHarness, local_dir: Path, tmp_path: Path, issuer: DevIssuer
) -> Iterator[dict[str, str]]:
    """reporting (with a published quarter) and the werkplek as processes; no intake is needed for these screens."""
    database = reporting_harness.database_url
    common = {"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir)}
    reporting = ServiceProcess(
        dienst=next(d for d in DIENSTEN if d.naam == "reporting"),
        env={**common, "REPORTING_DATABASE_URL": database, "REPORTING_PUBLICATIE_TAAK_AAN": "false",
             "REPORTING_DREMPEL": str(K), "REPORTING_MINIMALE_POPULATIE": "10"},
        log_dir=tmp_path,
    )  # fmt: skip
    port = free_port()
    basis = (
        f"http://localhost:{port}"  # localhost: the browser keeps a Secure cookie over plain http only there
    )
    werkplek = ServiceProcess(
        dienst=WERKPLEK,
        env={**common, "WERKPLEK_PUBLIC_URL": basis, "WERKPLEK_REPORTING_URL": reporting.url,
             # No intake: a port nothing listens on (the start page then names the municipality by its code).
             "WERKPLEK_INTAKE_URL": f"http://127.0.0.1:{free_port()}",
             "WERKPLEK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'werkplek.sqlite3'}"},
        log_dir=tmp_path,
        port=port,
    )  # fmt: skip
    try:
        reporting.start()
        antwoord = httpx.post(
            f"{reporting.url}/v1/gebeurtenissen",
            json={"gebeurtenissen": gebeurtenissen(maand_met_cijfers())},
            headers={"Authorization": f"Bearer {issuer.mint(rol='intake-api')}"},
            timeout=30,
        )
        assert antwoord.status_code == 200, antwoord.text
        assert kwartaal_van(maand_met_cijfers()) in asyncio.run(_publiceer(database))
        werkplek.start()
        yield {"werkplek": basis, "reporting": reporting.url}
    finally:
        werkplek.stop()
        reporting.stop()
        asyncio.run(clear_tables(database, reporting_harness.metadata))


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make test installs it)")
def test_policy_and_attention_officer_read_the_dashboard(diensten: dict[str, str]) -> None:
    from playwright.sync_api import sync_playwright

    basis = diensten["werkplek"]
    kwartaal = kwartaal_van(maand_met_cijfers())
    spoor = Spoor()
    verzoeken = spoor.adressen
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:

            def persoon(**opties: Any) -> tuple[Any, Any]:
                # bypass_csp only so the test can inject axe-core; the pages themselves run no script.
                context = browser.new_context(
                    viewport={"width": 1100, "height": 900}, bypass_csp=True, **opties
                )
                pagina = context.new_page()
                return context, spoor.volg(pagina)

            context, beleid = persoon()
            _inloggen(beleid, basis, "Beleidsmedewerker")
            beleid.get_by_role("link", name="Het dashboard met de cijfers van de regio").click()
            beleid.get_by_role("heading", name="Dashboard", exact=True).wait_for()
            beleid.get_by_label("Periode", exact=True).select_option(kwartaal)
            beleid.get_by_role("button", name="Tonen").click()
            beleid.get_by_role("heading", name=f"Cijfers van {periodenaam(kwartaal)}").wait_for()
            assert beleid.url.endswith(f"/dashboard?periode={kwartaal}")
            assert beleid.title() == "Dashboard — Werkplek meldroute"
            assert beleid.evaluate("document.scripts.length") == 0
            vormen = beleid.get_by_role(
                "table", name=f"Signalen per gemeente en uitbuitingsvorm, {periodenaam(kwartaal)}"
            )
            assert vormen.get_by_role("rowheader", name="Oude IJsselstreek").is_visible()
            assert vormen.get_by_role("columnheader", name="Arbeidsuitbuiting").is_visible()
            assert vormen.get_by_role("cell", name="x (onderdrukt)").count() > 0
            assert beleid.get_by_text("onderdrukt: een aantal van 1 tot 5").is_visible()
            assert beleid.get_by_role("heading", name="Intervisie: uw gemeente naast de regio").count() == 0
            _axe(beleid, "30-dashboard")
            _opslag_zonder_token(context, beleid)

            # The attention officer, in a browser of their own: the own municipality next to the region.
            context, af = persoon()
            _inloggen(af, basis, "Aandachtsfunctionaris mensenhandel")
            af.get_by_role("link", name="Dashboard", exact=True).click()
            af.get_by_label("Periode", exact=True).select_option(kwartaal)
            af.get_by_role("button", name="Tonen").click()
            af.get_by_role("heading", name="Intervisie: uw gemeente naast de regio").wait_for()
            intervisie = af.get_by_role(
                "table", name=f"Oude IJsselstreek naast de regio, {periodenaam(kwartaal)}"
            )
            assert intervisie.get_by_role("rowheader", name="Alle signalen").is_visible()
            rij = intervisie.get_by_role("row", name="Uitbuitingsvorm: Seksuele uitbuiting")
            assert rij.get_by_role("cell").first.inner_text().startswith("x")
            _axe(af, "30-dashboard-intervisie")
            _opslag_zonder_token(context, af)

        finally:
            browser.close()
    # Every request stayed on the werkplek: the browser never talks to reporting, and carries no token.
    assert verzoeken and all(url.startswith(basis) for url in verzoeken)
    # Who is logged in (the provider's name for the person) is in no URL, history entry or title.
    spoor.zonder(*NAMEN)
