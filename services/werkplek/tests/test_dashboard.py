"""The dashboard over an in-process reporting with a published quarter: the policy officer with the login token,
the attention officer with it exchanged once for reporting's audience (and the intervisie), the published
periods to choose from, withheld figures shown as such, scopes, and reporting's errors as problem pages."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness, clear_tables
from reporting.perioden import kwartaal_van, maand_plus
from reporting.statistieken.publicatie import publish_closed
from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from werkplek.dashboard import periodenaam
from werkplek.main import create_app

from tests.builders import beoordeling, gebeurtenis, terugkoppeling

from .conftest import BASIS, Werkplek, werkplek_settings

K = 5
SESSIE = "__Host-werkplek-sessie"


def maand_met_cijfers() -> str:
    """A month whose quarter is closed and past the embargo now, inside reporting's default range of two years."""
    nu = datetime.now(UTC)
    return maand_plus(f"{nu.year:04d}-{nu.month:02d}", -4)


def gebeurtenissen(maand: str) -> list[dict[str, Any]]:
    """One month of a region: decisions, outcomes, and cells that are always shown (at least the threshold plus the
    largest perturbation, 9) or always withheld (below half the threshold: 2); GM1509's sexual exploitation small."""

    def signalen(aantal: int, **velden: Any) -> list[dict[str, Any]]:
        return [gebeurtenis(maand=maand, **velden) for _ in range(aantal)]

    return [
        *signalen(14, gemeenteCode="GM1509", uitbuitingsvormen=["arbeid"]),
        *signalen(2, gemeenteCode="GM1509", uitbuitingsvormen=["seksueel"]),
        *signalen(12, gemeenteCode="GM0222", uitbuitingsvormen=["seksueel"], melderDomein="wijkteam"),
        *signalen(2, gemeenteCode="GM0197", uitbuitingsvormen=["arbeid"], melderDomein="balie"),
        *(beoordeling(maand=maand, gemeenteCode="GM1509") for _ in range(11)),
        *(beoordeling(maand=maand, uitkomst="afgesloten_geen_mensenhandel", doorlooptijdDagen=3)
          for _ in range(10)),
        *(terugkoppeling(maand=maand, terugkoppeling="opgepakt") for _ in range(10)),
    ]  # fmt: skip


async def publiceer(
    reporting_harness: ServiceHarness, reporting: httpx.AsyncClient, issuer: DevIssuer
) -> str:
    """Deliver the events as intake would and publish every closed period as the daily task does; the quarter."""
    maand = maand_met_cijfers()
    antwoord = await reporting.post(
        "/v1/gebeurtenissen",
        json={"gebeurtenissen": gebeurtenissen(maand)},
        headers={"Authorization": f"Bearer {issuer.mint(rol='intake-api')}"},
    )
    assert antwoord.status_code == 200, antwoord.text
    engine = create_async_engine(reporting_harness.database_url)
    try:
        maker = async_sessionmaker(engine, expire_on_commit=False)
        gepubliceerd = await publish_closed(maker=maker, drempel=K, embargo=timedelta(days=14))
    finally:
        await engine.dispose()
    assert kwartaal_van(maand) in gepubliceerd and maand in gepubliceerd
    return kwartaal_van(maand)


@dataclass
class Dashboard:
    werkplek: Werkplek
    reporting: httpx.AsyncClient
    issuer: DevIssuer
    kwartaal: str
    wissels: list[str]


