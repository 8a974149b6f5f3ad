"""The werkplek in a real browser: a melder records a signal, the attention officer finds it, takes it, adds a
note, asks advice and escalates it with a safety and a care track (the policy's dry-run shown, then sent).

intake-api, the privacy gateway and the werkplek run as real processes; Chromium (Debian's) walks the screens by their labels,
axe-core checks every screen for WCAG 2.1 AA (no serious or critical violation), every screen is checked on a
phone-sized screen and at 200% zoom, the escalation is done with the keyboard alone, the browser's storage
holds nothing but the session id's cookie, and no URL or page title holds what the walk typed in.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

import pytest
from meldroute_dev.services import DIENSTEN, WERKPLEK
from meldroute_dev.testing import ServiceHarness, ServiceProcess, clear_tables, free_port
from werkplek.web import SESSIE_COOKIE

ROOT = Path(__file__).resolve().parents[3]
ARTEFACTEN = ROOT / "test-artifacts" / "werkplek"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = pytest.mark.processes
#: Identifying values the melder types into the free text; they may reach intake, never a URL or a title.
MELDER_NAAM, MELDER_MAIL = "Anna Kowalczyk", "a.kowalczyk@example.org"


@pytest.fixture
def werkplek_url(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, local_dir: Path, tmp_path: Path
) -> Iterator[str]:
    intake = next(d for d in DIENSTEN if d.naam == "intake-api")
    gateway = next(d for d in DIENSTEN if d.naam == "privacy-gateway")
    # The session's migrated intake database (migrated once), emptied again afterwards.
    url = intake_harness.database_url
    common = {"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir)}
    intake_proces = ServiceProcess(
        dienst=intake,
        env={
            **common,
            "INTAKE_DATABASE_URL": url,
            "INTAKE_OUTBOX_RELAY_AAN": "false",
            "INTAKE_RETENTIE_TAAK_AAN": "false",
        },
        log_dir=tmp_path,
    )
    # The gateway: the attention officer's dry-run of an escalation and the policy's partners.
    gateway_proces = ServiceProcess(
        dienst=gateway,
        env={
            **common,
            "GATEWAY_DATABASE_URL": gateway_harness.database_url,
            "GATEWAY_INTAKE_URL": intake_proces.url,
        },
        log_dir=tmp_path,
    )
    port = free_port()
    # localhost: the browser keeps a Secure cookie over plain http only there.
    basis = f"http://localhost:{port}"
    werkplek = ServiceProcess(
        dienst=WERKPLEK,
        env={**common, "WERKPLEK_PUBLIC_URL": basis, "WERKPLEK_INTAKE_URL": intake_proces.url,
             "WERKPLEK_GATEWAY_URL": gateway_proces.url,
             "WERKPLEK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'werkplek.sqlite3'}"},
        log_dir=tmp_path,
        port=port,
    )  # fmt: skip
    try:
        intake_proces.start()
        gateway_proces.start()
        werkplek.start()
        yield basis
    finally:
        werkplek.stop()
        gateway_proces.stop()
        intake_proces.stop()
        asyncio.run(clear_tables(url, intake_harness.metadata))
        asyncio.run(clear_tables(gateway_harness.database_url, gateway_harness.metadata))


#: A phone, and 200% zoom (1280 px wide at 200% is 640 CSS pixels): every screen is checked in both.
MATEN = (("telefoon", {"width": 360, "height": 740}), ("zoom-200", {"width": 640, "height": 400}))


def _axe(pagina: Any, scherm: str) -> None:
    """axe-core on the page as it is: no serious or critical WCAG 2.1 A/AA violation; a screenshot besides.

    Then the same screen on a phone and at 200% zoom (`_in_elke_maat`), so no screen of a walk escapes them.
    """
    ARTEFACTEN.mkdir(parents=True, exist_ok=True)
    pagina.screenshot(path=str(ARTEFACTEN / f"{scherm}.png"), full_page=True)
    if not pagina.evaluate("typeof window.axe !== 'undefined'"):
        pagina.add_script_tag(content=AXE.read_text())
    uitslag = pagina.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    ernstig = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in uitslag["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not ernstig, f"{scherm}: {json.dumps(ernstig, indent=1)}"
    _in_elke_maat(pagina, scherm)


def _in_elke_maat(pagina: Any, scherm: str) -> None:
    """The screen as it is, on a phone and at 200% zoom: the page never scrolls sideways (WCAG 1.4.10) and
    every control stays within the width, so it can be reached without scrolling sideways. A table is the
    exception the criterion allows: it scrolls within its own box (and a control in it scrolls into view
    when it gets the focus)."""
    oud = pagina.viewport_size
    try:
        for naam, maat in MATEN:
            pagina.set_viewport_size(maat)
            _geen_horizontaal_scrollen(pagina, f"{scherm}-{naam}")
            buiten = pagina.evaluate(
                """() => [...document.querySelectorAll('a[href], button, input, select, textarea, summary')]
                    .filter(e => e.getClientRects().length && !e.closest('.werkplek-verborgen, .werkplek-tabelvak, .utrecht-table'))
                    .filter(e => { const r = e.getBoundingClientRect();
                        return r.left < -1 || r.right > document.documentElement.clientWidth + 1; })
                    .slice(0, 5).map(e => e.tagName + '#' + e.id + ' ' + (e.textContent || e.name).trim())"""
            )
            assert not buiten, f"{scherm}-{naam}: controls outside the width: {buiten}"
            # A box that scrolls sideways here (a table) can be scrolled with the keyboard too.
            uitslag = pagina.evaluate(
                "axe.run(document, {runOnly: {type: 'rule', values: ['scrollable-region-focusable']}})"
            )
            assert not uitslag["violations"], (
                f"{scherm}-{naam}: {[n['target'] for v in uitslag['violations'] for n in v['nodes']]}"
            )
    finally:
        pagina.set_viewport_size(oud)


def _geen_horizontaal_scrollen(pagina: Any, scherm: str) -> None:
    breedte = pagina.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    te_breed = pagina.evaluate(
        """() => { const w = document.documentElement.clientWidth + 1;
            const breed = e => e.getBoundingClientRect().right > w;
            // The innermost ones: what makes the page wide, not every box around it.
            return [...document.querySelectorAll('body *')].filter(e => breed(e) && ![...e.children].some(breed))
                .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + e.textContent.slice(0, 30)); }"""
    )
    assert breedte[0] <= breedte[1] + 1, f"{scherm}: the page scrolls sideways ({breedte}): {te_breed}"


def _tab_naar(pagina: Any, selector: str, *, hoogstens: int = 80) -> None:
    """Tab forward until the element `selector` has the focus: the keyboard alone reaches it, in the order
    of the page (WCAG 2.1.1, 2.4.3). Fails if it is not reached within `hoogstens` presses."""
    for _ in range(hoogstens):
        pagina.keyboard.press("Tab")
        if pagina.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} is not reached with Tab")


@dataclass
class Spoor:
    """What a browser keeps of a walk outside the page: every URL it loaded (the history, the address bar) and
    every page title (the history's and the tab's)."""

    adressen: list[str] = field(default_factory=list)
    titels: list[str] = field(default_factory=list)

    def volg(self, pagina: Any) -> Any:
        pagina.on("request", lambda verzoek: self.adressen.append(verzoek.url))
        pagina.on("load", lambda p: self.titels.append(p.title()))
        return pagina

    def zonder(self, *waarden: str) -> None:
        """None of the walk's identifying values (BSN, names, e-mail) in any URL or title, in any case."""
        assert self.adressen and self.titels
        for waarde in waarden:
            for spoor in (*self.adressen, *self.titels):
                assert waarde.lower() not in unquote_plus(spoor).lower(), (waarde, spoor)


