"""The attention officer's screens over in-process intake and privacy gateway: the queue with its filters and
pages, one signal and the work on it (assignment, decision, notes, additions, advice, tracks and outcomes), and
the escalation with two tracks, the policy's dry-run shown before anything is sent."""

from __future__ import annotations

import base64
import json
import re
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_common.settings import Omgeving
from meldroute_dev.testing import ServiceHarness, clear_tables
from privacy_gateway.main import create_app as gateway_app
from werkplek import afhandeling
from werkplek.main import create_app

from .conftest import BASIS, Werkplek, werkplek_settings

RIEC, POLITIE, ZORG = "riec-oost-nederland", "politie-oost-nederland", "zorgcoordinatie-noord-oost-gelderland"


@pytest.fixture
async def af(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, local_dir: Path
) -> AsyncIterator[Werkplek]:
    """The werkplek wired to intake and the gateway in-process (the gateway reads intake in-process too)."""
    intake = intake_harness.app(outbox_relay_aan=False, retentie_taak_aan=False)
    intake_transport = httpx.ASGITransport(app=intake)
    gateway = gateway_app(
        gateway_harness.settings(intake_url="http://intake.test"), intake_transport=intake_transport
    )
    app = create_app(werkplek_settings(local_dir))
    try:
        async with (
            intake.router.lifespan_context(intake),
            gateway.router.lifespan_context(gateway),
            app.router.lifespan_context(app),
        ):
            app.state.intake.http = httpx.AsyncClient(transport=intake_transport)
            app.state.gateway.http = httpx.AsyncClient(transport=httpx.ASGITransport(app=gateway))
            app.state.gateway.url = "http://gateway.test"
            app.state.oidc_transport = httpx.ASGITransport(app=app)
            antwoorden: list[httpx.Response] = []

            async def bewaar(response: httpx.Response) -> None:
                await response.aread()
                antwoorden.append(response)

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=BASIS, event_hooks={"response": [bewaar]}
            ) as browser:
                yield Werkplek(app=app, browser=browser, antwoorden=antwoorden)
            await app.state.intake.http.aclose()
            await app.state.gateway.http.aclose()
    finally:
        await clear_tables(intake_harness.database_url, intake_harness.metadata)
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


async def _melden(
    w: Werkplek, *, sector: str = "bouw", dagen: int = 1, omschrijving: str = "Zag iets."
) -> None:
    csrf = w.csrf((await w.browser.get("/melden")).text)
    antwoord = await w.browser.post(
        "/melden",
        data={"csrf": csrf, "melderDomein": "toezicht", "waargenomenOp": (date.today() - timedelta(days=dagen)).isoformat(),
              "uitbuitingsvormen": "arbeid", "indicatoren": "excessieve-werkuren", "sector": sector,
              "locatietype": "woning", "omschrijving": omschrijving, "formulier": str(uuid.uuid4())},
    )  # fmt: skip
    assert antwoord.status_code == 303, antwoord.text


def _ids(html: str) -> list[str]:
    return re.findall(r'href="/signalen/([0-9a-f-]{36})"', html)


async def _een_signaal(w: Werkplek, **velden: Any) -> str:
    """A melder records a signal; the attention officer logs in and finds it in the queue."""
    await w.inloggen("melder")
    await _melden(w, **velden)
    w.browser.cookies.clear()
    await w.inloggen("aandachtsfunctionaris")
    [signaal_id] = _ids((await w.browser.get("/wachtrij")).text)
    return signaal_id


async def _csrf(w: Werkplek, pad: str) -> str:
    return w.csrf((await w.browser.get(pad)).text)


def _veld_met_fout(html: str, veld: str) -> None:
    assert f'id="fout-{veld}"' in html, veld
    assert re.search(
        rf'id="veld-{re.escape(veld)}"[^>]*aria-describedby="[^"]*fout-{re.escape(veld)}', html
    ), veld
    assert f'href="#veld-{veld}"' in html  # the summary links to the field
    assert "<title>Fout: " in html


