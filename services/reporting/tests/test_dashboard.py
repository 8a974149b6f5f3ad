"""The dashboard: its own CSP, offline assets, open or token mode, and a real browser drawing the charts."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.catalogus import standaard_catalogus
from meldroute_common.devissuer import DevIssuer
from meldroute_common.migrations import upgrade
from meldroute_dev.testing import ServiceHarness, TestDatabases, free_port
from reporting.perioden import Periode, hele_perioden, kwartaal_van, maand_plus
from reporting.statistieken.publicatie import gesloten_perioden, soort_van
from reporting.statistieken.service import Bereik, alle_perioden

from .conftest import gebeurtenis, invoer_headers, lezer_headers, publiceer

ROOT = Path(__file__).resolve().parents[3]
ARTEFACTEN = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")


async def test_page_and_assets_carry_a_self_only_csp(reporting_harness: ServiceHarness) -> None:
    async with reporting_harness.client(dashboard_open=False) as client:
        pagina = await client.get("/dashboard")
        assert pagina.status_code == 200
        csp = pagina.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe" not in csp
        assert '<html lang="nl">' in pagina.text
        assert "https://" not in pagina.text and "http://" not in pagina.text  # nothing from elsewhere
        assert 'id="token"' in pagina.text and "Oude IJsselstreek" in pagina.text  # labels for the charts
        script = await client.get("/dashboard/static/dashboard.js")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert "http" not in script.text.replace("http://www.w3.org/2000/svg", "")
        assert (await client.get("/dashboard/static/dashboard.css")).status_code == 200
        assert (await client.get("/dashboard/static/..%2Fconfig.py")).status_code == 404
        assert (await client.get("/dashboard/static/router.py")).status_code == 404
        # Closed: no figures without a token.
        assert (await client.get("/dashboard/gegevens")).status_code == 404
        assert "/dashboard" not in str((await client.get("/v1/openapi.json")).json()["paths"])


async def test_open_dashboard_serves_suppressed_figures_without_a_token(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    async with reporting_harness.client(dashboard_open=True, drempel=5, minimale_populatie=0) as client:
        events = [gebeurtenis(maand="2026-02") for _ in range(7)] + [
            gebeurtenis(maand="2026-02", gemeenteCode="GM0197")
        ]
        await client.post(
            "/v1/gebeurtenissen", json={"gebeurtenissen": events}, headers=invoer_headers(issuer)
        )
        await publiceer(reporting_harness, drempel=5)
        antwoord = await client.get(
            "/dashboard/gegevens", params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-03"}
        )
        assert antwoord.status_code == 200
        assert "default-src 'self'" in antwoord.headers["content-security-policy"]
        with_token = await client.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": "2026-01", "tot": "2026-03"},
            headers=lezer_headers(issuer),
        )
        assert antwoord.json() == with_token.json()
        gemeenten = {c["waarden"]["gemeente"]: c for c in antwoord.json()["gemeenten"]["cellen"]}
        assert gemeenten["GM0197"]["aantal"] is None and gemeenten["GM0197"]["onderdrukt"]


async def test_closed_dashboard_sends_people_to_the_werkplek(reporting_harness: ServiceHarness) -> None:
    """In production people read the figures on the werkplek behind its login: no token field, one link."""
    werkplek = "https://werkplek.gemeente.example"
    async with reporting_harness.client(dashboard_open=False, werkplek_url=werkplek) as client:
        pagina = await client.get("/dashboard")
        assert pagina.status_code == 200
        assert "script-src 'self'" in pagina.headers["content-security-policy"]
        assert f'<a href="{werkplek}/dashboard">Naar het dashboard van de werkplek</a>' in pagina.text
        assert 'id="token"' not in pagina.text and "<script" not in pagina.text and "token" in pagina.text
        assert (await client.get("/dashboard/gegevens")).status_code == 404
    # Open (development), the page stays the charts without a token; the werkplek's address changes nothing.
    open_instelling = reporting_harness.settings(env="test", dashboard_open=True, werkplek_url=werkplek)
    assert open_instelling.werkplek_dashboard is None
    async with reporting_harness.client(dashboard_open=True, werkplek_url=werkplek) as client:
        assert 'id="grafiek-vormen"' in (await client.get("/dashboard")).text
    # An origin only: no path, query or spaces (the page appends /dashboard itself).
    for fout in ("werkplek.gemeente.example", f"{werkplek}/", f"{werkplek}/dashboard", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            reporting_harness.settings(env="test", werkplek_url=fout)


def test_development_opens_the_dashboard_by_default(reporting_harness: ServiceHarness) -> None:
    assert reporting_harness.settings(env="development").dashboard_zonder_token is True
    assert reporting_harness.settings(env="test").dashboard_zonder_token is False
    assert reporting_harness.settings(env="test", dashboard_open=True).dashboard_zonder_token is True


# --- a real browser against a real process ---------------------------------------------------------------


def _laatste_maand() -> str:
    nu = datetime.now(UTC)
    return maand_plus(f"{nu.year:04d}-{nu.month:02d}", -1)


def _kwartalen() -> dict[str, str]:
    """The quarters the browser test gives a special shape, counted back from last month."""
    laatste = _laatste_maand()
    return {
        "leeg": kwartaal_van(maand_plus(laatste, -12)),  # nothing at all
        "nul": kwartaal_van(maand_plus(laatste, -3)),  # no sexual exploitation, other forms as usual
        "mediaan_nul": kwartaal_van(maand_plus(laatste, -6)),  # every decision the same day
        "weinig_besluiten": kwartaal_van(maand_plus(laatste, -18)),  # 3 decisions: turnaround withheld
    }


def _events() -> list[dict[str, Any]]:
    """Two years of signals, decisions and outcomes, ending last month, with a few small cells to suppress, an empty
    quarter, a form that is zero in one quarter, a quarter whose median turnaround is 0 days and one with too
    few decisions for a turnaround."""
    laatste = _laatste_maand()
    bijzonder = _kwartalen()
    gemeenten = ["GM1509", "GM0222", "GM0197", "GM1859"]
    vormen = [["arbeid"], ["seksueel"], ["crimineel"], ["arbeid", "crimineel"]]
    domeinen = ["toezicht", "wijkteam", "balie"]
    events: list[dict[str, Any]] = []
    for m in range(24):
        maand = maand_plus(laatste, -m)
        kwartaal = kwartaal_van(maand)
        if kwartaal == bijzonder["leeg"]:
            continue
        for i in range(14 + m % 5):
            vorm = vormen[(i + m) % len(vormen)]
            if kwartaal == bijzonder["nul"] and vorm == ["seksueel"]:
                vorm = ["arbeid"]
            events.append(
                gebeurtenis(
                    maand=maand,
                    gemeenteCode=gemeenten[i % len(gemeenten)],
                    uitbuitingsvormen=vorm,
                    melderDomein=domeinen[(i * 7 + m) % len(domeinen)],
                )
            )
        besluiten = 1 if kwartaal == bijzonder["weinig_besluiten"] else 6
        for i in range(besluiten):
            uitkomst = ["opgeschaald", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein"][i % 3]
            dagen = 0 if kwartaal == bijzonder["mediaan_nul"] else 3 + (i * 5 + m) % 40
            events.append(gebeurtenis(maand=maand, uitkomst=uitkomst, doorlooptijdDagen=dagen))
        events.append(
            gebeurtenis(maand=maand, gemeenteCode="GM0294", uitbuitingsvormen=["orgaanverwijdering"])
        )
        # Partners' outcomes: five cases taken up a month (their first outcome), two reports, and one closure a
        # quarter (every third month: one in any three months in a row), always withheld.
        for i in range(5):
            dagen = 2 + (i * 3 + m) % 20
            events.append(gebeurtenis(maand=maand, terugkoppeling="opgepakt", doorlooptijdDagen=dagen))
        andere = ["aangifte_gedaan", "aangifte_gedaan"] + (["afgerond"] if m % 3 == 0 else [])
        for code in andere:
            events.append(
                gebeurtenis(
                    maand=maand, terugkoppeling=code, eersteTerugkoppeling=False, doorlooptijdDagen=30
                )
            )
    return events


def _te_publiceren(periode: Periode) -> list[str]:
    """The periods of the dashboard's default range the service's task will publish (as the service decides)."""
    nu = datetime.now(UTC)
    deze = f"{nu.year:04d}-{nu.month:02d}"
    van, tot = hele_perioden(maand_plus(deze, -23), deze, periode)
    gesloten = gesloten_perioden(
        eerste_maand=maand_plus(_laatste_maand(), -23), nu=nu, embargo=timedelta(days=14)
    )
    in_bereik = set(alle_perioden(Bereik(periode=periode, van=van, tot=tot)))
    return [p for p in gesloten if soort_van(p) == periode and p in in_bereik]


@pytest.fixture
def reporting_proces(test_databases: TestDatabases, local_dir: Path, tmp_path: Path) -> Any:
    url = test_databases.create("reporting-dashboard")
    upgrade(service_dir=ROOT / "services" / "reporting", database_url=url)
    port = free_port()
    env = {
        **os.environ,
        "MELDROUTE_ENV": "test",
        "MELDROUTE_LOCAL_DIR": str(local_dir),
        "REPORTING_DATABASE_URL": url,
        "REPORTING_DASHBOARD_OPEN": "false",
        "REPORTING_DREMPEL": "5",
        "REPORTING_MINIMALE_POPULATIE": "10",
        # Publish the closed periods soon after the events arrive, as the daily task does.
        "REPORTING_PUBLICATIE_INTERVAL_SECONDEN": "1",
    }
    log = (tmp_path / "reporting.log").open("wb")
    proces = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "reporting.main:create_app", "--factory", "--host", "127.0.0.1",
         "--port", str(port), "--no-access-log"],
        env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    basis = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proces.poll() is None, (tmp_path / "reporting.log").read_text()
            try:
                if httpx.get(f"{basis}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "reporting did not become ready"
            time.sleep(0.1)
        yield basis
    finally:
        proces.terminate()
        proces.wait(timeout=10)
        log.close()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="chromium is not installed (make test installs it)")
def test_dashboard_draws_the_charts_in_a_real_browser(reporting_proces: str, issuer: DevIssuer) -> None:
    from playwright.sync_api import sync_playwright

    events = _events()
    for begin in range(0, len(events), 1000):
        antwoord = httpx.post(
            f"{reporting_proces}/v1/gebeurtenissen",
            json={"gebeurtenissen": events[begin : begin + 1000]},
            headers=invoer_headers(issuer),
            timeout=30,
        )
        assert antwoord.status_code == 200, antwoord.text
    token = issuer.mint(rol="beleidsmedewerker")
    # The service's own publication task publishes the closed periods, one by one, within seconds. Wait for
    # every one the page will show: drawing while the last quarters are still being published would leave
    # them out of the charts (the zero of the "nul" quarter, the most recent but one, went missing that way).
    deadline = time.monotonic() + 90
    for periode in ("kwartaal", "maand"):
        verwacht = _te_publiceren(periode)
        assert len(verwacht) >= 7, verwacht
        while True:
            klaar = httpx.get(
                f"{reporting_proces}/v1/statistieken/evaluatie",
                params={"periode": periode},
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            ).json()["gepubliceerdePerioden"]
            if klaar == verwacht:
                break
            assert time.monotonic() < deadline, (klaar, verwacht)
            time.sleep(0.5)
    fouten: list[str] = []
    verzoeken: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        try:
            pagina = browser.new_page(viewport={"width": 1100, "height": 900})
            pagina.on(
                "console", lambda bericht: fouten.append(bericht.text) if bericht.type == "error" else None
            )
            pagina.on("pageerror", lambda fout: fouten.append(str(fout)))
            pagina.on("request", lambda verzoek: verzoeken.append(verzoek.url))
            pagina.goto(f"{reporting_proces}/dashboard")
            assert pagina.locator("html").get_attribute("lang") == "nl"
            # Closed dashboard: nothing is drawn until a token is given.
            assert pagina.locator("svg.staaf").count() == 0
            pagina.get_by_label("Toegangstoken").fill(token)
            pagina.get_by_label("Periode").select_option("kwartaal")
            pagina.get_by_role("button", name="Toon cijfers").click()
            pagina.locator("#grafiek-doorlooptijden svg.staaf").wait_for(timeout=15_000)
            pagina.locator("#grafiek-terugkoppeling-tijden svg.staaf").wait_for(timeout=15_000)
            assert pagina.locator("svg.staaf").count() == 7
            assert "Cijfers van" in pagina.locator("#status").inner_text()
            # Bars for shown figures; suppressed ones get a marker (organ removal: 3 a quarter).
            assert pagina.locator("#grafiek-vormen rect.waarde").count() > 10
            assert pagina.locator("#grafiek-vormen rect.onderdrukt").count() > 0
            assert pagina.locator("#grafiek-gemeenten rect.waarde").count() > 10
            assert pagina.locator("#grafiek-domeinen rect.waarde").count() > 5
            assert pagina.locator("#grafiek-doorlooptijden rect.waarde").count() > 0
            # Outcomes: taken up (15 in a full quarter) always shown, closures (1 a quarter) withheld; the days
            # to a first outcome over 15 first outcomes in a full quarter (six of them are in the range, the empty
            # one aside); shares of the escalations, in percent.
            terug = pagina.locator("#grafiek-terugkoppelingen")
            opgepakt = standaard_catalogus().label("terugkoppelingen", "opgepakt")
            afgerond = standaard_catalogus().label("terugkoppelingen", "afgerond")
            assert terug.locator(f'rect.waarde[data-reeks="{opgepakt}"]').count() >= 6
            assert terug.locator(f'rect.onderdrukt[data-reeks="{afgerond}"]').count() >= 6
            assert pagina.locator("#grafiek-terugkoppeling-tijden rect.waarde").count() >= 12
            assert pagina.locator("#grafiek-terugkoppeling-aandelen svg.staaf").count() == 1
            # Every chart is described and has its table; suppressed figures read as such.
            for grafiek in pagina.locator("svg.staaf").all():
                assert grafiek.get_attribute("role") == "img"
                assert grafiek.locator("title").first.text_content()
            assert pagina.locator("details table").count() == 7
            assert pagina.locator("#grafiek-vormen td.onderdrukt").first.text_content() == "onderdrukt"
            assert "Gedwongen orgaanverwijdering" in (
                pagina.locator("#grafiek-vormen table").text_content() or ""
            )
            _controleer_tekenregels(pagina)
            ARTEFACTEN.mkdir(exist_ok=True)
            pagina.screenshot(path=str(ARTEFACTEN / "dashboard.png"), full_page=True)
            pagina.locator("#keuze").screenshot(path=str(ARTEFACTEN / "dashboard-keuze.png"))
            for naam in ("vormen", "doorlooptijden"):
                pagina.locator(f"#grafiek-{naam} svg.staaf").screenshot(
                    path=str(ARTEFACTEN / f"dashboard-{naam}.png")
                )
            # Per month (24 periods): the period labels are thinned out so they never overlap.
            pagina.locator("#periode").select_option("maand")
            pagina.get_by_role("button", name="Toon cijfers").click()
            pagina.get_by_text("per maand.").wait_for(timeout=15_000)
            labels = [
                vak
                for vak in (
                    t.bounding_box() for t in pagina.locator("#grafiek-vormen text.periodelabel").all()
                )
                if vak is not None
            ]
            assert 6 <= len(labels) < 24
            assert all(a["x"] + a["width"] < b["x"] for a, b in itertools.pairwise(labels))
            pagina.locator("#grafiek-gemeenten svg.staaf").screenshot(
                path=str(ARTEFACTEN / "dashboard-gemeenten-per-maand.png")
            )
            # A policy officer's token names no municipality: no intervisie table. An attention officer's token
            # shows the own municipality next to the region, from the intervisie of the API.
            assert pagina.locator("#intervisie").is_hidden()
            af = issuer.mint(rol="aandachtsfunctionaris", gemeente="GM1509", audience="reporting")
            pagina.get_by_label("Toegangstoken").fill(af)
            pagina.locator("#periode").select_option("kwartaal")
            pagina.get_by_role("button", name="Toon cijfers").click()
            pagina.locator("#intervisie table").wait_for(timeout=15_000)
            intervisie = pagina.locator("#intervisie").text_content() or ""
            assert (
                "Alle signalen" in intervisie and "Regio" in intervisie and "Oude IJsselstreek" in intervisie
            )
            assert pagina.locator("#intervisie td", has_text="onderdrukt").count() > 0
            pagina.locator("#intervisie").screenshot(path=str(ARTEFACTEN / "dashboard-intervisie.png"))
        finally:
            browser.close()
    assert fouten == []
    assert all(url.startswith(reporting_proces) for url in verzoeken), (
        "the page loaded something from elsewhere"
    )


def _controleer_tekenregels(pagina: Any) -> None:
    """Empty is drawn as empty, suppressed as a marker, zero as a visible 0; the month fields show the range."""
    kwartalen = _kwartalen()
    vormen, tijden = pagina.locator("#grafiek-vormen"), pagina.locator("#grafiek-doorlooptijden")

    # The month fields hold the range the figures cover (the default, widened to whole quarters), in the
    # form <input type="month"> takes, and Chromium reads them as months.
    nu = datetime.now(UTC)
    van, tot = hele_perioden(
        maand_plus(f"{nu.year:04d}-{nu.month:02d}", -23), f"{nu.year:04d}-{nu.month:02d}", "kwartaal"
    )
    for veld, verwacht in (("#van", van), ("#tot", tot)):
        invoer = pagina.locator(veld)
        assert invoer.get_attribute("type") == "month"
        assert invoer.input_value() == verwacht
        assert invoer.evaluate("e => e.valueAsNumber > 0"), "Chromium must understand the value"
    assert f"Cijfers van {van} tot en met {tot}" in pagina.locator("#status").inner_text()

    # Empty: the quarter without events has no bar and no marker in any chart, only the quiet note.
    leeg = kwartalen["leeg"]
    for grafiek in ("vormen", "gemeenten", "domeinen", "doorlooptijden", "terugkoppelingen",
                    "terugkoppeling-aandelen", "terugkoppeling-tijden"):  # fmt: skip
        houder = pagina.locator(f"#grafiek-{grafiek}")
        assert houder.locator(f'rect[data-periode="{leeg}"]').count() == 0, grafiek
        assert houder.locator(f'text.leeg[data-periode="{leeg}"]').count() == 1, grafiek
    rij = vormen.locator("tbody tr", has=pagina.locator(f'th:text-is("{leeg}")'))
    assert set(rij.locator("td").all_text_contents()) == {"–"}

    # Suppressed: a small marker of one fixed height on the axis, never a bar up to the threshold.
    markers = pagina.locator("rect.onderdrukt")
    assert markers.count() > 0
    plot = tijden.locator("svg.staaf").bounding_box()
    for marker in markers.all():
        assert marker.get_attribute("height") == "10"
        vak = marker.bounding_box()
        assert vak is not None and plot is not None and vak["height"] < plot["height"] * 0.05
    weinig = kwartalen["weinig_besluiten"]
    for reeks in ("Mediaan", "90e percentiel"):
        assert tijden.locator(f'rect.onderdrukt[data-reeks="{reeks}"][data-periode="{weinig}"]').count() == 1
    assert tijden.locator(f'text.leeg[data-periode="{weinig}"]').count() == 0  # withheld is not empty

    # Zero: a tick with a readable "0", in the charts and in the tables.
    mediaan_nul = kwartalen["mediaan_nul"]
    tik = tijden.locator(f'rect.nul[data-reeks="Mediaan"][data-periode="{mediaan_nul}"]')
    assert tik.count() == 1 and tik.is_visible()
    label = tijden.locator(f'text.nullabel[data-reeks="Mediaan"][data-periode="{mediaan_nul}"]')
    assert label.count() == 1 and label.is_visible() and label.text_content() == "0"
    assert (label.bounding_box() or {}).get("height", 0) > 5
    rij = tijden.locator("tbody tr", has=pagina.locator(f'th:text-is("{mediaan_nul}")'))
    assert rij.locator("td").first.text_content() == "0"
    seksueel = standaard_catalogus().label("uitbuitingsvormen", "seksueel")
    nul = kwartalen["nul"]
    assert vormen.locator(f'rect.nul[data-reeks="{seksueel}"][data-periode="{nul}"]').count() == 1
    assert vormen.locator(f'rect.waarde[data-reeks="{seksueel}"][data-periode="{nul}"]').count() == 0
    # The key under each chart explains the three marks.
    assert "onderdrukt" in (vormen.locator("ul.sleutel").text_content() or "")
