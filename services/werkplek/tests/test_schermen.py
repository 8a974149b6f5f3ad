"""The screens over the in-process intake: the melder's form, confirmation and status; the queue and one signal."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from werkplek.sessies import GeheugenOpslag

from .conftest import Werkplek

KANARIE = "Jan Jansen, BSN 111222333, tel 0612345678"


def _geldig(csrf: str, **velden: str | list[str]) -> dict[str, str | list[str]]:
    return {
        "csrf": csrf, "melderDomein": "toezicht", "waargenomenOp": (date.today() - timedelta(days=1)).isoformat(),
        "uitbuitingsvormen": ["arbeid"], "indicatoren": ["excessieve-werkuren", "woont-op-werkplek"],
        "sector": "bouw", "locatietype": "woning", "omschrijving": f"Zag iets bij de bouw. {KANARIE}",
        "formulier": "11111111-1111-4111-8111-111111111111", **velden,
    }  # fmt: skip


async def test_the_form_is_built_from_the_catalogue_with_help_per_indicator(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    pagina = await werkplek.browser.get("/melden")
    assert pagina.status_code == 200
    assert "<title>Signaal melden — Werkplek meldroute</title>" in pagina.text
    # Every indicator of intake's catalogue, each with its help text tied to the checkbox.
    catalogus = werkplek.app.state.catalogus._inhoud
    for indicator in catalogus["indicatoren"]:
        assert f'id="indicator-{indicator["code"]}"' in pagina.text
        assert f'aria-describedby="hulp-{indicator["code"]}"' in pagina.text
    assert 'id="hulp-woont-op-werkplek">Kan wijzen op: ' in pagina.text
    for label in ('for="veld-melderDomein"', 'for="veld-waargenomenOp"', 'for="veld-omschrijving"'):
        assert label in pagina.text


async def test_intakes_errors_stand_next_to_the_fields_they_name(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    csrf = werkplek.csrf((await werkplek.browser.get("/melden")).text)
    fout = await werkplek.browser.post(
        "/melden", data=_geldig(csrf, melderDomein="", waargenomenOp="gisteren", uitbuitingsvormen=[])
    )
    assert fout.status_code == 400
    assert fout.text.count('class="utrecht-form-field-error-message"') >= 3
    for veld in ("melderDomein", "waargenomenOp", "uitbuitingsvormen"):
        assert f'id="fout-{veld}"' in fout.text
        assert re.search(rf'id="veld-{veld}"[^>]*aria-describedby="[^"]*fout-{veld}', fout.text), veld
        assert f'href="#veld-{veld}"' in fout.text  # the summary links to the field
    assert "<title>Fout: Signaal melden" in fout.text
    # What was entered is kept, except nothing is recorded.
    assert 'value="bouw" selected' in fout.text
    assert not werkplek.antwoorden[-1].headers.get("location")


async def test_melder_records_a_signal_sees_the_confirmation_and_its_status(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    csrf = werkplek.csrf((await werkplek.browser.get("/melden")).text)
    verstuurd = await werkplek.browser.post("/melden", data=_geldig(csrf))
    assert verstuurd.status_code == 303 and verstuurd.headers["location"] == "/melden/bevestiging"
    # A second submit of the same form (a double click) is the same signal.
    await werkplek.browser.post("/melden", data=_geldig(csrf))
    bevestiging = await werkplek.browser.get("/melden/bevestiging")
    assert "Uw signaal is ontvangen" in bevestiging.text and "status: Ontvangen" in bevestiging.text
    mijn = await werkplek.browser.get("/mijn-signalen")
    assert mijn.text.count('<td class="utrecht-table__cell">Ontvangen</td>') == 1
    # The session keeps the signal's opaque id, and nothing the melder typed.
    opslag = werkplek.app.state.sessies.opslag
    assert isinstance(opslag, GeheugenOpslag)
    sessie = next(json.loads(v) for k, (v, _) in opslag.waarden.items() if k.startswith("sessie:"))
    assert len(sessie["eigen_signalen"]) == 1
    assert "Jansen" not in json.dumps(sessie) and "111222333" not in json.dumps(sessie)
    for antwoord in werkplek.antwoorden:
        assert sessie["eigen_signalen"][0] not in antwoord.headers.get("location", "")
        titel = re.search(r"<title>(.*?)</title>", antwoord.text)
        assert titel is None or sessie["eigen_signalen"][0] not in titel.group(1)


async def test_attention_officer_sees_the_signal_in_the_queue_and_opens_it(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    csrf = werkplek.csrf((await werkplek.browser.get("/melden")).text)
    await werkplek.browser.post("/melden", data=_geldig(csrf))
    werkplek.browser.cookies.clear()
    await werkplek.inloggen("aandachtsfunctionaris")
    # A melder's screens are not the attention officer's and the other way round.
    wachtrij = await werkplek.browser.get("/wachtrij", params={"status": "ontvangen"})
    assert (
        wachtrij.status_code == 200 and "Arbeidsuitbuiting" in wachtrij.text
    ) or "arbeid" in wachtrij.text.lower()
    ids = re.findall(r'href="/signalen/([0-9a-f-]{36})"', wachtrij.text)
    assert len(ids) == 1
    leeg = await werkplek.browser.get("/wachtrij", params={"status": "opgeschaald"})
    assert not re.findall(r'href="/signalen/', leeg.text)
    signaal = await werkplek.browser.get(f"/signalen/{ids[0]}")
    assert signaal.status_code == 200 and "Historie" in signaal.text and "aangemaakt" in signaal.text
    assert "<title>Signaal — Werkplek meldroute</title>" in signaal.text
    assert "111222333" not in signaal.text and "0612345678" not in signaal.text  # intake stored it scrubbed
    assert (await werkplek.browser.get("/signalen/00000000-0000-4000-8000-000000000000")).status_code == 404


async def test_a_melder_cannot_open_the_queue(werkplek: Werkplek) -> None:
    await werkplek.inloggen("melder")
    assert (await werkplek.browser.get("/wachtrij")).status_code == 403
    werkplek.browser.cookies.clear()
    assert (await werkplek.browser.get("/melden")).headers["location"] == "/"
