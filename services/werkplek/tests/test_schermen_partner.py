"""The partner's, the approver's and the FG's screens over an in-process gateway that calls an in-process intake.

The case is set up through intake's API (a melder records, the attention officer escalates to RIEC); the people
of the werkplek log in through its development login, so each screen runs with the token that login issues.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness, clear_tables
from privacy_gateway.main import create_app as gateway_app
from werkplek.fg import lees_checkpoint
from werkplek.main import create_app

from tests.builders import betrokkene, signaal

from .conftest import BASIS, Werkplek, werkplek_settings

RIEC, DOEL = "riec-oost-nederland", "casusoverleg"
BSN, NAAM = "111222333", "Jan Kowalski"


@dataclass
class Keten:
    werkplek: Werkplek
    intake: httpx.AsyncClient
    gateway: httpx.AsyncClient
    issuer: DevIssuer

    async def opgeschaalde_casus(self) -> str:
        """A signal naming a victim, escalated to RIEC for the case conference; intake's id of the case."""
        melder = {"Authorization": f"Bearer {self.issuer.mint(rol='melder', gemeente='GM1509')}"}
        af = {"Authorization": f"Bearer {self.issuer.mint(rol='aandachtsfunctionaris', gemeente='GM1509')}"}
        persoon = betrokkene(bsn=BSN, naam=NAAM, geboortedatum="2001-05-04")
        nieuw = await self.intake.post(
            "/v1/signalen",
            json=signaal(betrokkenen=[persoon], omschrijving=f"{NAAM} slaapt op het erf."),
            headers={**melder, "Idempotency-Key": "werkplek-partner-test"},
        )
        assert nieuw.status_code == 201, nieuw.text
        pad = f"/v1/signalen/{nieuw.json()['id']}/beoordelingen"
        stap = await self.intake.post(
            pad,
            json={"status": "in_behandeling", "toelichting": "Oppakken."},
            headers={**af, "If-Match": '"1"'},
        )
        assert stap.status_code == 200, stap.text
        opgeschaald = await self.intake.post(
            pad, json={"status": "opgeschaald", "toelichting": "Opschalen.", "partners": [RIEC], "doel": DOEL},
            headers={**af, "If-Match": '"2"'},
        )  # fmt: skip
        assert opgeschaald.status_code == 200, opgeschaald.text
        return str(opgeschaald.json()["id"])


@pytest.fixture
async def keten(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, local_dir: Path, issuer: DevIssuer
) -> AsyncIterator[Keten]:
    intake_app = intake_harness.app(outbox_relay_aan=False, retentie_taak_aan=False)
    gateway = gateway_app(gateway_harness.settings(), intake_transport=httpx.ASGITransport(app=intake_app))
    app = create_app(werkplek_settings(local_dir, gateway_url="http://gateway.test"))
    try:
        async with (
            intake_app.router.lifespan_context(intake_app),
            gateway.router.lifespan_context(gateway),
            app.router.lifespan_context(app),
        ):
            intake_http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=intake_app), base_url="http://intake.test"
            )
            gateway_http = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=gateway), base_url="http://gateway.test"
            )
            app.state.intake.http = intake_http
            app.state.gateway.http = gateway_http
            app.state.oidc_transport = httpx.ASGITransport(app=app)
            antwoorden: list[httpx.Response] = []

            async def bewaar(response: httpx.Response) -> None:
                await response.aread()
                antwoorden.append(response)

            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=BASIS, event_hooks={"response": [bewaar]}
            ) as browser:
                yield Keten(
                    werkplek=Werkplek(app=app, browser=browser, antwoorden=antwoorden),
                    intake=intake_http, gateway=gateway_http, issuer=issuer,
                )  # fmt: skip
            await intake_http.aclose()
            await gateway_http.aclose()
    finally:
        await clear_tables(intake_harness.database_url, intake_harness.metadata)
        await clear_tables(gateway_harness.database_url, gateway_harness.metadata)


def _velden(html: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="(csrf|doel)" value="([^"]+)"', html))


async def _casus_pagina(w: Werkplek) -> tuple[str, httpx.Response]:
    lijst = await w.browser.get("/casussen")
    assert lijst.status_code == 200, lijst.text
    assert "<title>Casussen — Werkplek meldroute</title>" in lijst.text
    [pad] = re.findall(r'href="(/casussen/[0-9a-f-]{36}\?doel=casusoverleg)"', lijst.text)
    pagina = await w.browser.get(pad)
    assert pagina.status_code == 200, pagina.text
    return pad.split("?")[0], pagina