async def test_the_queue_filters_by_what_intake_offers_and_pages_with_its_cursor(
    af: Werkplek, monkeypatch: pytest.MonkeyPatch
) -> None:
    await af.inloggen("melder")
    await _melden(af, sector="bouw", dagen=3)
    await _melden(af, sector="horeca", dagen=1)
    await _melden(af, sector="horeca", dagen=2)
    af.browser.cookies.clear()
    await af.inloggen("aandachtsfunctionaris")
    wachtrij = await af.browser.get("/wachtrij")
    assert wachtrij.status_code == 200 and len(_ids(wachtrij.text)) == 3
    for veld in ("status", "uitbuitingsvorm", "indicator", "sector", "locatietype", "melderDomein",
                 "waargenomenVanaf", "waargenomenTot", "ontvangenVanaf", "ontvangenTot", "toegewezen", "termijn",
                 "sorteer"):  # fmt: skip
        assert f'for="veld-{veld}"' in wachtrij.text, veld
    horeca = await af.browser.get("/wachtrij", params={"sector": "horeca"})
    assert len(_ids(horeca.text)) == 2 and 'value="horeca" selected' in horeca.text
    vanaf = (date.today() - timedelta(days=2)).isoformat()
    recent = await af.browser.get("/wachtrij", params={"sector": "horeca", "waargenomenVanaf": vanaf})
    assert len(_ids(recent.text)) == 2
    ouder = await af.browser.get("/wachtrij", params={"waargenomenTot": vanaf})
    assert len(_ids(ouder.text)) == 1
    # Nobody has one yet; take one, and it is the only one assigned to me.
    assert len(_ids((await af.browser.get("/wachtrij", params={"toegewezen": "nee"})).text)) == 3
    assert not _ids((await af.browser.get("/wachtrij", params={"toegewezen": "ik"})).text)
    eerste = _ids(horeca.text)[0]
    csrf = await _csrf(af, f"/signalen/{eerste}")
    assert (await af.browser.post(f"/signalen/{eerste}/oppakken", data={"csrf": csrf})).status_code == 303
    mijn = await af.browser.get("/wachtrij", params={"toegewezen": "ik"})
    assert _ids(mijn.text) == [eerste] and ">U</td>" in mijn.text
    assert len(_ids((await af.browser.get("/wachtrij", params={"toegewezen": "nee"})).text)) == 2
    # Triage deadlines run on every new signal; sorted by deadline, the earliest due first.
    lopend = await af.browser.get("/wachtrij", params={"termijn": "lopend", "sorteer": "termijn"})
    assert lopend.status_code == 200 and len(_ids(lopend.text)) == 3
    assert not _ids((await af.browser.get("/wachtrij", params={"termijn": "verlopen"})).text)

    # Pages: the next page's link keeps the filters and carries intake's cursor.
    monkeypatch.setattr(afhandeling, "PAGINA", 2)
    blad = await af.browser.get("/wachtrij", params={"uitbuitingsvorm": "arbeid"})
    assert len(_ids(blad.text)) == 2
    volgende = re.search(r'href="(/wachtrij\?[^"]*cursor=[^"]+)"', blad.text)
    assert volgende and "uitbuitingsvorm=arbeid" in volgende.group(1)
    tweede = await af.browser.get(volgende.group(1).replace("&amp;", "&"))
    assert len(_ids(tweede.text)) == 1 and set(_ids(tweede.text)).isdisjoint(_ids(blad.text))
    assert "Eerste pagina" in tweede.text and "Volgende pagina" not in tweede.text


async def test_the_queue_shows_intakes_errors_at_the_filter_they_name(af: Werkplek) -> None:
    await af.inloggen("aandachtsfunctionaris")
    vandaag = date.today()
    fout = await af.browser.get(
        "/wachtrij",
        params={
            "ontvangenVanaf": vandaag.isoformat(),
            "ontvangenTot": (vandaag - timedelta(days=5)).isoformat(),
        },
    )
    assert fout.status_code == 400
    _veld_met_fout(fout.text, "ontvangenTot")
    assert "<title>Fout: Wachtrij" in fout.text
    onbekend = await af.browser.get("/wachtrij", params={"sector": "ruimtevaart"})
    assert onbekend.status_code == 400
    _veld_met_fout(onbekend.text, "sector")
    kapot = await af.browser.get("/wachtrij", params={"cursor": "niet-een-cursor"})
    assert kapot.status_code == 400 and 'id="veld-cursor"' in kapot.text


