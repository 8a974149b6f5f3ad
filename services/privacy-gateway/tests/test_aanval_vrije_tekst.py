"""Attack: identifying data typed into every free text a partner or the attention officer writes about a case.

A partner types the betrokkene's BSN, phone, e-mail, IBAN, address and birth date in the forms people use to
slip past a filter (dots, dashes, a line break inside, a dropped leading zero, "[at] ... punt nl", +31/0031,
brackets) and the name given at intake in other cases and orders, into its work notes, the note of an
outcome, a request for a follow-on purpose; the attention officer into her own track notes and additions;
a partner's approver into the reason of a rejected identity request. Then every reader is asked: the partner
itself, the other partner, the attention officer through intake, the FG through the verwerkingenlog, and
every column of both databases that is not a sealed envelope (that includes the outbox towards reporting
and the notifications). The real intake app runs in-process behind the gateway, on SQLite or PostgreSQL.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
import sqlalchemy as sa
from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness
from sqlalchemy.ext.asyncio import create_async_engine

from tests.builders import betrokkene, signaal

from .conftest import ReferentieVan
from .test_gateway_aantekeningen import DOEL, POLITIE, RIEC, _keten, _kop, _log
from .test_identiteitsverzoeken import CHEF, PERSOON, Politie

NAAM = "Canarius Zwartveld"
BSN = "123456782"
BSN_ZONDER_NUL = "12345672"  # 012345672 passes the 11-test; written without its leading zero
GEBOORTEDATUM = "1990-02-03"
ADRES = "Kerkstraat 12, 7071 AB Ulft"

#: Every form, each on its own line: what a partner might type to get an identifier past the scrubber.
VORMEN = (
    "bsn 123.456.782",
    "sofi 123 456 782",
    "nummer 123-456-782",
    "gesplitst 1234\n56782 over twee regels",
    f"BSN: {BSN_ZONDER_NUL} (nul weggelaten)",
    "burgerservicenummer 1234 5672",
    "B.S.N.\n12345672",
    "mail vogeltje99 [at] kooimail punt nl",
    "mail VOGELTJE99@KOOIMAIL.NL",
    "mail vogeltje99 @ kooimail . nl",
    "mail vogeltje99 (apenstaartje) kooimail (punt) nl",
    "bel +31 6 2468 1357",
    "bel 06-24681357",
    "bel 0031 6 24681357",
    "bel (06) 24 68 13 57",
    "bel +31 (0)6 2468-1357",
    "bel 0 6 2 4 6 8 1 3 5 7",
    "rekening NL91 ABNA 0417 1643 00",
    "rekening nl91abna0417164300",
    "rekening NL 91 ABNA 0417 1643 00",
    "woont 7071 AB 12",
    "woont 12, 7071AB",
    "postcode 7071ab 12",
    "geboren 03-02-1990",
    "geb. 3 februari 1990",
    "dob 1990-02-03",
    "geboortedatum 3/2/90",
    "op 03.02.1990 jarig",
    "jarig 3-feb-1990",
    "naam CANARIUS ZWARTVELD",
    "naam zwartveld, canarius",
    "naam C. Zwartveld en Zwartvelds broer",
    "naam Canárius",
)
TEKST = "\n".join(VORMEN)

#: What must never be readable: every identifier as digits or letters only, so no separator hides it.
SPOREN_COMPACT = (
    BSN, BSN_ZONDER_NUL, "24681357", "0417164300", "abna", "vogeltje99", "kooimail", "7071ab",
    "03021990", "19900203", "3februari1990", "3feb1990", "canarius", "canárius", "zwartveld",
)  # fmt: skip


def _compact(tekst: str) -> str:
    # JSON escapes (\n, \u00e1) decoded first, then everything but letters and digits dropped.
    return re.sub(r"[\W_]+", "", tekst.encode().decode("unicode_escape", errors="ignore").lower())


def sporen(tekst: str) -> list[str]:
    """The identifiers of the attack that are readable in `tekst`, whatever separators or case."""
    compact = re.sub(r"[\W_]+", "", tekst.lower())
    return [s for s in SPOREN_COMPACT if s in compact or s in _compact(tekst)]


async def _rijen(harness: ServiceHarness) -> list[tuple[str, str, Any]]:
    """Every (table, column, value) of a service's database, sealed envelopes and ciphertext left out."""
    engine = create_async_engine(harness.database_url)
    gezien: list[tuple[str, str, Any]] = []
    try:
        async with engine.connect() as verbinding:
            for tabel in harness.metadata.sorted_tables:
                for rij in (await verbinding.execute(sa.select(tabel))).mappings():
                    for kolom, waarde in rij.items():
                        if isinstance(waarde, bytes | bytearray | memoryview):
                            continue  # sealed envelopes and encrypted secrets: ciphertext
                        gezien.append((tabel.name, kolom, waarde))
    finally:
        await engine.dispose()
    return gezien