@pytest.fixture
async def dash(
    reporting_harness: ServiceHarness, local_dir: Path, issuer: DevIssuer
) -> AsyncIterator[Dashboard]:
    """The werkplek wired to reporting in-process (its own publication task off; the test publishes)."""
    reporting = reporting_harness.app(publicatie_taak_aan=False, drempel=K, minimale_populatie=10)
    app = create_app(werkplek_settings(local_dir))
    wissels: list[str] = []
    try:
        async with reporting.router.lifespan_context(reporting), app.router.lifespan_context(app):
            naar_reporting = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=reporting), base_url="http://reporting.test"
            )
            app.state.reporting.http = naar_reporting
            app.state.reporting.url = "http://reporting.test"
            provider = httpx.ASGITransport(app=app)

            class Tellend(httpx.AsyncBaseTransport):
                """The provider's token endpoint, counting the exchanges."""

                async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                    if b"token-exchange" in request.content:
                        wissels.append(request.content.decode())
                    return await provider.handle_async_request(request)

            app.state.oidc_transport = Tellend()
            kwartaal = await publiceer(reporting_harness, naar_reporting, issuer)
            antwoorden: list[httpx.Response] = []

            async def bewaar(response: httpx.Response) -> None:
                await response.aread()
                antwoorden.append(response)

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=BASIS, event_hooks={"response": [bewaar]}
            ) as browser:
                yield Dashboard(
                    werkplek=Werkplek(app=app, browser=browser, antwoorden=antwoorden),
                    reporting=naar_reporting, issuer=issuer, kwartaal=kwartaal, wissels=wissels,
                )  # fmt: skip
            await naar_reporting.aclose()
    finally:
        await clear_tables(reporting_harness.database_url, reporting_harness.metadata)


def tabel(html: str, naam: str) -> list[list[str]]:
    """The rows of a table of the page (header row first) as the texts of their cells."""
    gevonden = re.search(rf'<table[^>]*id="tabel-{naam}".*?</table>', html, re.S)
    assert gevonden, f"no table {naam}"
    rijen = []
    for rij in re.findall(r"<tr[^>]*>(.*?)</tr>", gevonden.group(0), re.S):
        cellen = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", rij, re.S)
        rijen.append([re.sub(r"<[^>]+>", "", c).strip() for c in cellen])
    return rijen


def regel(rijen: list[list[str]], kop: str) -> dict[str, str]:
    """One row by its header, keyed by the column headers."""
    [rij] = [r for r in rijen if r[0] == kop]
    return dict(zip(rijen[0][1:], rij[1:], strict=True))


async def _sessie(w: Werkplek) -> Any:
    return await w.app.state.sessies.lees(w.browser.cookies.get(SESSIE))


def _claims(token: str) -> dict[str, Any]:
    deel = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(deel + "=" * (-len(deel) % 4))))


def _geen_token(w: Werkplek, *tokens: str) -> None:
    for antwoord in w.antwoorden:
        for token in tokens:
            assert token not in antwoord.text and token.split(".")[1] not in antwoord.text
        assert "authorization" not in {k.lower() for k in antwoord.headers}


