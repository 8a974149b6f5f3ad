"""The partner, the approver and the FG in a real browser, over the real gateway and intake as processes.

The case is set up through the services' APIs over HTTP (a melder records a signal naming a victim, the
attention officer escalates it to RIEC); then, in Debian's Chromium, a partner reads the case and reports an
outcome and asks for the victim's identity, another person of the organisation (the approver, in a browser of
their own) approves it, the partner sees the identity, and the FG reads the log, verifies it against the
checkpoint they kept and answers an access request. axe-core checks every screen (no serious or critical WCAG
2.1 AA violation); screenshots go to `test-artifacts/werkplek/`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.services import DIENSTEN, WERKPLEK
from meldroute_dev.testing import ServiceHarness, ServiceProcess, clear_tables, free_port

from tests.builders import betrokkene, signaal

from .test_browser import CHROMIUM, Spoor, _axe, _inloggen, _tab_naar

pytestmark = pytest.mark.processes
BSN, NAAM, GEBOORTEDATUM = "111222333", "Jan Kowalski", "2001-05-04"


@pytest.fixture
def diensten(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, local_dir: Path, tmp_path: Path
) -> Iterator[dict[str, str]]:
    """intake-api, the privacy gateway and the werkplek as processes on the session's migrated databases."""
    intake_db, gateway_db = intake_harness.database_url, gateway_harness.database_url
    common = {"MELDROUTE_ENV": "test", "MELDROUTE_LOCAL_DIR": str(local_dir)}
    dienst = {d.naam: d for d in DIENSTEN}
    intake = ServiceProcess(
        dienst=dienst["intake-api"],
        env={**common, "INTAKE_DATABASE_URL": intake_db, "INTAKE_OUTBOX_RELAY_AAN": "false",
             "INTAKE_RETENTIE_TAAK_AAN": "false"},
        log_dir=tmp_path,
    )  # fmt: skip
    gateway = ServiceProcess(
        dienst=dienst["privacy-gateway"],
        env={**common, "GATEWAY_DATABASE_URL": gateway_db, "GATEWAY_INTAKE_URL": intake.url},
        log_dir=tmp_path,
    )
    port = free_port()
    basis = (
        f"http://localhost:{port}"  # localhost: the browser keeps a Secure cookie over plain http only there
    )
    werkplek = ServiceProcess(
        dienst=WERKPLEK,
        env={**common, "WERKPLEK_PUBLIC_URL": basis, "WERKPLEK_INTAKE_URL": intake.url,
             "WERKPLEK_GATEWAY_URL": gateway.url,
             "WERKPLEK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'werkplek.sqlite3'}"},
        log_dir=tmp_path,
        port=port,
    )  # fmt: skip
    try:
        intake.start()
        gateway.start()
        werkplek.start()
        yield {"werkplek": basis, "intake": intake.url}
    finally:
        werkplek.stop()
        gateway.stop()
        intake.stop()
        asyncio.run(clear_tables(intake_db, intake_harness.metadata))
        asyncio.run(clear_tables(gateway_db, gateway_harness.metadata))


def _opgeschaalde_casus(intake: str, issuer: DevIssuer) -> None:
    """Over intake's API: a signal naming the victim, taken up and escalated to RIEC for the case conference."""
    melder = {"Authorization": f"Bearer {issuer.mint(rol='melder', gemeente='GM1509')}"}
    af = {"Authorization": f"Bearer {issuer.mint(rol='aandachtsfunctionaris', gemeente='GM1509')}"}
    with httpx.Client(base_url=intake, timeout=30) as http:
        nieuw = http.post(
            "/v1/signalen",
            json=signaal(betrokkenen=[betrokkene(bsn=BSN, naam=NAAM, geboortedatum=GEBOORTEDATUM)]),
            headers={**melder, "Idempotency-Key": "werkplek-browser-partner"},
        )
        assert nieuw.status_code == 201, nieuw.text
        pad = f"/v1/signalen/{nieuw.json()['id']}/beoordelingen"
        for versie, besluit in (
            ("1", {"status": "in_behandeling"}),
            ("2", {"status": "opgeschaald", "partners": ["riec-oost-nederland"], "doel": "casusoverleg"}),
        ):
            antwoord = http.post(
                pad, json={"toelichting": "Besloten.", **besluit}, headers={**af, "If-Match": f'"{versie}"'}
            )
            assert antwoord.status_code == 200, antwoord.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make test installs it)")