async def test_taking_assigning_deciding_and_notes_on_the_signal_page(af: Werkplek) -> None:
    signaal_id = await _een_signaal(af)
    pad = f"/signalen/{signaal_id}"
    pagina = await af.browser.get(pad)
    assert "<title>Signaal — Werkplek meldroute</title>" in pagina.text
    assert "Oppakken" in pagina.text and "Geen aantekeningen." in pagina.text
    csrf = af.csrf(pagina.text)
    # Every form needs the session's token.
    assert (await af.browser.post(f"{pad}/oppakken", data={})).status_code == 403
    assert (
        await af.browser.post(f"{pad}/aantekeningen", data={"tekst": "x", "csrf": "x" + csrf[1:]})
    ).status_code == 403

    opgepakt = await af.browser.post(f"{pad}/oppakken", data={"csrf": csrf})
    assert opgepakt.status_code == 303 and opgepakt.headers["location"] == f"{pad}#toewijzing"
    pagina = await af.browser.get(pad)
    assert re.search(r"Toegewezen aan</dt><dd[^>]*>U<", pagina.text)
    assert re.search(r"Status</dt><dd[^>]*>In behandeling<", pagina.text)
    assert ">Oppakken<" not in pagina.text and "toewijzing gewijzigd" in pagina.text

    # Assigning to a malformed id: intake's reason at the field; the page keeps what was typed.
    fout = await af.browser.post(f"{pad}/toewijzing", data={"csrf": csrf, "toegewezenAan": "met spatie"})
    assert fout.status_code == 400
    _veld_met_fout(fout.text, "toegewezenAan")
    assert 'value="met spatie"' in fout.text

    # A note, scrubbed by intake; an empty one is refused at its field.
    leeg = await af.browser.post(f"{pad}/aantekeningen", data={"csrf": csrf, "tekst": ""})
    assert leeg.status_code == 400
    _veld_met_fout(leeg.text, "tekst")
    notitie = await af.browser.post(
        f"{pad}/aantekeningen", data={"csrf": csrf, "tekst": "Gebeld met de melder, tel 0612345678."}
    )
    assert notitie.status_code == 303
    pagina = await af.browser.get(pad)
    assert "Gebeld met de melder" in pagina.text and "0612345678" not in pagina.text

    # A decision on a version someone else changed meanwhile: 409 at the decision, nothing recorded.
    versie = re.search(r'name="versie" value="(\d+)"', pagina.text)
    assert versie
    oud = await af.browser.post(
        f"{pad}/beoordeling",
        data={"csrf": csrf, "status": "afgesloten_geen_mensenhandel", "toelichting": "Niets aan de hand.",
              "versie": str(int(versie.group(1)) - 1)},
    )  # fmt: skip
    assert oud.status_code == 412
    _veld_met_fout(oud.text, "status")
    zonder = await af.browser.post(
        f"{pad}/beoordeling",
        data={
            "csrf": csrf,
            "status": "afgesloten_geen_mensenhandel",
            "toelichting": "",
            "versie": versie.group(1),
        },
    )
    assert zonder.status_code == 400
    _veld_met_fout(zonder.text, "toelichting")
    assert "Afgesloten" not in re.sub(r"<form.*?</form>", "", zonder.text, flags=re.S).split("Historie")[1]