async def test_the_policy_officer_reads_the_published_figures_with_the_login_token(dash: Dashboard) -> None:
    w = dash.werkplek
    await w.inloggen("beleidsmedewerker")
    start = await w.browser.get("/")
    assert 'href="/dashboard"' in start.text and 'href="/wachtrij"' not in start.text
    sessie = await _sessie(w)
    assert set(sessie.tokens) == {"reporting"}  # the login token, for reporting's audience: no exchange
    # By default the newest published quarter; the chooser offers every published period, grouped by kind.
    standaard = await w.browser.get("/dashboard")
    assert standaard.status_code == 200, standaard.text
    assert '<form method="get" action="/dashboard"' in standaard.text and "<script" not in standaard.text
    assert '<optgroup label="Kwartalen">' in standaard.text and '<optgroup label="Maanden">' in standaard.text
    kwartalen = re.findall(r'<option value="(\d{4}-K\d)"', standaard.text)
    assert dash.kwartaal in kwartalen and f'value="{max(kwartalen)}" selected' in standaard.text

    pagina = await w.browser.get("/dashboard", params={"periode": dash.kwartaal})
    assert pagina.status_code == 200
    html = pagina.text
    assert "<title>Dashboard — Werkplek meldroute</title>" in html
    assert f'value="{dash.kwartaal}" selected' in html and f"Cijfers van {periodenaam(dash.kwartaal)}" in html
    assert "Intervisie" not in html  # a policy officer's token names no municipality
    # Accessible tables: a caption with the period, column and row headers.
    assert f"Signalen per gemeente en uitbuitingsvorm, {periodenaam(dash.kwartaal)}</caption>" in html
    assert html.count('<th scope="col"') > 20 and html.count('<th scope="row"') > 20
    # The marker explained in words, with the threshold.
    assert "onderdrukt: een aantal van 1 tot 5" in html and "(onderdrukt)" in html

    # Number for number what reporting publishes for the quarter.
    bron = (
        await dash.reporting.get(
            "/v1/statistieken/evaluatie",
            params={"periode": "kwartaal", "van": maand_met_cijfers(), "tot": maand_met_cijfers()},
            headers={"Authorization": f"Bearer {sessie.tokens['reporting']}"},
        )
    ).json()
    cellen = {
        (c["waarden"]["gemeente"], c["waarden"]["uitbuitingsvorm"]): c["aantal"]
        for c in bron["vormenPerGemeente"]["cellen"]
    }
    vormen = tabel(html, "vormen")
    assert vormen[0][:1] == ["Gemeente"] and vormen[0][-1] == "Totaal"
    oij = regel(vormen, "Oude IJsselstreek")  # GM1509
    assert oij["Arbeidsuitbuiting"] == str(cellen[("GM1509", "arbeid")])
    assert abs(int(oij["Arbeidsuitbuiting"]) - 14) <= 4
    # Two signals of sexual exploitation: not listed by the table of two dimensions, so withheld.
    assert ("GM1509", "seksueel") not in cellen and oij["Seksuele uitbuiting"] == "x (onderdrukt)"
    assert regel(vormen, "Doetinchem")["Seksuele uitbuiting"] == str(cellen[("GM0222", "seksueel")])
    # Aalten's two signals: its total withheld; the grand total is reporting's own cell.
    assert regel(vormen, "Aalten")["Totaal"] == "x (onderdrukt)"
    [totaal] = [t for t in bron["vormenPerGemeente"]["totalen"] if t["dimensie"] is None]
    assert regel(vormen, "Totaal")["Totaal"] == str(totaal["aantal"])

    domeinen = tabel(html, "domeinen")
    assert regel(domeinen, "Publieksbalie en klantcontact") == {"Signalen": "x (onderdrukt)"}  # 2
    assert int(regel(domeinen, "Toezicht en handhaving")["Signalen"]) >= K
    assert regel(domeinen, "Burgerzaken en adresonderzoek") == {"Signalen": "0"}  # not listed: nothing
    beoordelingen = tabel(html, "beoordelingen")
    assert int(regel(beoordelingen, "Opgeschaald naar partners")["Aantal"]) >= K
    assert regel(beoordelingen, "Doorverwezen naar een ander domein")["Aantal"] == "0"
    assert re.fullmatch(r"\d+,\d", regel(beoordelingen, "Opgeschaald naar partners")["Aandeel (%)"])
    assert regel(tabel(html, "doorlooptijd"), "Mediaan")["Dagen"].isdigit()
    assert "Opgepakt door de partner" in tabel(html, "terugkoppelingen")[0]
    assert regel(tabel(html, "eerste-terugkoppelingen"), "Regio")["Casussen"].isdigit()
    assert tabel(html, "vergelijking")[0][1] == periodenaam(dash.kwartaal)

    # A month is a period too; a period that is not published is an error at the field.
    maand = await w.browser.get("/dashboard", params={"periode": maand_met_cijfers()})
    assert maand.status_code == 200 and f"Cijfers van {periodenaam(maand_met_cijfers())}" in maand.text
    for fout in ("2001-K1", "zomaar", "2026-13"):
        onbekend = await w.browser.get("/dashboard", params={"periode": fout})
        assert onbekend.status_code == 400, fout
        assert "<title>Fout: Dashboard" in onbekend.text and 'aria-invalid="true"' in onbekend.text
        assert 'href="#veld-periode"' in onbekend.text and "tabel-vormen" not in onbekend.text
    assert dash.wissels == []
    _geen_token(w, sessie.tokens["reporting"])