def _geen_spoor(w: Werkplek, *geheimen: str) -> None:
    """Nothing identifying in any title or Location; no token in any page."""
    for antwoord in w.antwoorden:
        titel = re.search(r"<title>(.*?)</title>", antwoord.text)
        for geheim in geheimen:
            assert geheim not in antwoord.headers.get("location", ""), geheim
            assert titel is None or geheim not in titel.group(1), geheim
        assert not re.search(r"eyJ[A-Za-z0-9_-]{10,}\.", antwoord.text), "a token reached the browser"


async def test_the_login_keeps_the_token_under_the_gateway_only_for_a_partner(keten: Keten) -> None:
    w = keten.werkplek
    start = await w.inloggen("partner")
    start = await w.browser.get("/")
    assert 'href="/casussen"' in start.text and 'href="/wachtrij"' not in start.text
    sessie = await w.app.state.sessies.lees(w.browser.cookies.get("__Host-werkplek-sessie"))
    assert set(sessie.tokens) == {"privacy-gateway"}
    # A partner has no intake screens, and no FG screens.
    assert (await w.browser.get("/wachtrij")).status_code == 403
    assert (await w.browser.get("/verwerkingen")).status_code == 403
    w.browser.cookies.clear()
    await w.inloggen("melder")
    sessie = await w.app.state.sessies.lees(w.browser.cookies.get("__Host-werkplek-sessie"))
    assert set(sessie.tokens) == {"intake-api"}
    assert (await w.browser.get("/casussen")).status_code == 403


async def test_partner_reads_the_case_reports_an_outcome_and_writes_a_note(keten: Keten) -> None:
    casus_id = await keten.opgeschaalde_casus()
    w = keten.werkplek
    await w.inloggen("partner")
    pad, pagina = await _casus_pagina(w)
    assert "<title>Casus — Werkplek meldroute</title>" in pagina.text
    assert "Arbeidsuitbuiting" in pagina.text and "art. 6 lid 1 sub e AVG" in pagina.text
    assert "Slachtoffer" in pagina.text and NAAM not in pagina.text and BSN not in pagina.text
    assert casus_id not in pagina.text  # the partner's own reference, never intake's id
    velden = _velden(pagina.text)

    # A detail missing for the outcome: the gateway's reason stands at the field it names.
    fout = await w.browser.post(
        f"{pad}/terugkoppelingen", data={**velden, "tk-terugkoppeling": "geen_vervolg"}
    )
    assert fout.status_code == 400 and "<title>Fout: Casus" in fout.text
    assert 'id="fout-tk-reden"' in fout.text and 'href="#veld-tk-reden"' in fout.text
    assert re.search(r'id="veld-tk-reden"[^>]*aria-describedby="[^"]*fout-tk-reden', fout.text)
    assert 'aria-invalid="true"' in fout.text and 'value="geen_vervolg" selected' in fout.text

    goed = await w.browser.post(
        f"{pad}/terugkoppelingen",
        data={**velden, "tk-terugkoppeling": "opvang_geregeld", "tk-opvangvorm": "cosm"},
    )
    assert goed.status_code == 303 and goed.headers["location"].startswith(f"{pad}?")
    assert "De terugkoppeling is vastgelegd." in (await w.browser.get(goed.headers["location"])).text

    leeg = await w.browser.post(f"{pad}/aantekeningen", data={**velden, "at-tekst": ""})
    assert leeg.status_code == 400 and 'id="fout-at-tekst"' in leeg.text
    notitie = await w.browser.post(
        f"{pad}/aantekeningen", data={**velden, "at-tekst": f"Besproken; belde {NAAM} op 0612345678."}
    )
    assert notitie.status_code == 303
    terug = await w.browser.get(notitie.headers["location"])
    assert "De aantekening is vastgelegd." in terug.text and "Besproken; belde" in terug.text
    assert "0612345678" not in terug.text  # scrubbed before it was stored

    # Without the session's token the form is refused.
    zonder = await w.browser.post(
        f"{pad}/aantekeningen", data={"doel": DOEL, "at-tekst": "x", "csrf": "fout"}
    )
    assert zonder.status_code == 403
    _geen_spoor(w, casus_id, BSN, NAAM)


