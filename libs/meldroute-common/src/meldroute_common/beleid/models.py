"""The covenant policy as validated, immutable data.

The YAML file uses lowerCamelCase keys (``geldigVanaf``, ``maxVertrouwelijkheid``); the Python
attributes are their snake_case forms. Every model forbids unknown keys, so a typo in the policy is
an error rather than a silently ignored rule. Validation happens in two layers:

* field level (types, patterns, enums), reported by pydantic with the field's location;
* cross references (unknown partner or purpose in a rule, duplicate ids, overlapping rules), raised
  as :class:`BeleidsValidatieFout` carrying the path of each failing field.

:func:`meldroute_common.beleid.loader.load_policy` turns both into one :class:`BeleidFout` message.
A validated :class:`Beleid` carries a precomputed :class:`~meldroute_common.beleid.index.BeleidsIndex`
(``beleid.index``) which the decision engine uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Final, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    StrictBool,
    model_validator,
)
from pydantic.alias_generators import to_camel

from meldroute_common.beleid.index import BeleidsIndex
from meldroute_common.beleid.waarden import Categorie, Fase, PartnerType, Vertrouwelijkheid

__all__ = [
    "Beleid",
    "BeleidsValidatieFout",
    "Doel",
    "Grondslag",
    "Lidmaatschap",
    "MinderjarigenRegel",
    "Pad",
    "Partner",
    "Regel",
]

Pad = tuple[str | int, ...]
"""Location of a field inside the policy, e.g. ``("regels", 3, "doelen", 0)``."""

MAX_VENSTER_DAGEN: Final = 3650

T = TypeVar("T")

SEMVER_PATROON: Final = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
KEBAB_PATROON: Final = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SNAKE_PATROON: Final = r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$"
GEMEENTECODE_PATROON: Final = r"^GM\d{4}$"


class BeleidsValidatieFout(ValueError):
    """One or more policy errors, each with the path of the failing field.

    Paths are relative to the model that raised it; pydantic adds the model's own location.
    """

    def __init__(self, fouten: Sequence[tuple[Pad, str]]) -> None:
        self.fouten: tuple[tuple[Pad, str], ...] = tuple(fouten)
        super().__init__("; ".join(f"{pad_tekst(pad)}: {melding}" for pad, melding in self.fouten))


def pad_tekst(pad: Pad) -> str:
    """Render a path as ``regels[3].doelen[0]``."""
    tekst = ""
    for deel in pad:
        if isinstance(deel, int):
            tekst += f"[{deel}]"
        else:
            tekst += f".{deel}" if tekst else deel
    return tekst


def _alleen_datum(waarde: object) -> object:
    # pydantic would also accept unix timestamps and datetimes for a date; in a policy those are mistakes.
    if isinstance(waarde, datetime) or not isinstance(waarde, date | str):
        raise ValueError("verwacht een datum (JJJJ-MM-DD)")
    return waarde


Datum = Annotated[date, BeforeValidator(_alleen_datum)]
Tekst = Annotated[str, Field(strict=True, min_length=1)]
KebabId = Annotated[str, Field(strict=True, pattern=KEBAB_PATROON, max_length=80)]
DoelId = Annotated[str, Field(strict=True, pattern=SNAKE_PATROON, max_length=80)]
VensterDagen = Annotated[int, Field(strict=True, ge=1, le=MAX_VENSTER_DAGEN)]


def _zonder_dubbelen(waarden: tuple[T, ...]) -> tuple[T, ...]:
    gezien: set[T] = set()
    fouten: list[tuple[Pad, str]] = []
    for i, waarde in enumerate(waarden):
        if waarde in gezien:
            fouten.append(((i,), f"dubbele waarde '{waarde}'"))
        gezien.add(waarde)
    if fouten:
        raise BeleidsValidatieFout(fouten)
    return waarden


# Lists in YAML become tuples: hashable, kept in the order written (so publishing is stable), no duplicates.
PartnerIds = Annotated[tuple[KebabId, ...], AfterValidator(_zonder_dubbelen)]
PartnerTypen = Annotated[tuple[PartnerType, ...], AfterValidator(_zonder_dubbelen)]
DoelIds = Annotated[tuple[DoelId, ...], Field(min_length=1), AfterValidator(_zonder_dubbelen)]
Fasen = Annotated[tuple[Fase, ...], Field(min_length=1), AfterValidator(_zonder_dubbelen)]
Categorieen = Annotated[tuple[Categorie, ...], AfterValidator(_zonder_dubbelen)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


class Grondslag(_Model):
    """Legal basis of a purpose."""

    omschrijving: Tekst = Field(description="Legal basis in words.")
    referentie: Tekst = Field(
        description="Articles it rests on, e.g. 'art. 6 lid 1 sub e AVG; art. 10 AVG; convenant RIEC art. 5'."
    )


class Lidmaatschap(_Model):
    """Covenant membership: a partner may receive data from ``van`` up to, not including, ``tot``."""

    van: Datum = Field(description="First day of membership (Europe/Amsterdam).")
    tot: Datum | None = Field(
        default=None, description="Day membership ends (exclusive); null while it lasts."
    )

    @model_validator(mode="after")
    def _tot_na_van(self) -> Lidmaatschap:
        if self.tot is not None and self.tot <= self.van:
            raise BeleidsValidatieFout([(("tot",), f"{self.tot} ligt niet na van ({self.van})")])
        return self


class Partner(_Model):
    """An organisation that may receive case data under the covenant."""

    id: KebabId = Field(description="Stable kebab-case id; equals the `organisatie` claim of its users.")
    naam: Tekst = Field(description="Display name.")
    type: PartnerType = Field(description="Kind of organisation.")
    gemeente_code: Annotated[str, Field(strict=True, pattern=GEMEENTECODE_PATROON)] | None = Field(
        default=None,
        description="CBS code of the municipality; required for (and only for) an attention officer.",
    )
    lidmaatschap: Lidmaatschap

    @model_validator(mode="after")
    def _gemeente_bij_af(self) -> Partner:
        is_af = self.type is PartnerType.AANDACHTSFUNCTIONARIS
        if is_af and self.gemeente_code is None:
            raise BeleidsValidatieFout([(("gemeenteCode",), "verplicht voor een aandachtsfunctionaris")])
        if not is_af and self.gemeente_code is not None:
            melding = "alleen toegestaan voor een aandachtsfunctionaris"
            raise BeleidsValidatieFout([(("gemeenteCode",), melding)])
        return self


class Doel(_Model):
    """A purpose for which case data may be shared, with its legal basis."""

    id: DoelId = Field(description="snake_case id, e.g. casusoverleg.")
    omschrijving: Tekst
    grondslag: Grondslag


class MinderjarigenRegel(_Model):
    """Extra restriction applied when a minor is involved in the case."""

    achterhouden: Categorieen = Field(default=(), description="Categories withheld when a minor is involved.")
    toegangsvenster_dagen: VensterDagen | None = Field(
        default=None, description="Stricter access window in days after escalation."
    )

    @model_validator(mode="after")
    def _iets_beperkt(self) -> MinderjarigenRegel:
        if not self.achterhouden and self.toegangsvenster_dagen is None:
            raise BeleidsValidatieFout([((), "noem achterhouden en/of toegangsvensterDagen")])
        return self


class Regel(_Model):
    """Which categories the named partners may receive for the named purposes and case stages."""

    id: KebabId
    toelichting: Tekst | None = Field(default=None, description="Why the rule grants what it grants.")
    partners: PartnerIds = Field(default=(), description="Partner ids the rule applies to.")
    partner_typen: PartnerTypen = Field(default=(), description="Partner types the rule applies to.")
    doelen: DoelIds
    fasen: Fasen = Field(description="Case stages in which the rule applies; in practice `opgeschaald`.")
    categorieen: Categorieen = Field(min_length=1, description="Categories the partner may receive.")
    max_vertrouwelijkheid: Vertrouwelijkheid = Field(
        description="Highest vertrouwelijkheidaanduiding of a case this rule still covers."
    )
    toegangsvenster_dagen: VensterDagen = Field(description="Days after escalation that access lasts.")
    vier_ogen: Categorieen = Field(default=(), description="Categories released only after four eyes.")
    minderjarigen: MinderjarigenRegel | None = None
    vereist_toestemming: StrictBool = Field(
        default=False, description="Only when the victim's consent is recorded (CoMensha)."
    )

    @model_validator(mode="after")
    def _samenhang(self) -> Regel:
        fouten: list[tuple[Pad, str]] = []
        if not self.partners and not self.partner_typen:
            fouten.append((("partners",), "noem partners en/of partnerTypen"))
        toegestaan = set(self.categorieen)
        for i, categorie in enumerate(self.vier_ogen):
            if categorie not in toegestaan:
                fouten.append((("vierOgen", i), f"'{categorie}' staat niet in categorieen"))
        # Identity is only ever unsealed after a second person approves (architecture), never by rule alone.
        if Categorie.IDENTITEIT in toegestaan and Categorie.IDENTITEIT not in self.vier_ogen:
            fouten.append((("vierOgen",), "'identiteit' is toegestaan en moet dan vier ogen vereisen"))
        if self.minderjarigen is not None:
            for i, categorie in enumerate(self.minderjarigen.achterhouden):
                if categorie not in toegestaan:
                    fouten.append(
                        (("minderjarigen", "achterhouden", i), f"'{categorie}' staat niet in categorieen")
                    )
            venster = self.minderjarigen.toegangsvenster_dagen
            if venster is not None and venster > self.toegangsvenster_dagen:
                fouten.append(
                    (
                        ("minderjarigen", "toegangsvensterDagen"),
                        f"{venster} is ruimer dan toegangsvensterDagen ({self.toegangsvenster_dagen})",
                    )
                )
        if fouten:
            raise BeleidsValidatieFout(fouten)
        return self

    def geldt_voor(self, partner: Partner) -> bool:
        """Whether this rule names the partner by id or by type."""
        return partner.id in self.partners or partner.type in self.partner_typen


class Beleid(_Model):
    """A complete covenant policy. Build it with ``load_policy`` or ``Beleid.model_validate``.

    Never derive a policy with ``model_copy(update=...)`` or ``model_construct``: both skip
    validation, and the index would not match (or be missing, which fails closed).
    """

    versie: Annotated[str, Field(strict=True, pattern=SEMVER_PATROON)] = Field(
        description="Semantic version."
    )
    titel: Tekst
    geldig_vanaf: Datum = Field(description="First day the policy is in force (Europe/Amsterdam).")
    disclaimer: Tekst = Field(description="Status of the policy, e.g. that the FG must still confirm it.")
    partners: tuple[Partner, ...] = Field(min_length=1)
    doelen: tuple[Doel, ...] = Field(min_length=1)
    regels: tuple[Regel, ...] = Field(min_length=1)

    _index: BeleidsIndex = PrivateAttr()

    @model_validator(mode="after")
    def _kruisverwijzingen(self) -> Beleid:
        fouten: list[tuple[Pad, str]] = []
        fouten += _dubbele_ids("partners", [p.id for p in self.partners])
        fouten += _dubbele_ids("doelen", [d.id for d in self.doelen])
        fouten += _dubbele_ids("regels", [r.id for r in self.regels])
        partner_ids = {p.id for p in self.partners}
        doel_ids = {d.id for d in self.doelen}
        for r, regel in enumerate(self.regels):
            for i, partner_id in enumerate(regel.partners):
                if partner_id not in partner_ids:
                    fouten.append((("regels", r, "partners", i), f"onbekende partner '{partner_id}'"))
            for i, doel_id in enumerate(regel.doelen):
                if doel_id not in doel_ids:
                    fouten.append((("regels", r, "doelen", i), f"onbekend doel '{doel_id}'"))
        if not fouten:
            fouten += self._overlappende_regels()
        if fouten:
            raise BeleidsValidatieFout(fouten)
        # Built here, after every check passed, so the engine never sees an inconsistent policy.
        self._index = BeleidsIndex.bouw(self)
        return self

    def _overlappende_regels(self) -> list[tuple[Pad, str]]:
        # Exactly one rule may decide a (partner, purpose, stage): every decision then names one rule.
        eerste: dict[tuple[str, str, str], int] = {}
        fouten: list[tuple[Pad, str]] = []
        for r, regel in enumerate(self.regels):
            for partner in self.partners:
                if not regel.geldt_voor(partner):
                    continue
                for doel in regel.doelen:
                    for fase in regel.fasen:
                        sleutel = (partner.id, doel, fase.value)
                        vorige = eerste.setdefault(sleutel, r)
                        if vorige != r:
                            andere = f"regels[{vorige}] ('{self.regels[vorige].id}')"
                            waar = f"partner '{partner.id}', doel '{doel}', fase '{fase}'"
                            melding = f"overlapt met {andere} voor {waar}"
                            fouten.append((("regels", r), melding))
        return fouten

    @property
    def index(self) -> BeleidsIndex:
        """Precomputed look-ups used by :func:`meldroute_common.beleid.engine.decide`."""
        return self._index

    def partner(self, partner_id: str) -> Partner | None:
        """The partner with this id, if the policy names it."""
        return self._index.partners.get(partner_id)

    def doel(self, doel_id: str) -> Doel | None:
        """The purpose with this id, if the policy names it."""
        return self._index.doelen.get(doel_id)


def _dubbele_ids(veld: str, ids: Sequence[str]) -> list[tuple[Pad, str]]:
    eerste: dict[str, int] = {}
    fouten: list[tuple[Pad, str]] = []
    for i, ident in enumerate(ids):
        vorige = eerste.setdefault(ident, i)
        if vorige != i:
            fouten.append(((veld, i, "id"), f"dubbel id '{ident}' (ook {veld}[{vorige}])"))
    return fouten