async def test_the_attention_officer_gets_reportings_token_by_one_exchange_and_the_intervisie(
    dash: Dashboard,
) -> None:
    w = dash.werkplek
    await w.inloggen("aandachtsfunctionaris")
    assert 'href="/dashboard"' in (await w.browser.get("/")).text
    for _ in range(2):
        pagina = await w.browser.get("/dashboard", params={"periode": dash.kwartaal})
        assert pagina.status_code == 200, pagina.text
    assert len(dash.wissels) == 1 and "audience=reporting" in dash.wissels[0]
    sessie = await _sessie(w)
    assert set(sessie.tokens) == {"intake-api", "reporting"}
    login, wissel = (_claims(sessie.tokens[d]) for d in ("intake-api", "reporting"))
    assert (login["aud"], wissel["aud"]) == ("intake-api", "reporting")
    for claim in ("sub", "gemeente", "scope", "iss"):
        assert wissel[claim] == login[claim], claim
    html = pagina.text
    assert "Intervisie: uw gemeente naast de regio" in html
    intervisie = tabel(html, "intervisie")
    assert intervisie[0] == ["Cijfer", "Oude IJsselstreek", "Regio"]
    alle = regel(intervisie, "Alle signalen")
    assert abs(int(alle["Oude IJsselstreek"]) - 16) <= 4 and int(alle["Regio"]) > int(
        alle["Oude IJsselstreek"]
    )
    # GM1509's two signals of sexual exploitation: withheld next to the region's shown figure.
    seksueel = regel(intervisie, "Uitbuitingsvorm: Seksuele uitbuiting")
    assert seksueel["Oude IJsselstreek"] == "x (onderdrukt)" and seksueel["Regio"].isdigit()
    assert "tabel-vormen" in html  # and the region's tables below it
    _geen_token(w, sessie.tokens["reporting"], sessie.tokens["intake-api"])


async def test_the_dashboard_needs_the_scope_and_a_login(dash: Dashboard) -> None:
    w = dash.werkplek
    geen_login = await w.browser.get("/dashboard")
    assert geen_login.status_code == 303 and geen_login.headers["location"] == "/"
    for rol in ("melder", "partner", "fg"):
        w.browser.cookies.clear()
        await w.inloggen(rol)
        assert 'href="/dashboard"' not in (await w.browser.get("/")).text, rol
        geweigerd = await w.browser.get("/dashboard")
        assert geweigerd.status_code == 403, rol
        assert geweigerd.headers["content-type"].startswith("application/problem+json")
    assert dash.wissels == []  # refused before anything is exchanged


async def test_reportings_errors_are_problem_pages(dash: Dashboard) -> None:
    w = dash.werkplek
    await w.inloggen("beleidsmedewerker")
    echt = w.app.state.reporting.http

    def druk(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, headers={"Retry-After": "7"}, json={"detail": "Te veel verzoeken."})

    w.app.state.reporting.http = httpx.AsyncClient(transport=httpx.MockTransport(druk))
    te_veel = await w.browser.get("/dashboard")
    assert te_veel.status_code == 429 and "over 7 seconden" in te_veel.text
    assert te_veel.headers["content-type"].startswith("text/html") and 'role="alert"' in te_veel.text

    def weg(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("geweigerd", request=request)

    w.app.state.reporting.http = httpx.AsyncClient(transport=httpx.MockTransport(weg))
    onbereikbaar = await w.browser.get("/dashboard")
    assert onbereikbaar.status_code == 502 and "Dashboard niet beschikbaar" in onbereikbaar.text
    assert "reporting.test" not in onbereikbaar.text
    # reporting no longer accepts the token: the session ends.
    w.app.state.reporting.http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda r: httpx.Response(401, json={"detail": "Ongeldig token."}))
    )
    uit = await w.browser.get("/dashboard")
    assert uit.status_code == 303 and await _sessie(w) is None
    w.app.state.reporting.http = echt


async def test_before_any_publication_the_page_says_so(
    dash: Dashboard, reporting_harness: ServiceHarness
) -> None:
    await clear_tables(reporting_harness.database_url, reporting_harness.metadata)
    w = dash.werkplek
    await w.inloggen("beleidsmedewerker")
    for params in ({}, {"periode": dash.kwartaal}):
        pagina = await w.browser.get("/dashboard", params=params)
        assert pagina.status_code == 200, params
        assert "Er zijn nog geen cijfers gepubliceerd." in pagina.text
        assert "<select" not in pagina.text and "<table" not in pagina.text