async def test_additions_and_advice_and_the_answers_and_outcomes_on_the_page(
    af: Werkplek, local_dir: Path
) -> None:
    signaal_id = await _een_signaal(af)
    pad = f"/signalen/{signaal_id}"
    csrf = await _csrf(af, pad)
    await af.browser.post(f"{pad}/oppakken", data={"csrf": csrf})

    # Additions: an indicator the signal lacks and a supplement; nothing at all is refused.
    formulier = await af.browser.get(f"{pad}/aanvullen")
    assert formulier.status_code == 200 and "<title>Signaal aanvullen" in formulier.text
    assert 'value="excessieve-werkuren"' not in formulier.text  # the signal has it already
    niets = await af.browser.post(f"{pad}/aanvullen", data={"csrf": csrf})
    assert niets.status_code == 400 and "<title>Fout: Signaal aanvullen" in niets.text
    assert 'id="foutoverzicht"' in niets.text
    aangevuld = await af.browser.post(
        f"{pad}/aanvullen",
        data={
            "csrf": csrf,
            "indicatoren": "woont-op-werkplek",
            "aanvullingOmschrijving": "Ook 's nachts licht.",
        },
    )
    assert aangevuld.status_code == 303
    pagina = await af.browser.get(pad)
    assert "Ook &#39;s nachts licht." in pagina.text and "Woont op de werkplek" in pagina.text.replace(
        "woont", "Woont"
    )

    # Advice: experts from the policy; none chosen is refused at the field.
    advies = await af.browser.get(f"{pad}/advies")
    assert advies.status_code == 200 and f'value="{RIEC}"' in advies.text and "af-gm1509" not in advies.text
    geen = await af.browser.post(f"{pad}/advies", data={"csrf": csrf, "vraag": "Opschalen?"})
    assert geen.status_code == 400
    _veld_met_fout(geen.text, "experts")
    assert "Opschalen?" in geen.text  # kept
    gevraagd = await af.browser.post(
        f"{pad}/advies", data={"csrf": csrf, "vraag": "Opschalen?", "experts": RIEC}
    )
    assert gevraagd.status_code == 303
    pagina = await af.browser.get(pad)
    assert re.search(r"Status</dt><dd[^>]*>Advies gevraagd<", pagina.text)
    assert "RIEC Oost-Nederland" in pagina.text and "Nog geen antwoord." in pagina.text

    # The expert answers (through the gateway's internal call to intake); the officer reads it on the page.
    issuer = DevIssuer.load(local_dir=local_dir, env=Omgeving.test)
    intern = {"Authorization": f"Bearer {issuer.mint(rol='privacy-gateway')}"}
    intake = af.app.state.intake.http
    s = (await intake.get(f"http://intake.test/v1/intern/adviesvragen?partner={RIEC}", headers=intern)).json()
    [vraag] = [v for v in s["adviesvragen"] if v["signaalId"] == signaal_id]
    beantwoord = await intake.post(
        f"http://intake.test/v1/intern/adviesvragen/{vraag['id']}/antwoorden",
        json={"partner": RIEC, "door": "riec-1", "antwoord": "Ja, naar het casusoverleg."},
        headers=intern,
    )
    assert beantwoord.status_code == 201, beantwoord.text
    pagina = await af.browser.get(pad)
    assert "Ja, naar het casusoverleg." in pagina.text
    # Back in behandeling, escalated, then a partner's outcome appears at its track.
    await _beslis(af, pad, "in_behandeling")
    await _opschalen(af, pad, [("casusoverleg", [RIEC, POLITIE]), ("zorg_en_opvang", [ZORG])])
    teruggekoppeld = await intake.post(
        f"http://intake.test/v1/intern/casussen/{signaal_id}/terugkoppelingen",
        json={"partner": POLITIE, "door": "politie-1", "doel": "casusoverleg", "terugkoppeling": "opgepakt"},
        headers=intern,
    )
    assert teruggekoppeld.status_code == 201, teruggekoppeld.text
    pagina = await af.browser.get(pad)
    assert (
        "Politie, eenheid Oost-Nederland" in pagina.text and "Terugkoppelingen van de partners" in pagina.text
    )


async def _beslis(w: Werkplek, pad: str, status: str) -> None:
    pagina = (await w.browser.get(pad)).text
    versie = re.search(r'name="versie" value="(\d+)"', pagina)
    assert versie
    antwoord = await w.browser.post(
        f"{pad}/beoordeling",
        data={"csrf": w.csrf(pagina), "status": status, "toelichting": "Verder.", "versie": versie.group(1)},
    )
    assert antwoord.status_code == 303, antwoord.text


def _trajectvelden(trajecten: list[tuple[str, list[str]]]) -> dict[str, Any]:
    velden: dict[str, Any] = {}
    for index, (doel, partners) in enumerate(trajecten):
        velden[f"traject{index}-doel"], velden[f"traject{index}-partners"] = doel, partners
    return velden


async def _opschalen(w: Werkplek, pad: str, trajecten: list[tuple[str, list[str]]]) -> str:
    formulier = (await w.browser.get(f"{pad}/opschalen")).text
    versie = re.search(r'name="versie" value="(\d+)"', formulier)
    assert versie
    velden = {"csrf": w.csrf(formulier), "versie": versie.group(1), "toelichting": "Veiligheid en zorg.",
              **_trajectvelden(trajecten)}  # fmt: skip
    toets = await w.browser.post(f"{pad}/opschalen", data=velden)
    assert toets.status_code == 200, toets.text
    verstuurd = await w.browser.post(f"{pad}/opschalen/versturen", data={**velden, "actie": "versturen"})
    assert verstuurd.status_code == 303, verstuurd.text
    return toets.text


