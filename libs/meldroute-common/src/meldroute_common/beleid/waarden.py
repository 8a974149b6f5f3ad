"""Closed value lists of the covenant policy: partner types, data categories, case stages and the
ZGW confidentiality scale."""

from __future__ import annotations

from enum import StrEnum
from typing import Final


class PartnerType(StrEnum):
    """Kind of organisation taking part in the covenant."""

    AANDACHTSFUNCTIONARIS = "aandachtsfunctionaris"
    RIEC = "riec"
    POLITIE = "politie"
    OPENBAAR_MINISTERIE = "openbaar_ministerie"
    ARBEIDSINSPECTIE = "arbeidsinspectie"
    BELASTINGDIENST = "belastingdienst"
    KMAR = "kmar"
    IND = "ind"
    ZORGCOORDINATIE = "zorgcoordinatie"
    COMENSHA = "comensha"


class Categorie(StrEnum):
    """Data categories of a case; the unit in which the policy grants or withholds data."""

    KERN = "kern"
    KENMERKEN = "kenmerken"
    OMSCHRIJVING = "omschrijving"
    PSEUDONIEM = "pseudoniem"
    GEKOPPELDE_SIGNALEN = "gekoppelde_signalen"
    IDENTITEIT = "identiteit"


ALLE_CATEGORIEEN: Final[frozenset[Categorie]] = frozenset(Categorie)


class Fase(StrEnum):
    """Case stage: the status of the intake signal behind the case (intake's triage state machine)."""

    ONTVANGEN = "ontvangen"
    IN_BEHANDELING = "in_behandeling"
    ADVIES_GEVRAAGD = "advies_gevraagd"
    AFGESLOTEN_GEEN_MENSENHANDEL = "afgesloten_geen_mensenhandel"
    DOORVERWEZEN_ANDER_DOMEIN = "doorverwezen_ander_domein"
    OPGESCHAALD = "opgeschaald"


class Vertrouwelijkheid(StrEnum):
    """ZGW vertrouwelijkheidaanduiding, declared from least to most confidential."""

    OPENBAAR = "openbaar"
    BEPERKT_OPENBAAR = "beperkt_openbaar"
    INTERN = "intern"
    ZAAKVERTROUWELIJK = "zaakvertrouwelijk"
    VERTROUWELIJK = "vertrouwelijk"
    CONFIDENTIEEL = "confidentieel"
    GEHEIM = "geheim"
    ZEER_GEHEIM = "zeer_geheim"

    @property
    def rang(self) -> int:
        """Position on the scale: openbaar is 0, zeer_geheim is 7."""
        return VERTROUWELIJKHEID_RANG[self.value]


# Keyed by plain string so a case's aanduiding can be looked up without parsing it first.
VERTROUWELIJKHEID_RANG: Final[dict[str, int]] = {v.value: i for i, v in enumerate(Vertrouwelijkheid)}