def _opslag_zonder_token(context: Any, pagina: Any) -> None:
    opslag = pagina.evaluate(
        """async () => ({
            local: Object.keys(localStorage).length, session: Object.keys(sessionStorage).length,
            idb: (await indexedDB.databases()).length, cookie: document.cookie })"""
    )
    assert opslag == {"local": 0, "session": 0, "idb": 0, "cookie": ""}, opslag  # HttpOnly: none readable
    cookies = context.cookies()
    assert [c["name"] for c in cookies] == [SESSIE_COOKIE], cookies
    sessie = cookies[0]
    assert sessie["httpOnly"] and sessie["secure"] and sessie["sameSite"] == "Strict"
    assert "." not in sessie["value"] and len(sessie["value"]) == 43  # an id, not a token


def _inloggen(pagina: Any, basis: str, rol: str) -> None:
    pagina.goto(basis)
    pagina.get_by_role("link", name="Inloggen").click()
    pagina.get_by_role("heading", name="Ontwikkel-login").wait_for()
    pagina.get_by_label(rol).check()
    pagina.get_by_role("button", name="Inloggen").click()
    pagina.get_by_text("U bent ingelogd als").wait_for()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make test installs it)")
def test_melder_and_attention_officer_walk_the_werkplek(werkplek_url: str) -> None:
    from playwright.sync_api import sync_playwright

    spoor = Spoor()
    verzoeken = spoor.adressen
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            # bypass_csp only so the test can inject axe-core; the page itself runs no script.
            context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
            pagina = context.new_page()
            spoor.volg(pagina)
            pagina.goto(werkplek_url)
            _axe(pagina, "01-start")
            # Keyboard: the first Tab reaches the skip link.
            pagina.keyboard.press("Tab")
            assert pagina.evaluate("document.activeElement.textContent") == "Direct naar de inhoud"
            _inloggen(pagina, werkplek_url, "Melder (gemeentelijk medewerker)")
            _axe(pagina, "02-ingelogd-melder")

            pagina.get_by_role("link", name="Een signaal melden").click()
            pagina.get_by_role("heading", name="Signaal melden").wait_for()
            _axe(pagina, "03-formulier")
            # Sent without the required fields: intake's errors stand at their fields, tied by aria-describedby.
            pagina.get_by_role("button", name="Signaal versturen").click()
            pagina.get_by_role("heading", name="Het signaal is nog niet verstuurd").wait_for()
            assert pagina.title().startswith("Fout: ")
            domein = pagina.get_by_label("Uw domein (verplicht)")
            assert "fout-melderDomein" in (domein.get_attribute("aria-describedby") or "")
            assert domein.get_attribute("aria-invalid") == "true"
            assert pagina.locator("#fout-melderDomein").is_visible()
            _axe(pagina, "04-formulier-fouten")

            domein.select_option("toezicht")
            pagina.get_by_label("Datum van waarneming (verplicht)").fill(
                (date.today() - timedelta(days=2)).isoformat()
            )
            pagina.locator("#vorm-arbeid").check()
            pagina.locator("#indicator-excessieve-werkuren").check()
            pagina.get_by_label("Sector (verplicht)").select_option("bouw")
            pagina.get_by_label("Soort plek (verplicht)").select_option("woning")
            pagina.get_by_label("Omschrijving").fill(
                f"Veel mensen op een bouwplaats tot laat in de avond; gezien door {MELDER_NAAM} ({MELDER_MAIL})."
            )
            pagina.get_by_role("button", name="Signaal versturen").click()
            pagina.get_by_role("heading", name="Uw signaal is ontvangen").wait_for()
            _axe(pagina, "05-bevestiging")
            pagina.get_by_role("link", name="De status van mijn signalen").click()
            pagina.get_by_role("cell", name="Ontvangen", exact=True).wait_for()
            _axe(pagina, "06-mijn-signalen")
            _opslag_zonder_token(context, pagina)

            pagina.get_by_role("button", name="Uitloggen").click()
            pagina.get_by_text("U bent uitgelogd.").wait_for()
            assert context.cookies() == []

            _inloggen(pagina, werkplek_url, "Aandachtsfunctionaris mensenhandel")
            pagina.get_by_role("link", name="De wachtrij van signalen").click()
            pagina.get_by_label("Status").select_option("ontvangen")
            pagina.get_by_role("button", name="Filteren").click()
            pagina.get_by_role("heading", name="Wachtrij").wait_for()
            _axe(pagina, "08-wachtrij")
            pagina.get_by_role("link", name="Bekijken").first.click()
            pagina.get_by_role("heading", name="Historie").wait_for()
            assert pagina.title() == "Signaal — Werkplek meldroute"
            assert pagina.get_by_text("Veel mensen op een bouwplaats").is_visible()
            _axe(pagina, "09-signaal")

            # Take it: assigned to the officer, and in behandeling.
            pagina.get_by_role("button", name="Oppakken").click()
            pagina.get_by_role("heading", name="Toewijzing").wait_for()
            assert pagina.locator("dd", has_text="In behandeling").count() == 1
            pagina.get_by_label("Nieuwe aantekening").fill("Melder gebeld; bevestigt de late uren.")
            pagina.get_by_role("button", name="Aantekening toevoegen").click()
            pagina.get_by_text("Melder gebeld; bevestigt de late uren.").wait_for()
            _axe(pagina, "10-signaal-opgepakt")

            # Advice from the region's experts (partners from the gateway's policy).
            pagina.get_by_role("link", name="Advies vragen").click()
            pagina.get_by_role("heading", name="Advies vragen").wait_for()
            _axe(pagina, "11-advies")
            pagina.get_by_label("Vraag (verplicht)").fill("Is dit iets voor het casusoverleg?")
            pagina.get_by_label("RIEC Oost-Nederland").check()
            pagina.get_by_role("button", name="Advies vragen").click()
            pagina.get_by_text("Is dit iets voor het casusoverleg?").wait_for()
            assert pagina.locator("dd", has_text="Advies gevraagd").count() == 1
            pagina.get_by_label("Toelichting (verplicht)").fill("Advies besproken; verder in behandeling.")
            pagina.get_by_role("button", name="Besluit vastleggen").click()
            pagina.get_by_role("link", name="Opschalen naar partners").wait_for()

            # Escalation with a safety and a care track: the dry-run first, on its own screen; then sent.
            pagina.get_by_role("link", name="Opschalen naar partners").click()
            pagina.get_by_role("heading", name="Opschalen").wait_for()
            # With the keyboard alone (Tab to each control, Space for a box, Enter for a button), from the top.
            pagina.locator("body").focus()
            for partner in ("#traject0-partners-riec-oost-nederland", "#traject0-partners-politie-oost-nederland",
                            "#traject1-partners-zorgcoordinatie-noord-oost-gelderland"):  # fmt: skip
                _tab_naar(pagina, partner)
                pagina.keyboard.press("Space")
            _tab_naar(pagina, "textarea")
            assert pagina.evaluate("document.activeElement.labels[0].textContent").startswith("Toelichting")
            pagina.keyboard.type("Arbeidsuitbuiting in de bouw; opvang nodig.")
            _axe(pagina, "12-opschalen")
            _tab_naar(pagina, "button[type=submit]")
            assert pagina.evaluate("document.activeElement.textContent") == "Toetsen aan het convenant"
            pagina.keyboard.press("Enter")
            pagina.get_by_role("heading", name="Opschaling controleren").wait_for()
            assert pagina.get_by_role("cell", name="Ja", exact=True).count() == 3
            assert pagina.get_by_text("Er is nog niets verstuurd.").is_visible()
            _axe(pagina, "13-opschaling-toets")
            _tab_naar(pagina, "button[value=versturen]")
            pagina.keyboard.press("Enter")
            pagina.get_by_role("heading", name="Casusoverleg (open)").wait_for()
            assert pagina.get_by_role("heading", name="Zorg en opvang (open)").is_visible()
            assert pagina.locator("dd", has_text="Opgeschaald").count() == 1
            assert pagina.title() == "Signaal — Werkplek meldroute"
            _axe(pagina, "14-signaal-opgeschaald")
            _opslag_zonder_token(context, pagina)
            historie = pagina.evaluate("history.length")
            assert historie >= 1
        finally:
            browser.close()
    # Every request stayed on the werkplek: no CDN, no other origin, and no identifying query.
    assert verzoeken and all(url.startswith(werkplek_url) for url in verzoeken), {
        u for u in verzoeken if not u.startswith(werkplek_url)
    }
    # Nothing identifying that the walk typed in ever reached a URL, the history or a title.
    spoor.zonder(
        MELDER_NAAM,
        MELDER_MAIL,
        "Kowalczyk",
        "bouwplaats",
        "Melder gebeld",
        "Melder (gemeentelijk medewerker)",
    )