async def test_escalation_with_two_tracks_shows_the_dry_run_then_sends(af: Werkplek) -> None:
    signaal_id = await _een_signaal(af)
    pad = f"/signalen/{signaal_id}"
    csrf = await _csrf(af, pad)
    await af.browser.post(f"{pad}/oppakken", data={"csrf": csrf})
    formulier = await af.browser.get(f"{pad}/opschalen")
    assert formulier.status_code == 200 and "<title>Opschalen — Werkplek meldroute</title>" in formulier.text
    assert "Veiligheidstraject" in formulier.text and "Zorgtraject" in formulier.text
    assert f'value="{ZORG}"' in formulier.text and 'value="af-gm1509"' not in formulier.text  # not oneself
    assert (
        'value="casusoverleg" selected' in formulier.text
        and 'value="zorg_en_opvang" selected' in formulier.text
    )
    versie = re.search(r'name="versie" value="(\d+)"', formulier.text)
    assert versie

    # Nothing chosen and no reason: the werkplek names both fields before asking anyone.
    leeg = await af.browser.post(
        f"{pad}/opschalen",
        data={"csrf": csrf, "versie": versie.group(1), "traject0-doel": "", "traject1-doel": ""},
    )
    assert leeg.status_code == 400
    _veld_met_fout(leeg.text, "traject0-doel")
    _veld_met_fout(leeg.text, "toelichting")

    # The dry-run: per track and partner what the policy would decide; nothing is sent yet.
    velden = {"csrf": csrf, "versie": versie.group(1), "toelichting": "Uitbuiting in de bouw; opvang nodig.",
              **_trajectvelden([("casusoverleg", [RIEC, POLITIE]), ("zorg_en_opvang", [ZORG])])}  # fmt: skip
    toets = await af.browser.post(f"{pad}/opschalen", data=velden)
    assert (
        toets.status_code == 200
        and "<title>Opschaling controleren — Werkplek meldroute</title>" in toets.text
    )
    rijen = re.findall(
        r"<tr class=\"utrecht-table__row\">\s*<td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>\s*<td[^>]*>(Ja|Nee)",
        toets.text,
    )
    assert [(d, p) for d, p, _ in rijen] == [
        ("Casusoverleg", "RIEC Oost-Nederland"), ("Casusoverleg", "Politie, eenheid Oost-Nederland"),
        ("Zorg en opvang", "Zorgcoördinatie mensenhandel Noord- en Oost-Gelderland"),
    ]  # fmt: skip
    assert all(t == "Ja" for _, _, t in rijen) and "casusoverleg-riec-politie" in toets.text
    assert "Er is nog niets verstuurd." in toets.text
    assert re.search(r"Status</dt><dd[^>]*>In behandeling<", (await af.browser.get(pad)).text)
    # Back to the form: the choices are kept.
    terug = await af.browser.post(f"{pad}/opschalen/versturen", data={**velden, "actie": "wijzigen"})
    assert (
        terug.status_code == 200
        and f'id="traject0-partners-{POLITIE}" name="traject0-partners" value="{POLITIE}" checked'
        in terug.text
    )

    # Sent: escalated with both tracks.
    verstuurd = await af.browser.post(f"{pad}/opschalen/versturen", data={**velden, "actie": "versturen"})
    assert verstuurd.status_code == 303 and verstuurd.headers["location"] == f"{pad}#trajecten"
    pagina = await af.browser.get(pad)
    assert re.search(r"Status</dt><dd[^>]*>Opgeschaald<", pagina.text)
    assert "Casusoverleg (open)" in pagina.text and "Zorg en opvang (open)" in pagina.text
    assert "RIEC Oost-Nederland, Politie, eenheid Oost-Nederland" in pagina.text
    # A second send on the old version is refused, at the form, with nothing changed.
    weer = await af.browser.post(f"{pad}/opschalen/versturen", data={**velden, "actie": "versturen"})
    assert weer.status_code == 400 and "<title>Fout: Opschalen" in weer.text