def test_partner_approver_and_fg_walk_the_werkplek(diensten: dict[str, str], issuer: DevIssuer) -> None:
    from playwright.sync_api import sync_playwright

    basis = diensten["werkplek"]
    _opgeschaalde_casus(diensten["intake"], issuer)
    spoor = Spoor()
    verzoeken = spoor.adressen
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:

            def persoon() -> Any:
                # bypass_csp only so the test can inject axe-core; the pages themselves run no script.
                context = browser.new_context(viewport={"width": 1100, "height": 900}, bypass_csp=True)
                pagina = context.new_page()
                return spoor.volg(pagina)

            # The partner reads the case and reports an outcome.
            partner = persoon()
            _inloggen(partner, basis, "Partner (RIEC-convenant)")
            _axe(partner, "20-partner-start")
            partner.get_by_role("link", name="De casussen van uw organisatie").click()
            partner.get_by_role("heading", name="Casussen", exact=True).wait_for()
            _axe(partner, "21-casussen")
            partner.get_by_role("link", name="Bekijken").first.click()
            partner.get_by_role("heading", name="Betrokkenen").wait_for()
            assert partner.title() == "Casus — Werkplek meldroute"
            assert NAAM not in partner.content() and BSN not in partner.content()
            _axe(partner, "22-casus")
            # Without the detail the outcome asks for: the gateway's reason at the field.
            partner.get_by_label("Terugkoppeling (verplicht)").select_option("opvang_geregeld")
            partner.get_by_role("button", name="Terugkoppeling vastleggen").click()
            vorm = partner.get_by_label("Vorm van opvang")
            vorm.wait_for()
            assert partner.title().startswith("Fout: ")
            assert vorm.get_attribute("aria-invalid") == "true"
            assert "fout-tk-opvangvorm" in (vorm.get_attribute("aria-describedby") or "")
            _axe(partner, "23-casus-fout")
            vorm.select_option("cosm")
            partner.get_by_role("button", name="Terugkoppeling vastleggen").click()
            partner.get_by_text("De terugkoppeling is vastgelegd.").wait_for()
            # The identity request, with the reason why.
            partner.get_by_label("Betrokkene 1 (slachtoffer)").check()
            partner.get_by_label("Reden van het verzoek (verplicht)").fill(
                "Afstemming van opvang en veiligheid in het casusoverleg van volgende week."
            )
            partner.get_by_role("button", name="Identiteit aanvragen").click()
            partner.get_by_text("Het verzoek is ingediend.").wait_for()
            assert partner.get_by_role("cell", name="Wacht op goedkeuring").is_visible()
            _axe(partner, "24-mijn-identiteitsverzoeken")

            # Another person of the organisation approves it, in a browser of their own.
            goedkeurder = persoon()
            _inloggen(goedkeurder, basis, "Goedkeurder (vier ogen)")
            goedkeurder.get_by_role("link", name="Identiteitsverzoeken die op uw goedkeuring wachten").click()
            goedkeurder.get_by_role("heading", name="Wachten op uw goedkeuring").wait_for()
            _axe(goedkeurder, "25-goedkeuren")
            # With the keyboard alone: a rejection without a real reason is refused at its field (nothing
            # recorded), then the approval; Tab to each control, Enter on the button.
            _tab_naar(goedkeurder, "textarea[name=reden]")
            goedkeurder.keyboard.type("Nee.")
            _tab_naar(goedkeurder, "form[action$='/afwijzing'] button")
            goedkeurder.keyboard.press("Enter")
            goedkeurder.get_by_role("heading", name="Het verzoek is nog niet afgewezen").wait_for()
            assert goedkeurder.locator("textarea[name=reden]").get_attribute("aria-invalid") == "true"
            _tab_naar(goedkeurder, "form[action$='/goedkeuring'] button")
            goedkeurder.keyboard.press("Enter")
            goedkeurder.get_by_text("Het verzoek is goedgekeurd.").wait_for()
            assert goedkeurder.get_by_text("Er wachten geen verzoeken op uw goedkeuring.").is_visible()

            # The requester now sees the identity (a page never cached, nothing of it in its title).
            partner.reload()
            partner.get_by_role("link", name="Identiteit inzien").click()
            partner.get_by_role("heading", name="Identiteit", exact=True).wait_for()
            assert (
                partner.get_by_text(NAAM).is_visible()
                and partner.title() == "Identiteit — Werkplek meldroute"
            )
            _axe(partner, "26-identiteit")

            # The FG reads the log, verifies it against the checkpoint kept, and answers an access request.
            fg = persoon()
            _inloggen(fg, basis, "Functionaris gegevensbescherming")
            fg.get_by_role("link", name="Het verwerkingenlog", exact=True).click()
            fg.get_by_role("heading", name="Verwerkingenlog").wait_for()
            fg.get_by_label("Actie").select_option("ontzegeling")
            fg.get_by_role("button", name="Filteren").click()
            fg.get_by_role("cell", name="riec-oost-nederland").first.wait_for()
            assert fg.get_by_role("cell", name="Ontzegelen en verstrekken van de identiteit").is_visible()
            _axe(fg, "27-verwerkingenlog")
            fg.get_by_role("link", name="De keten controleren").click()
            fg.get_by_text("De keten is intact").wait_for()
            bewaard = fg.locator("pre.werkplek-notitie").inner_text()
            fg.get_by_label("Bewaard checkpoint (verplicht)").fill(bewaard)
            fg.get_by_role("button", name="Controleren").click()
            fg.get_by_text("staat met een geldige handtekening op zijn plaats").wait_for()
            _axe(fg, "28-verificatie")
            fg.get_by_role("link", name="Inzage", exact=True).click()
            fg.get_by_label("BSN").fill(BSN)
            fg.get_by_role("button", name="Inzage opvragen").click()
            fg.get_by_role("heading", name="Antwoord").wait_for()
            assert BSN not in fg.content() and "Ontzegeling van een identiteit" in fg.content()
            _axe(fg, "29-inzage")
            for pagina in (partner, goedkeurder, fg):
                assert (
                    pagina.evaluate("document.cookie") == ""
                )  # the session cookie is HttpOnly: nothing else
        finally:
            browser.close()
    # Every request stayed on the werkplek, and no URL named the person.
    assert verzoeken and all(url.startswith(basis) for url in verzoeken)
    # No URL, history entry or title named the person: not the BSN the FG typed, not the name the partner saw.
    spoor.zonder(BSN, NAAM, "Kowalski", GEBOORTEDATUM, "Afstemming van opvang")