async def test_identifiers_typed_in_every_form_into_every_note_reach_no_reader(
    intake_harness: ServiceHarness, gateway_harness: ServiceHarness, issuer: DevIssuer,
    referentie_van: ReferentieVan,
) -> None:  # fmt: skip
    # The attack text itself is made of readable identifiers: otherwise the scan below could not fail.
    assert len(sporen(TEKST)) == len(SPOREN_COMPACT)
    af = _kop(issuer, "aandachtsfunctionaris", gemeente="GM1509", sub="af-1")
    melder = _kop(issuer, "melder", gemeente="GM1509", sub="melder-1")
    async with _keten(intake_harness, gateway_harness) as (intake, gateway):
        persoon = betrokkene(bsn=BSN, naam=NAAM, geboortedatum=GEBOORTEDATUM, adres=ADRES)
        nieuw = await intake.post("/v1/signalen", json=signaal(betrokkenen=[persoon]), headers=melder)
        assert nieuw.status_code == 201, nieuw.text
        sid = nieuw.json()["id"]
        pad = f"/v1/signalen/{sid}/beoordelingen"
        beoordeeld = await intake.post(
            pad, json={"status": "in_behandeling", "toelichting": TEKST}, headers={**af, "If-Match": '"1"'}
        )
        assert beoordeeld.status_code == 200, beoordeeld.text
        aangevuld = await intake.post(
            f"/v1/signalen/{sid}/aanvullingen", json={"aanvullingOmschrijving": TEKST}, headers=af
        )
        assert aangevuld.status_code in (200, 201), aangevuld.text
        versie = aangevuld.headers.get("ETag", '"3"')
        opgeschaald = await intake.post(
            pad, json={"status": "opgeschaald", "toelichting": TEKST, "partners": [RIEC, POLITIE], "doel": DOEL},
            headers={**af, "If-Match": versie},
        )  # fmt: skip
        assert opgeschaald.status_code == 200, opgeschaald.text
        casus = opgeschaald.json()
        traject = casus["trajecten"][0]["id"]
        traject_pad = f"/v1/signalen/{sid}/trajecten/{traject}/aantekeningen"
        assert (await intake.post(traject_pad, json={"tekst": TEKST}, headers=af)).status_code == 201

        partners: dict[str, tuple[dict[str, str], str]] = {}
        for partner in (RIEC, POLITIE):
            kop = _kop(issuer, "partner", organisatie=partner, sub=f"{partner}-1")
            partners[partner] = (kop, await referentie_van(gateway, kop, sid))
        riec, riec_ref = partners[RIEC]
        politie, politie_ref = partners[POLITIE]

        uitkomst = {"doel": DOEL, "terugkoppeling": "geen_vervolg", "reden": "onvoldoende_aanwijzingen",
                    "toelichting": TEKST}  # fmt: skip
        geschreven = [
            await gateway.post(
                f"/v1/casussen/{riec_ref}/aantekeningen", json={"doel": DOEL, "tekst": TEKST}, headers=riec
            ),
            await gateway.post(f"/v1/casussen/{riec_ref}/terugkoppelingen", json=uitkomst, headers=riec),
            await gateway.post(
                f"/v1/casussen/{politie_ref}/doelverzoeken",
                json={"doel": "strafrechtelijk_onderzoek", "reden": TEKST},
                headers=politie,
            ),
        ]
        assert [a.status_code for a in geschreven] == [201, 201, 201], [a.text for a in geschreven]

        lezers: list[httpx.Response] = [*geschreven]
        for kop, referentie in partners.values():
            lezers += [
                await gateway.get(
                    f"/v1/casussen/{referentie}/aantekeningen", params={"doel": DOEL}, headers=kop
                ),
                await gateway.get(f"/v1/casussen/{referentie}", params={"doel": DOEL}, headers=kop),
                await gateway.get("/v1/casussen", headers=kop),
            ]
        lezers += [
            await intake.get(traject_pad, headers=af),
            await intake.get(f"/v1/signalen/{sid}/aantekeningen", headers=af),
            await intake.get(f"/v1/signalen/{sid}", headers=af),
            await intake.get(f"/v1/signalen/{sid}/historie", headers=af),
            await intake.get("/v1/signalen", headers=af),
        ]
        assert all(a.status_code in (200, 201) for a in lezers), [
            (a.request.url, a.status_code) for a in lezers
        ]
        # The texts did arrive, scrubbed: the attention officer reads each note with its placeholders.
        alles = json.dumps([a.json() for a in lezers], ensure_ascii=False)
        for placeholder in ("[BSN]", "[E-MAIL]", "[TELEFOON]", "[IBAN]", "[POSTCODE-HUISNUMMER]",
                            "[GEBOORTEDATUM]", "[NAAM]"):  # fmt: skip
            assert placeholder in alles, placeholder
        for antwoord in lezers:
            assert sporen(antwoord.text) == [], (str(antwoord.request.url), antwoord.text)

        log = await _log(gateway, issuer, sid)
        assert {r["actie"] for r in log} >= {"aantekening", "terugkoppeling", "doelverzoek"}
        assert sporen(json.dumps(log, ensure_ascii=False)) == []

        for harness in (intake_harness, gateway_harness):
            rijen = await _rijen(harness)
            assert len(rijen) > 50
            gevonden = [(t, k) for t, k, w in rijen if w is not None and sporen(str(w))]
            assert gevonden == [], (harness.database_url.split("@")[-1], gevonden)