async def test_escalation_errors_stand_at_the_track_they_are_about(af: Werkplek) -> None:
    signaal_id = await _een_signaal(af)
    pad = f"/signalen/{signaal_id}"
    csrf = await _csrf(af, pad)
    await af.browser.post(f"{pad}/oppakken", data={"csrf": csrf})
    versie = re.search(r'name="versie" value="(\d+)"', (await af.browser.get(f"{pad}/opschalen")).text)
    assert versie
    # Only the care track, with a partner the covenant does not know: intake names `trajecten[0].partners[0]`,
    # which is the form's second track.
    velden = {"csrf": csrf, "versie": versie.group(1), "toelichting": "Zorg.", "traject0-doel": "",
              "traject1-doel": "zorg_en_opvang", "traject1-partners": "onbekende-partner"}  # fmt: skip
    toets = await af.browser.post(f"{pad}/opschalen", data=velden)
    assert (
        toets.status_code == 200
        and ">Nee<" in toets.text
        and "Niet elke partner mag nu ontvangen" in toets.text
    )
    fout = await af.browser.post(f"{pad}/opschalen/versturen", data={**velden, "actie": "versturen"})
    assert fout.status_code == 400
    _veld_met_fout(fout.text, "traject1-partners")
    assert re.search(r"Status</dt><dd[^>]*>In behandeling<", (await af.browser.get(pad)).text)
    # A melder has none of these screens.
    af.browser.cookies.clear()
    await af.inloggen("melder")
    for scherm in (pad, f"{pad}/opschalen", f"{pad}/advies", f"{pad}/aanvullen"):
        assert (await af.browser.get(scherm)).status_code == 403, scherm


async def test_the_gateway_token_is_exchanged_once_and_never_reaches_the_browser(af: Werkplek) -> None:
    signaal_id = await _een_signaal(af)
    wissels: list[str] = []
    transport = af.app.state.oidc_transport

    class Tellend(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if b"token-exchange" in request.content:
                wissels.append(str(request.url))
            return await transport.handle_async_request(request)

    af.app.state.oidc_transport = Tellend()
    for _ in range(2):
        assert (await af.browser.get(f"/signalen/{signaal_id}/advies")).status_code == 200
        assert (await af.browser.get(f"/signalen/{signaal_id}/opschalen")).status_code == 200
    assert wissels == ["https://werkplek.test/dev-login/token"]
    opslag = af.app.state.sessies.opslag

    sessies = [json.loads(v) for k, (v, _) in opslag.waarden.items() if k.startswith("sessie:")]
    [sessie] = [s for s in sessies if s["rol"] == "aandachtsfunctionaris"]
    assert set(sessie["tokens"]) == {"intake-api", "privacy-gateway"}
    gateway_token = sessie["tokens"]["privacy-gateway"]
    assert gateway_token != sessie["tokens"]["intake-api"]
    # The same user, role and municipality, for the gateway's audience, no longer valid than the first.
    eerste, tweede = (_claims(sessie["tokens"][a]) for a in ("intake-api", "privacy-gateway"))
    assert (eerste["aud"], tweede["aud"]) == ("intake-api", "privacy-gateway")
    for claim in ("sub", "gemeente", "scope", "iss"):
        assert tweede[claim] == eerste[claim], claim
    assert tweede["exp"] <= eerste["exp"]
    for antwoord in af.antwoorden:
        assert gateway_token not in antwoord.text and gateway_token.split(".")[1] not in antwoord.text
    # The development login exchanges only tokens it issued.
    geweigerd = await af.browser.post(
        "/dev-login/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "client_id": "werkplek",
              "subject_token": gateway_token, "subject_token_type": "urn:ietf:params:oauth:token-type:access_token",
              "audience": "privacy-gateway"},
    )  # fmt: skip
    assert geweigerd.status_code == 400 and geweigerd.json() == {"error": "invalid_grant"}
    # Nor for an audience that is not one of the services.
    vreemd = await af.browser.post(
        "/dev-login/token",
        data={"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange", "client_id": "werkplek",
              "subject_token": sessie["tokens"]["intake-api"],
              "subject_token_type": "urn:ietf:params:oauth:token-type:access_token", "audience": "elders"},
    )  # fmt: skip
    assert vreemd.status_code == 400 and vreemd.json() == {"error": "invalid_grant"}


def _claims(token: str) -> dict[str, Any]:
    deel = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(deel + "=" * (-len(deel) % 4))))