async def test_identity_with_four_eyes_from_request_to_approval_and_withdrawal(keten: Keten) -> None:
    await keten.opgeschaalde_casus()
    w = keten.werkplek
    await w.inloggen("partner")
    pad, pagina = await _casus_pagina(w)
    velden = _velden(pagina.text)
    [referentie] = re.findall(r'name="iv-betrokkene" value="([0-9a-f]{64})"', pagina.text)

    kort = await w.browser.post(
        f"{pad}/identiteitsverzoeken", data={**velden, "iv-betrokkene": referentie, "iv-reden": "Te kort."}
    )
    assert kort.status_code == 400 and 'id="fout-iv-reden"' in kort.text
    assert re.search(r'id="veld-iv-reden"[^>]*aria-describedby="[^"]*fout-iv-reden', kort.text)
    reden = "Afstemming van opvang en veiligheid in het casusoverleg van volgende week."
    for _ in range(2):  # two requests: one to approve, one to withdraw
        verzoek = await w.browser.post(
            f"{pad}/identiteitsverzoeken", data={**velden, "iv-betrokkene": referentie, "iv-reden": reden}
        )
        assert (
            verzoek.status_code == 303
            and verzoek.headers["location"] == "/identiteitsverzoeken?gelukt=aangevraagd"
        )
    eigen = await w.browser.get("/identiteitsverzoeken")
    assert eigen.text.count("Wacht op goedkeuring") == 2 and "Goedkeuren" not in eigen.text
    verzoeken = re.findall(r'action="/identiteitsverzoeken/([0-9a-f-]{36})/intrekking"', eigen.text)
    assert len(verzoeken) == 2
    # The requester cannot approve their own request: the screen is not theirs, and the gateway refuses.
    assert (
        await w.browser.post(
            f"/identiteitsverzoeken/{verzoeken[0]}/goedkeuring", data={"csrf": w.csrf(eigen.text)}
        )
    ).status_code == 403
    ingetrokken = await w.browser.post(
        f"/identiteitsverzoeken/{verzoeken[1]}/intrekking", data={"csrf": w.csrf(eigen.text)}
    )
    assert ingetrokken.status_code == 303
    partner_cookies = dict(w.browser.cookies)

    w.browser.cookies.clear()
    await w.inloggen("goedkeurder")
    wachtend = await w.browser.get("/identiteitsverzoeken")
    assert wachtend.status_code == 200 and "Wachten op uw goedkeuring" in wachtend.text
    assert re.findall(r'action="/identiteitsverzoeken/([0-9a-f-]{36})/goedkeuring"', wachtend.text) == [
        verzoeken[0]
    ]
    assert reden not in wachtend.text  # the reason is sealed, never listed
    csrf = w.csrf(wachtend.text)
    te_kort = await w.browser.post(
        f"/identiteitsverzoeken/{verzoeken[0]}/afwijzing", data={"csrf": csrf, "reden": "Nee."}
    )
    assert te_kort.status_code == 400 and f'id="fout-reden-{verzoeken[0]}"' in te_kort.text
    assert re.search(rf'id="veld-reden-{verzoeken[0]}"[^>]*aria-invalid="true"', te_kort.text)
    goed = await w.browser.post(f"/identiteitsverzoeken/{verzoeken[0]}/goedkeuring", data={"csrf": csrf})
    assert goed.status_code == 303
    assert "Er wachten geen verzoeken" in (await w.browser.get(goed.headers["location"])).text
    again = await w.browser.post(f"/identiteitsverzoeken/{verzoeken[0]}/goedkeuring", data={"csrf": csrf})
    assert again.status_code == 409 and "Dit verzoek wacht niet meer" in again.text

    w.browser.cookies.clear()
    w.browser.cookies.update(partner_cookies)
    mijn = await w.browser.get("/identiteitsverzoeken")
    assert "Goedgekeurd" in mijn.text and "Ingetrokken" in mijn.text
    identiteit = await w.browser.get(f"/identiteitsverzoeken/{verzoeken[0]}/identiteit")
    assert identiteit.status_code == 200 and NAAM in identiteit.text and BSN in identiteit.text
    assert "<title>Identiteit — Werkplek meldroute</title>" in identiteit.text
    assert identiteit.headers["cache-control"] == "no-store"
    assert (await w.browser.get(f"/identiteitsverzoeken/{verzoeken[1]}/identiteit")).status_code == 409
    _geen_spoor(w, BSN, NAAM, reden)


