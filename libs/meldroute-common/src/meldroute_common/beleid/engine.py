"""The covenant decision: may this partner receive this case's data for this purpose, and which parts?

:func:`decide` is pure and deterministic: the same policy, partner, purpose, case facts and moment
always give the same :class:`Beslissing`. It reads no clock, no database and no environment; the
caller passes ``nu``. Everything is denied unless one rule of the policy allows it, and every denial
carries a machine-readable code (:class:`WeigerReden`) and a Dutch explanation.

Order of checks (the first that fails denies everything):

1. the policy is in force (``geldigVanaf``);
2. the partner is named in the policy;
3. its covenant membership has begun and has not ended;
4. the partner is a recipient of an open track of the case (``trajecten``);
5. the purpose is named in the policy and is the purpose of one of those tracks (purpose limitation);
6. a rule grants this partner this purpose, and in the case's stage;
7. the case's vertrouwelijkheidaanduiding is known and not above the rule's maximum;
8. the victim's consent is recorded, when the rule requires it;
9. the access window (stricter when a minor is involved), counted from the track's opening, has not passed.

Then per category: categories outside the rule are withheld (minimisation), and categories the
rule's ``minderjarigen`` clause withholds are withheld when a minor is involved. The reasons are for
the verwerkingenlog and the FG; the HTTP layer decides how much of them a caller gets to see.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Final
from zoneinfo import ZoneInfo

from meldroute_common.beleid.index import BELEIDSTIJDZONE, GecompileerdeRegel
from meldroute_common.beleid.models import Beleid, Grondslag
from meldroute_common.beleid.waarden import VERTROUWELIJKHEID_RANG, Categorie

__all__ = [
    "Beslissing",
    "CasusFeiten",
    "TrajectFeiten",
    "WeigerReden",
    "Weigering",
    "decide",
    "toets_opschaling",
]


class WeigerReden(StrEnum):
    """Why (part of) a disclosure is denied."""

    BELEID_NIET_GELDIG = "beleid_niet_geldig"
    ONBEKENDE_PARTNER = "onbekende_partner"
    LIDMAATSCHAP_NIET_BEGONNEN = "lidmaatschap_niet_begonnen"
    LIDMAATSCHAP_BEEINDIGD = "lidmaatschap_beeindigd"
    GEEN_ONTVANGER = "geen_ontvanger"
    ONBEKEND_DOEL = "onbekend_doel"
    ANDER_DOEL = "ander_doel"
    DOEL_NIET_TOEGESTAAN = "doel_niet_toegestaan"
    FASE_NIET_TOEGESTAAN = "fase_niet_toegestaan"
    ONBEKENDE_VERTROUWELIJKHEID = "onbekende_vertrouwelijkheid"
    VERTROUWELIJKHEID_TE_HOOG = "vertrouwelijkheid_te_hoog"
    TOESTEMMING_ONTBREEKT = "toestemming_ontbreekt"
    VENSTER_VERSTREKEN = "venster_verstreken"
    MINDERJARIGE = "minderjarige"
    NIET_IN_REGEL = "niet_in_regel"


@dataclass(frozen=True, slots=True)
class Weigering:
    """A denial: a stable code for programs and a Dutch explanation for people."""

    code: WeigerReden
    toelichting: str


@dataclass(frozen=True, slots=True)
class TrajectFeiten:
    """One track of a case: a purpose, the partners it was opened for, and since when.

    The access window of a rule counts from ``sinds``, so a purpose granted later gets its own window.
    A closed track (``afgerond``) gives access to no one.
    """

    doel: str
    ontvangers: frozenset[str]
    sinds: datetime
    afgerond: bool = False

    def __init__(
        self, *, doel: str, ontvangers: Collection[str], sinds: datetime, afgerond: bool = False
    ) -> None:
        if sinds.utcoffset() is None:
            raise ValueError("sinds moet een tijdzone hebben")
        # A bare string is a Collection[str] too; frozenset("riec") would be a set of letters.
        if isinstance(ontvangers, str):
            raise TypeError("ontvangers moet een verzameling partner-ids zijn, geen tekst")
        object.__setattr__(self, "doel", doel)
        object.__setattr__(self, "ontvangers", frozenset(ontvangers))
        object.__setattr__(self, "sinds", sinds)
        object.__setattr__(self, "afgerond", afgerond)


@dataclass(frozen=True, slots=True)
class CasusFeiten:
    """The facts about a case that the policy decides on (read from intake, never from the partner).

    ``trajecten`` are the case's tracks (a safety and a care track can run side by side); ``toestemming``
    is whether a victim of the case has a valid consent now (given and not withdrawn). ``opgeschaald_op``
    is the first escalation; windows count from each track's ``sinds``.
    """

    fase: str
    vertrouwelijkheidaanduiding: str
    opgeschaald_op: datetime
    trajecten: tuple[TrajectFeiten, ...]
    minderjarige_betrokken: bool
    toestemming: bool

    def __init__(
        self,
        *,
        fase: str,
        vertrouwelijkheidaanduiding: str,
        opgeschaald_op: datetime,
        trajecten: Sequence[TrajectFeiten],
        minderjarige_betrokken: bool,
        toestemming: bool,
    ) -> None:
        if opgeschaald_op.utcoffset() is None:
            raise ValueError("opgeschaald_op moet een tijdzone hebben")
        object.__setattr__(self, "fase", fase)
        object.__setattr__(self, "vertrouwelijkheidaanduiding", vertrouwelijkheidaanduiding)
        object.__setattr__(self, "opgeschaald_op", opgeschaald_op)
        object.__setattr__(self, "trajecten", tuple(trajecten))
        object.__setattr__(self, "minderjarige_betrokken", minderjarige_betrokken)
        object.__setattr__(self, "toestemming", toestemming)

    def actieve_trajecten(self, partner_id: str) -> tuple[TrajectFeiten, ...]:
        """The open tracks the partner is a recipient of."""
        return tuple(t for t in self.trajecten if not t.afgerond and partner_id in t.ontvangers)


@dataclass(frozen=True, slots=True)
class Beslissing:
    """Outcome of :func:`decide`.

    Every category is in exactly one of ``categorieen`` (allowed) and ``geweigerd`` (withheld, with
    the reason). ``reden`` is set when everything is denied. ``vier_ogen`` lists the allowed
    categories that may only be released after a second person approves. ``venster_tot`` is the
    moment access ends (the rule's window, or the end of membership if that comes first); it is
    ``None`` when nothing is allowed. ``regel_id`` and ``grondslag`` explain which rule and legal
    basis decided, when a rule was found.
    """

    toegestaan: bool
    categorieen: frozenset[Categorie]
    geweigerd: Mapping[Categorie, Weigering]
    reden: Weigering | None
    regel_id: str | None
    doel: str
    grondslag: Grondslag | None
    vier_ogen: frozenset[Categorie] = field(default_factory=frozenset)
    venster_tot: datetime | None = None

    def als_dict(self) -> dict[str, object]:
        """JSON-ready form with lowerCamelCase keys, categories in their declared order."""
        return {
            "toegestaan": self.toegestaan,
            "categorieen": [c.value for c in Categorie if c in self.categorieen],
            "geweigerd": {
                c.value: {"code": self.geweigerd[c].code.value, "toelichting": self.geweigerd[c].toelichting}
                for c in Categorie
                if c in self.geweigerd
            },
            "reden": None
            if self.reden is None
            else {"code": self.reden.code.value, "toelichting": self.reden.toelichting},
            "regelId": self.regel_id,
            "doel": self.doel,
            "grondslag": None if self.grondslag is None else self.grondslag.model_dump(),
            "vierOgen": [c.value for c in Categorie if c in self.vier_ogen],
            "vensterTot": None if self.venster_tot is None else self.venster_tot.isoformat(),
        }


_GEEN: Final[frozenset[Categorie]] = frozenset()


def _weiger(
    code: WeigerReden,
    toelichting: str,
    *,
    doel: str,
    regel: GecompileerdeRegel | None = None,
) -> Beslissing:
    weigering = Weigering(code, toelichting)
    return Beslissing(
        toegestaan=False,
        categorieen=_GEEN,
        geweigerd=MappingProxyType(dict.fromkeys(Categorie, weigering)),
        reden=weigering,
        regel_id=None if regel is None else regel.id,
        doel=doel,
        grondslag=None if regel is None else regel.grondslag,
    )


def decide(
    *,
    beleid: Beleid,
    partner_id: str,
    doel: str,
    casus: CasusFeiten,
    nu: datetime,
) -> Beslissing:
    """Decide which categories of ``casus`` partner ``partner_id`` may receive for purpose ``doel`` at ``nu``.

    Default deny: see the module docstring for the order of checks. ``nu`` must be timezone-aware
    (a naive moment is a programming error and raises ``ValueError``).
    """
    if nu.utcoffset() is None:
        raise ValueError("nu moet een tijdzone hebben")
    index = beleid.index

    if nu < index.geldig_vanaf:
        return _weiger(
            WeigerReden.BELEID_NIET_GELDIG,
            f"beleid {beleid.versie} geldt pas vanaf {beleid.geldig_vanaf.isoformat()}",
            doel=doel,
        )

    info = index.partner_info.get(partner_id)
    if info is None:
        return _weiger(
            WeigerReden.ONBEKENDE_PARTNER, f"partner '{partner_id}' staat niet in het beleid", doel=doel
        )
    lidmaatschap = info.partner.lidmaatschap
    if nu < info.begin:
        return _weiger(
            WeigerReden.LIDMAATSCHAP_NIET_BEGONNEN,
            f"lidmaatschap van partner '{partner_id}' begint op {lidmaatschap.van.isoformat()}",
            doel=doel,
        )
    if info.einde is not None and nu >= info.einde:
        assert lidmaatschap.tot is not None  # einde is derived from tot
        return _weiger(
            WeigerReden.LIDMAATSCHAP_BEEINDIGD,
            f"lidmaatschap van partner '{partner_id}' is beëindigd per {lidmaatschap.tot.isoformat()}",
            doel=doel,
        )

    trajecten = casus.actieve_trajecten(partner_id)
    if not trajecten:
        return _weiger(
            WeigerReden.GEEN_ONTVANGER,
            f"casus heeft geen open traject voor partner '{partner_id}'",
            doel=doel,
        )

    if doel not in index.doelen:
        return _weiger(WeigerReden.ONBEKEND_DOEL, f"doel '{doel}' staat niet in het beleid", doel=doel)
    traject = next((t for t in trajecten if t.doel == doel), None)
    if traject is None:
        doelen = ", ".join(sorted(f"'{t.doel}'" for t in trajecten))
        return _weiger(
            WeigerReden.ANDER_DOEL,
            f"partner '{partner_id}' heeft een traject voor doel {doelen}, niet voor '{doel}' (doelbinding)",
            doel=doel,
        )

    per_fase = index.regels.get((partner_id, doel))
    if per_fase is None:
        return _weiger(
            WeigerReden.DOEL_NIET_TOEGESTAAN,
            f"geen regel staat partner '{partner_id}' doel '{doel}' toe",
            doel=doel,
        )
    regel = per_fase.get(casus.fase)
    if regel is None:
        return _weiger(
            WeigerReden.FASE_NIET_TOEGESTAAN,
            f"geen regel staat partner '{partner_id}' doel '{doel}' toe in fase '{casus.fase}'",
            doel=doel,
        )

    rang = VERTROUWELIJKHEID_RANG.get(casus.vertrouwelijkheidaanduiding)
    if rang is None:
        return _weiger(
            WeigerReden.ONBEKENDE_VERTROUWELIJKHEID,
            f"onbekende vertrouwelijkheidaanduiding '{casus.vertrouwelijkheidaanduiding}'",
            doel=doel,
            regel=regel,
        )
    if rang > regel.max_rang:
        return _weiger(
            WeigerReden.VERTROUWELIJKHEID_TE_HOOG,
            f"vertrouwelijkheidaanduiding '{casus.vertrouwelijkheidaanduiding}' is hoger dan het maximum "
            f"'{regel.max_vertrouwelijkheid}' van regel '{regel.id}'",
            doel=doel,
            regel=regel,
        )

    if regel.vereist_toestemming and not casus.toestemming:
        return _weiger(
            WeigerReden.TOESTEMMING_ONTBREEKT,
            f"regel '{regel.id}' vereist vastgelegde toestemming van het slachtoffer",
            doel=doel,
            regel=regel,
        )

    minderjarigen = regel.minderjarigen if casus.minderjarige_betrokken else None
    if minderjarigen is None:
        categorieen, vier_ogen = regel.categorieen, regel.vier_ogen
        venster, dagen = regel.venster, regel.venster_dagen
        venster_door_minderjarige = False
    else:
        categorieen, vier_ogen = minderjarigen.categorieen, minderjarigen.vier_ogen
        venster, dagen = minderjarigen.venster, minderjarigen.venster_dagen
        venster_door_minderjarige = minderjarigen.venster_strenger

    venster_tot = traject.sinds + venster
    if nu >= venster_tot:
        soort = "voor casussen met een minderjarige " if venster_door_minderjarige else ""
        return _weiger(
            WeigerReden.VENSTER_VERSTREKEN,
            f"toegangsvenster {soort}van regel '{regel.id}' ({dagen} dagen na opening van het traject) "
            f"is verstreken op {venster_tot.astimezone(ZoneInfo(BELEIDSTIJDZONE)).date().isoformat()}",
            doel=doel,
            regel=regel,
        )
    if info.einde is not None and info.einde < venster_tot:
        venster_tot = info.einde

    geweigerd: dict[Categorie, Weigering] = {}
    if regel.niet_in_regel:
        buiten = Weigering(
            WeigerReden.NIET_IN_REGEL, f"niet toegestaan door regel '{regel.id}' (dataminimalisatie)"
        )
        geweigerd.update(dict.fromkeys(regel.niet_in_regel, buiten))
    if minderjarigen is not None and minderjarigen.achtergehouden:
        minder = Weigering(
            WeigerReden.MINDERJARIGE,
            f"achtergehouden omdat een minderjarige betrokken is (regel '{regel.id}')",
        )
        geweigerd.update(dict.fromkeys(minderjarigen.achtergehouden, minder))

    if not categorieen:
        # The minors clause withheld everything the rule grants.
        return Beslissing(
            toegestaan=False,
            categorieen=_GEEN,
            geweigerd=MappingProxyType(geweigerd),
            reden=Weigering(
                WeigerReden.MINDERJARIGE,
                f"regel '{regel.id}' houdt alle categorieën achter wanneer een minderjarige betrokken is",
            ),
            regel_id=regel.id,
            doel=doel,
            grondslag=regel.grondslag,
        )
    return Beslissing(
        toegestaan=True,
        categorieen=categorieen,
        geweigerd=MappingProxyType(geweigerd),
        reden=None,
        regel_id=regel.id,
        doel=doel,
        grondslag=regel.grondslag,
        vier_ogen=vier_ogen,
        venster_tot=venster_tot,
    )


def toets_opschaling(
    *, beleid: Beleid, partner_id: str, doel: str, vertrouwelijkheidaanduiding: str, nu: datetime
) -> Beslissing:
    """Could the partner be given a track with this purpose on a case of this confidentiality?

    The check an escalation, a new track, a partner added to a track, a follow-on purpose and an advice
    question must pass before anything is stored. It decides a fresh case in which the partner is a
    recipient of a new track for ``doel``, in the stage the rule for the pair names (``opgeschaald``, or
    ``advies_gevraagd`` for advice), with consent assumed and no minor: consent, a minor and the window are
    judged at each disclosure, not here. So a denial names what no later fact can change: an unknown
    partner or purpose, no rule for the pair, a membership not in force, a confidentiality above the
    rule's maximum.
    """
    per_fase = beleid.index.regels.get((partner_id, doel), {})
    fase = "opgeschaald" if not per_fase or "opgeschaald" in per_fase else str(next(iter(per_fase)))
    hypothetisch = CasusFeiten(
        fase=fase,
        vertrouwelijkheidaanduiding=vertrouwelijkheidaanduiding,
        opgeschaald_op=nu,
        trajecten=[TrajectFeiten(doel=doel, ontvangers=[partner_id], sinds=nu)],
        minderjarige_betrokken=False,
        toestemming=True,
    )
    return decide(beleid=beleid, partner_id=partner_id, doel=doel, casus=hypothetisch, nu=nu)