async def test_a_rejection_reason_does_not_tell_the_requester_who_the_person_is(
    gateway: Any, intake: Any, issuer: DevIssuer, referentie_van: Any, sql: Any
) -> None:
    """The approver knows the person from elsewhere and names them in the reason: the requester, who asked
    for the identity because four eyes stand between them and it, must not read it in the rejection."""
    intern = intake.casus(partners=[POLITIE], betrokkenen=[PERSOON])
    reden = (
        "Afgewezen: dit is JANSEN, Jan (geb. 4 mei 2001), bekend als J. Jansen; "
        "bsn 111.222.333, tel 06 - 1234 5678."
    )
    async with gateway() as client:
        politie = Politie(client, issuer, referentie_van)
        verzoek = await politie.vraag(intern)
        afgewezen = await politie.post(verzoek, "afwijzingen", politie.als(CHEF, "goedkeurder"), reden=reden)
        assert afgewezen.status_code == 201, afgewezen.text
        eigen = [v for v in await politie.lijst(politie.als("agent-1")) if v["id"] == verzoek["id"]]
        [rij] = await sql("SELECT afwijzing_reden FROM identiteitsverzoeken")
    for tekst in (afgewezen.json()["afwijzingsreden"], eigen[0]["afwijzingsreden"], rij.afwijzing_reden):
        assert "[NAAM]" in tekst and "[GEBOORTEDATUM]" in tekst, tekst
        laag = re.sub(r"[\W_]+", "", tekst.lower())
        assert not [s for s in ("jansen", "jan", "111222333", "12345678", "2001") if s in laag], tekst
