"""Coarse attributes kept instead of identifying ones, in the categories reporting uses."""

from __future__ import annotations

from datetime import date
from typing import Literal

__all__ = [
    "EU_EER",
    "ISO_3166_ALPHA_2",
    "Leeftijdsklasse",
    "Nationaliteitsgroep",
    "leeftijd",
    "leeftijdsklasse",
    "nationaliteitsgroep",
]

Leeftijdsklasse = Literal["<18", "18-22", "23-29", "30+", "onbekend"]
Nationaliteitsgroep = Literal["NL", "EU/EER", "buiten EU/EER", "onbekend"]


def _codes(spaced: str) -> frozenset[str]:
    return frozenset(spaced.split())


# Beyond this an age is a typing error, not a person.
_MAX_LEEFTIJD = 120

# The 27 EU member states, the three other EEA states (IS, LI, NO) and Switzerland. Switzerland is not
# in the EEA, but under the EU-Swiss agreement on the free movement of persons its nationals are
# treated as EU citizens in the Netherlands (Vreemdelingenwet 2000: gemeenschapsonderdaan), and so
# take the same shelter route as EU victims rather than the COSM route for third-country nationals;
# the group follows that route. NL itself has its own group.
EU_EER: frozenset[str] = _codes(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"  # EU 27
    " IS LI NO"  # EEA
    " CH"
)

# Officially assigned ISO 3166-1 alpha-2 codes (249).
ISO_3166_ALPHA_2: frozenset[str] = _codes(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
    """
)

# Codes in common use that ISO reserves rather than assigns: EL (Greece, EU usage), UK (United
# Kingdom), XK (Kosovo, used by the EU and on Kosovar documents).
_ALIASES = {"EL": "GR", "UK": "GB"}
_ERKEND_NIET_ISO = frozenset({"XK"})


def leeftijd(*, geboortedatum: date, peildatum: date) -> int:
    """Age in whole years on `peildatum`.

    Someone born on 29 February turns a year older on 1 March in years without a 29 February.
    """
    nog_niet_jarig = (peildatum.month, peildatum.day) < (geboortedatum.month, geboortedatum.day)
    return peildatum.year - geboortedatum.year - int(nog_niet_jarig)


def leeftijdsklasse(*, geboortedatum: date | None, peildatum: date) -> Leeftijdsklasse:
    """The age band on the observation date: "<18", "18-22", "23-29", "30+" or "onbekend".

    "onbekend" also when the birth date lies after the observation date or implies an age above 120.
    """
    if geboortedatum is None or geboortedatum > peildatum:
        return "onbekend"
    jaren = leeftijd(geboortedatum=geboortedatum, peildatum=peildatum)
    if jaren > _MAX_LEEFTIJD:
        return "onbekend"
    if jaren < 18:
        return "<18"
    if jaren <= 22:
        return "18-22"
    if jaren <= 29:
        return "23-29"
    return "30+"


def nationaliteitsgroep(code: str | None) -> Nationaliteitsgroep:
    """The nationality group of an ISO 3166-1 alpha-2 code: "NL", "EU/EER", "buiten EU/EER" or "onbekend".

    EU/EER includes Switzerland (see `EU_EER`). Codes are read case-insensitively; EL and UK are
    accepted for Greece and the United Kingdom, XK for Kosovo. A code that is not an assigned country
    code is "onbekend". Nationality is expected as the state's code: a Dutch national from Aruba is NL.
    """
    if code is None:
        return "onbekend"
    normalised = code.strip().upper()
    normalised = _ALIASES.get(normalised, normalised)
    if normalised not in ISO_3166_ALPHA_2 and normalised not in _ERKEND_NIET_ISO:
        return "onbekend"
    if normalised == "NL":
        return "NL"
    if normalised in EU_EER:
        return "EU/EER"
    return "buiten EU/EER"