async def test_fg_filters_the_log_verifies_a_kept_checkpoint_and_answers_an_access_request(
    keten: Keten,
) -> None:
    casus_id = await keten.opgeschaalde_casus()
    w = keten.werkplek
    await w.inloggen("partner")
    await _casus_pagina(w)  # a disclosure: a row in the log
    w.browser.cookies.clear()
    await w.inloggen("fg")
    assert (await w.browser.get("/casussen")).status_code == 403

    log = await w.browser.get("/verwerkingen")
    assert log.status_code == 200 and "Verstrekken van casusgegevens aan een convenantpartner" in log.text
    assert "Teruggeven van de eigen werkaantekeningen" in log.text
    gefilterd = await w.browser.get("/verwerkingen", params={"actie": "verstrekking", "afnemer": RIEC})
    assert gefilterd.status_code == 200 and "die aan de filters voldoen" in gefilterd.text
    assert "Teruggeven van de eigen werkaantekeningen" not in gefilterd.text
    assert f'href="/verwerkingen?casusId={casus_id}"' in gefilterd.text
    niets = await w.browser.get("/verwerkingen", params={"afnemer": "politie-oost-nederland"})
    assert "Geen verwerkingen die aan de filters voldoen" in niets.text
    fout = await w.browser.get("/verwerkingen", params={"casusId": "geen-uuid"})
    assert fout.status_code == 400 and 'id="fout-casusId"' in fout.text
    assert re.search(r'id="veld-casusId"[^>]*aria-describedby="fout-casusId"', fout.text)

    verificatie = await w.browser.get("/verwerkingen/verificatie")
    assert verificatie.status_code == 200 and "De keten is intact" in verificatie.text
    notitie = re.search(r'<pre class="werkplek-notitie"[^>]*>(.*?)</pre>', verificatie.text, re.S)
    assert notitie, "no checkpoint to keep"
    bewaard = notitie.group(1).replace("&#43;", "+").replace("&#34;", '"')
    assert lees_checkpoint(bewaard)["volgnummer"].isdigit()
    csrf = w.csrf(verificatie.text)
    klopt = await w.browser.post("/verwerkingen/verificatie", data={"csrf": csrf, "checkpoint": bewaard})
    assert klopt.status_code == 200 and "staat met een geldige handtekening op zijn plaats" in klopt.text
    # A kept checkpoint with another head: it is not in the chain.
    regels = bewaard.split("\n")
    regels[2] = "0" * 64
    vals = await w.browser.post(
        "/verwerkingen/verificatie", data={"csrf": csrf, "checkpoint": "\n".join(regels)}
    )
    assert vals.status_code == 200 and "staat niet in de huidige keten" in vals.text
    onzin = await w.browser.post(
        "/verwerkingen/verificatie", data={"csrf": csrf, "checkpoint": "geen checkpoint"}
    )
    assert onzin.status_code == 400 and 'id="fout-checkpoint"' in onzin.text
    assert re.search(r'id="veld-checkpoint"[^>]*aria-invalid="true"', onzin.text)

    inzage = await w.browser.post("/inzage", data={"csrf": csrf, "bsn": BSN})
    assert (
        inzage.status_code == 200 and RIEC in inzage.text and "Verstrekking van casusgegevens" in inzage.text
    )
    assert BSN not in inzage.text  # what was typed is not shown back
    ongeldig = await w.browser.post("/inzage", data={"csrf": csrf, "bsn": "12"})
    assert (
        ongeldig.status_code == 400
        and 'id="fout-bsn"' in ongeldig.text
        and "12" not in re.findall(r'<input[^>]*name="bsn"[^>]*>', ongeldig.text)[0]
    )
    assert (await w.browser.post("/inzage", data={"bsn": BSN})).status_code == 403  # no CSRF token
    _geen_spoor(w, BSN, NAAM)


async def test_the_screens_need_their_scope_and_a_login(keten: Keten) -> None:
    w = keten.werkplek
    for pad in ("/casussen", "/identiteitsverzoeken", "/verwerkingen", "/inzage"):
        assert (await w.browser.get(pad)).headers["location"] == "/", pad
    await w.inloggen("goedkeurder")
    assert (await w.browser.get("/verwerkingen/verificatie")).status_code == 403
    assert (await w.browser.get("/casussen/niet-een-id", params={"doel": DOEL})).status_code == 404
    onbekend = await w.browser.get("/casussen/00000000-0000-4000-8000-000000000000", params={"doel": DOEL})
    assert onbekend.status_code == 404
