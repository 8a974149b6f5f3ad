"""The anonymous event schema shared by intake's outbox (producer) and reporting's ingest (consumer).

An event carries only coarse codes from the catalogue and a month: no pseudonyms, no free text, no exact
dates. Every code is checked twice: first for its shape (a short lowercase code; anything with spaces,
mixed case or long runs that look like a hash or encoded key is refused before any lookup), then against
the catalogue. `Gebeurtenis` and `GebeurtenisBatch` check against the standard catalogue; a service with
its own municipalities builds its models once with `gebeurtenismodellen(catalogus)`.

Example (JSON)::

    {"id": "0b6f4c1e-4a1f-4c52-9a3e-3f1f7d2b9c10", "type": "beoordeling_vastgelegd", "maand": "2026-10",
     "gemeenteCode": "GM1509", "uitbuitingsvormen": ["arbeid"], "sector": "agrarisch",
     "locatietype": "boerenerf", "melderDomein": "toezicht", "leeftijdsklasse": "23-29", "geslacht": "man",
     "nationaliteitsgroep": "eu-eer", "uitkomst": "opgeschaald", "doorlooptijdDagen": 6}

Four types: `signaal_ontvangen` (a signal was recorded), `beoordeling_vastgelegd` (a triage decision, with
`uitkomst` and the days from the signal), `terugkoppeling_vastgelegd` (a partner recorded an outcome on an
escalated case, with the code `terugkoppeling` from the catalogue list `terugkoppelingen`, whether it is the
case's first outcome of any kind, and the whole days from the escalation). Intake sends an outcome event only
the first time a code is recorded on a case, so a code counts once per case. `termijn_verstreken` (a deadline of a
signal or track passed, once per deadline) carries only the municipality, the month and the kind of deadline
(`termijn`, a code of intake's deadline policy): nothing about the signal itself.

Reporting drops duplicates by `id`; a batch may therefore repeat an event (delivery is at-least-once).
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import (
    Annotated,
    Any,
    ClassVar,
    Final,
    Literal,
    Self,
    Union,
    cast,
    get_args,
)
from uuid import UUID

from pydantic import (
    AfterValidator,
    ConfigDict,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    create_model,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import TypedDict

from meldroute_common.catalogus import ONBEKEND, Catalogus, Lijst, standaard_catalogus
from meldroute_common.schemas import Schema

GebeurtenisType = Literal[
    "signaal_ontvangen", "beoordeling_vastgelegd", "terugkoppeling_vastgelegd", "termijn_verstreken"
]
Uitkomst = Literal[
    "in_behandeling", "afgesloten_geen_mensenhandel", "doorverwezen_ander_domein", "opgeschaald"
]
UITKOMSTEN: tuple[str, ...] = get_args(Uitkomst)

#: Most events a batch may hold.
MAX_BATCH = 1000

#: A valid `signaal_ontvangen` event as JSON: the published example, and the base of the tests' builder.
VOORBEELD: Final[dict[str, Any]] = {
    "id": "0b6f4c1e-4a1f-4c52-9a3e-3f1f7d2b9c10",
    "type": "signaal_ontvangen",
    "maand": "2026-10",
    "gemeenteCode": "GM1509",
    "uitbuitingsvormen": ["arbeid"],
    "sector": "agrarisch",
    "locatietype": "boerenerf",
    "melderDomein": "toezicht",
    "leeftijdsklasse": "23-29",
    "geslacht": "man",
    "nationaliteitsgroep": "eu-eer",
}

#: A valid `termijn_verstreken` event as JSON: a triage deadline of a signal of GM1509 passed in November 2026.
TERMIJN_VOORBEELD: Final[dict[str, Any]] = {
    "id": "3e8b1d52-7a4c-4f09-b6e2-9c1a5d7f0b84",
    "type": "termijn_verstreken",
    "maand": "2026-11",
    "gemeenteCode": "GM1509",
    "termijn": "triage",
}

#: A valid `terugkoppeling_vastgelegd` event as JSON: a case's first outcome, nine days after its escalation.
TERUGKOPPELING_VOORBEELD: Final[dict[str, Any]] = {
    **VOORBEELD,
    "id": "7c2e9a14-5b3d-4e8f-a1c6-2d9f0b4e6a37",
    "type": "terugkoppeling_vastgelegd",
    "maand": "2026-11",
    "terugkoppeling": "opvang_geregeld",
    "eersteTerugkoppeling": True,
    "doorlooptijdDagen": 9,
}

_CODE = re.compile(r"^(?:GM[0-9]{4}|[a-z0-9<+]+(?:[-_][a-z0-9<+]+)*)$")
_MAX_CODE = 64
_HEX = re.compile(r"^[0-9a-f]+$")


def _code_vorm(waarde: str) -> str:
    """Refuse anything that is not shaped like a catalogue code, before it is looked up."""
    if len(waarde) > _MAX_CODE or not _CODE.fullmatch(waarde):
        raise ValueError("geen code: alleen korte codes uit de catalogus zijn toegestaan")
    for deel in re.split(r"[-_]", waarde):
        # Catalogue words are short Dutch words; a pseudonym or key encoded as hex, base32 or base64
        # (lowercased) has long runs, often mixing digits and letters.
        heeft_cijfer = any(c.isdigit() for c in deel)
        heeft_letter = any(c.isalpha() for c in deel)
        if (
            len(deel) > 24
            or (len(deel) >= 16 and _HEX.fullmatch(deel))
            or (len(deel) >= 12 and heeft_cijfer and heeft_letter)
        ):
            raise ValueError("geen code: de waarde lijkt op een pseudoniem of sleutel")
    return waarde


Code = Annotated[str, AfterValidator(_code_vorm)]

# Which catalogue list each coded field is checked against.
_LIJST_VAN_VELD: dict[str, Lijst] = {
    "gemeente_code": "gemeenten",
    "sector": "sectoren",
    "locatietype": "locatietypen",
    "melder_domein": "melderdomeinen",
    "leeftijdsklasse": "leeftijdsklassen",
    "geslacht": "geslachten",
    "nationaliteitsgroep": "nationaliteitsgroepen",
    "uitbuitingsvormen": "uitbuitingsvormen",
    "terugkoppeling": "terugkoppelingen",
}


#: What every event but `termijn_verstreken` says of its signal (attributes, and their JSON names).
_KENMERKEN = (
    "uitbuitingsvormen", "sector", "locatietype", "melder_domein", "leeftijdsklasse", "geslacht", "nationaliteitsgroep",
)  # fmt: skip
_KENMERKEN_JSON = (
    "uitbuitingsvormen", "sector", "locatietype", "melderDomein", "leeftijdsklasse", "geslacht", "nationaliteitsgroep",
)  # fmt: skip


def maand_van(datum: date) -> str:
    """The event month (`YYYY-MM`) of a date: events never carry the day."""
    return f"{datum.year:04d}-{datum.month:02d}"


def _typefout(g: Any) -> str | None:
    """What is wrong with the fields an event of this type carries, or None (one rule for both checks)."""
    kenmerken = [getattr(g, veld) for veld in _KENMERKEN]
    terugkoppeling = (g.terugkoppeling, g.eerste_terugkoppeling)
    if g.type == "termijn_verstreken":
        if g.termijn is None:
            return "termijn_verstreken vraagt om termijn"
        if any(k is not None for k in kenmerken) or any(
            w is not None for w in (g.uitkomst, g.doorlooptijd_dagen, *terugkoppeling)
        ):
            return "termijn_verstreken draagt alleen gemeenteCode, maand en termijn"
        return None
    if any(k is None for k in kenmerken):
        return f"{g.type} vraagt om {', '.join(_KENMERKEN_JSON)}"
    if g.termijn is not None:
        return "alleen termijn_verstreken heeft een termijn"
    if g.type == "signaal_ontvangen":
        if g.uitkomst is not None or g.doorlooptijd_dagen is not None or terugkoppeling != (None, None):
            return "signaal_ontvangen heeft geen uitkomst, geen doorlooptijdDagen en geen terugkoppeling"
    elif g.type == "beoordeling_vastgelegd":
        if g.uitkomst is None or g.doorlooptijd_dagen is None:
            return "beoordeling_vastgelegd vraagt om uitkomst en doorlooptijdDagen"
        if terugkoppeling != (None, None):
            return "beoordeling_vastgelegd heeft geen terugkoppeling en geen eersteTerugkoppeling"
    else:
        if None in terugkoppeling or g.doorlooptijd_dagen is None:
            return "terugkoppeling_vastgelegd vraagt om terugkoppeling, eersteTerugkoppeling en doorlooptijdDagen"
        if g.uitkomst is not None:
            return "terugkoppeling_vastgelegd heeft geen uitkomst"
    return None


class Gebeurtenis(Schema):
    """One anonymous event: a signal was received, a triage decision or a partner's outcome was recorded, or a
    deadline passed."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        validate_by_alias=True,
        validate_by_name=False,
        title="Gebeurtenis",
    )

    #: The catalogue codes are checked against; None means the standard catalogue.
    catalogus: ClassVar[Catalogus | None] = None

    # JSON carries the id as a string; strict mode would only take a UUID object.
    id: Annotated[UUID, Field(strict=False, description="Event id; reporting drops duplicates by it.")]
    type: GebeurtenisType = Field(description="What happened.")
    maand: str = Field(
        pattern=r"^20[0-9]{2}-(0[1-9]|1[0-2])$",
        description="Month of the event, `YYYY-MM`; never an exact date.",
    )
    gemeente_code: Code = Field(description="CBS code of the municipality.")
    uitbuitingsvormen: list[Code] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="Suspected forms of exploitation (codes, each once); absent for termijn_verstreken.",
    )
    sector: Code | None = Field(default=None, description="Sector code; absent for termijn_verstreken.")
    locatietype: Code | None = Field(
        default=None, description="Location type code; absent for termijn_verstreken."
    )
    melder_domein: Code | None = Field(
        default=None, description="Domain of the employee who signalled; absent for termijn_verstreken."
    )
    leeftijdsklasse: Code | None = Field(
        default=None,
        description="Age band of the signal's first victim (`onbekend` when none); absent for termijn_verstreken.",
    )
    geslacht: Code | None = Field(
        default=None,
        description="Gender of the signal's first victim (`onbekend` when none); absent for termijn_verstreken.",
    )
    nationaliteitsgroep: Code | None = Field(
        default=None,
        description="Nationality group of the signal's first victim (`onbekend` when none); absent for "
        "termijn_verstreken.",
    )
    uitkomst: Uitkomst | None = Field(
        default=None, description="The new status (beoordeling_vastgelegd only; null for signaal_ontvangen)."
    )
    doorlooptijd_dagen: int | None = Field(
        default=None,
        ge=0,
        le=36_500,
        description="Whole days from the signal to this decision (beoordeling_vastgelegd), or from the case's "
        "escalation to this outcome (terugkoppeling_vastgelegd); null for signaal_ontvangen.",
    )
    terugkoppeling: Code | None = Field(
        default=None,
        description="The outcome a partner recorded, a code from `terugkoppelingen` "
        "(terugkoppeling_vastgelegd only).",
    )
    eerste_terugkoppeling: bool | None = Field(
        default=None,
        description="Whether this is the case's first outcome of any kind (terugkoppeling_vastgelegd only).",
    )
    termijn: Code | None = Field(
        default=None,
        description="The kind of deadline that passed, a code of intake's deadline policy (termijn_verstreken "
        "only).",
    )

    @classmethod
    def actieve_catalogus(cls) -> Catalogus:
        """The catalogue this model checks codes against."""
        return cls.catalogus if cls.catalogus is not None else standaard_catalogus()

    @field_validator(*_LIJST_VAN_VELD, mode="after")
    @classmethod
    def _in_catalogus(cls, waarde: str | list[str] | None, info: ValidationInfo) -> str | list[str] | None:
        assert info.field_name is not None
        if waarde is None:  # the model validator says which fields each type needs
            return None
        lijst = _LIJST_VAN_VELD[info.field_name]
        codes = [waarde] if isinstance(waarde, str) else waarde
        if cls.actieve_catalogus().onbekende_codes(lijst, codes):
            raise ValueError(f"onbekende code voor {lijst}")
        if isinstance(waarde, list):
            if len(set(waarde)) != len(waarde):
                raise ValueError("een uitbuitingsvorm staat er twee keer in")
            if ONBEKEND in waarde and len(waarde) > 1:
                raise ValueError("'onbekend' gaat niet samen met een andere uitbuitingsvorm")
            return sorted(waarde)
        return waarde

    @model_validator(mode="after")
    def _velden_passen_bij_type(self) -> Gebeurtenis:
        if (fout := _typefout(self)) is not None:
            raise ValueError(fout)
        return self

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
        """A validated copy: pydantic's copy would let an unchecked value into an event."""
        data = self.model_dump()
        for naam, waarde in (update or {}).items():
            veld = type(self).model_fields.get(naam)
            data[veld.alias or naam if veld else naam] = waarde
        return type(self).model_validate(data)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # Publish the allowed codes as enums, so the OpenAPI document lists them.
        json_schema = handler.resolve_ref_schema(handler(core_schema))
        catalogus = cls.actieve_catalogus()
        for naam, lijst in _LIJST_VAN_VELD.items():
            veld = cls.model_fields[naam]
            eigenschap: dict[str, Any] = json_schema.get("properties", {}).get(veld.alias or naam, {})
            if lijst == "uitbuitingsvormen":
                for variant in eigenschap.get("anyOf", [eigenschap]):
                    if variant.get("type") == "array":
                        variant["items"]["enum"] = sorted(catalogus.codes(lijst))
                continue
            # An optional code is `anyOf: [code, null]`: the enum goes on the code.
            varianten = [v for v in eigenschap.get("anyOf", [eigenschap]) if v.get("type") != "null"]
            for doel in varianten:
                doel["enum"] = sorted(catalogus.codes(lijst))
        return json_schema


class GebeurtenisBatch(Schema):
    """A batch of 1 to 1000 anonymous events, as intake's outbox relay posts them."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, title="GebeurtenisBatch")

    gebeurtenissen: list[Gebeurtenis] = Field(min_length=1, max_length=MAX_BATCH)


@cache
def gebeurtenismodellen(catalogus: Catalogus) -> tuple[type[Gebeurtenis], type[GebeurtenisBatch]]:
    """Event and batch models that check codes against `catalogus` (built once per catalogue)."""
    gebeurtenis = cast(
        "type[Gebeurtenis]",
        types.new_class(
            "Gebeurtenis",
            (Gebeurtenis,),
            exec_body=lambda ns: ns.update({"__module__": __name__, "catalogus": catalogus}),
        ),
    )
    lijst: Any = types.GenericAlias(list, (gebeurtenis,))
    batch = create_model(
        "GebeurtenisBatch",
        __base__=GebeurtenisBatch,
        __module__=__name__,
        gebeurtenissen=(
            Annotated[lijst, WrapValidator(_per_batch(gebeurtenis))],
            Field(min_length=1, max_length=MAX_BATCH),
        ),
    )
    return gebeurtenis, batch


#: The optional coded fields: their code shape is checked by `_per_batch`, not by the raw model.
_OPTIONELE_CODES = (
    *(naam for naam in _LIJST_VAN_VELD if naam not in ("gemeente_code", "uitbuitingsvormen")),
    "termijn",
)


def _ruw_model() -> type[Schema]:
    """`Gebeurtenis` with every check pydantic does in Rust (types, patterns, bounds, unknown fields) and none
    of the Python ones (code shape, catalogue, type rule): those `_per_batch` does once per distinct value."""
    velden: dict[str, Any] = {}
    for naam, veld in Gebeurtenis.model_fields.items():
        annotatie: Any = veld.annotation
        if naam == "uitbuitingsvormen":
            annotatie = list[str] | None
        elif naam in _OPTIONELE_CODES:
            annotatie = str | None
        metadata = [m for m in veld.metadata if not isinstance(m, AfterValidator)]
        velden[naam] = (
            Annotated[annotatie, *metadata] if metadata else annotatie,
            Field(veld.default, alias=veld.alias),
        )
    basis = type("GebeurtenisRuwBasis", (Schema,), {"model_config": Gebeurtenis.model_config})
    return cast("type[Schema]", create_model("GebeurtenisRuw", __base__=basis, **velden))


def _per_batch(gebeurtenis: type[Gebeurtenis]) -> Callable[[Any, ValidatorFunctionWrapHandler], Any]:
    """A batch's events validated as one list: pydantic checks the shapes of all of them in one call, and
    each distinct code is checked once for its shape and against the catalogue, instead of every field of
    every event in Python. Anything this finds wrong goes to the full per-event validation, which then
    names the field; so a batch is accepted exactly when every event passes `gebeurtenis`."""
    ruw: TypeAdapter[list[Any]] = TypeAdapter(types.GenericAlias(list, (_ruw_model(),)))  # type: ignore[arg-type]
    catalogus = gebeurtenis.actieve_catalogus()
    aliassen = {naam: veld.alias or naam for naam, veld in Gebeurtenis.model_fields.items()}
    enkel = [naam for naam in (*_LIJST_VAN_VELD, "termijn") if naam != "uitbuitingsvormen"]

    def gecontroleerd(rijen: list[Any]) -> list[Gebeurtenis] | None:
        codes: dict[str, set[str]] = {naam: set() for naam in (*_LIJST_VAN_VELD, "termijn")}
        for rij in rijen:
            vormen = rij.uitbuitingsvormen
            if vormen is not None and (
                len(set(vormen)) != len(vormen) or (ONBEKEND in vormen and len(vormen) > 1)
            ):
                return None
            if _typefout(rij) is not None:
                return None
            codes["uitbuitingsvormen"].update(vormen or ())
            for naam in enkel:
                if (waarde := getattr(rij, naam)) is not None:
                    codes[naam].add(waarde)
        for naam, waarden in codes.items():
            try:
                for waarde in waarden:
                    _code_vorm(waarde)
            except ValueError:
                return None
            # `termijn` is only shaped like a code: it is a code of intake's policy, not of the catalogue.
            if naam in _LIJST_VAN_VELD and catalogus.onbekende_codes(_LIJST_VAN_VELD[naam], sorted(waarden)):
                return None
        return [
            gebeurtenis.model_construct(
                _fields_set=rij.model_fields_set,
                **{aliassen[naam]: getattr(rij, naam) for naam in aliassen}
                | {
                    # as `_in_catalogus` stores them
                    "uitbuitingsvormen": None
                    if rij.uitbuitingsvormen is None
                    else sorted(rij.uitbuitingsvormen)
                },
            )
            for rij in rijen
        ]

    def valideer(waarde: Any, handler: ValidatorFunctionWrapHandler) -> Any:
        if isinstance(waarde, list) and 1 <= len(waarde) <= MAX_BATCH:
            try:
                snel = gecontroleerd(ruw.validate_python(waarde))
            except ValidationError:
                snel = None
            if snel is not None:
                return snel
        return handler(waarde)

    return valideer


class GecontroleerdeGebeurtenis(TypedDict):
    """A checked event as plain data, by its JSON names: what `batchcontrole` gives, and `als_gecontroleerd` of a
    `Gebeurtenis`. Every field is there, None where the event does not carry it; the forms are sorted."""

    id: UUID
    type: GebeurtenisType
    maand: str
    gemeenteCode: str
    uitbuitingsvormen: list[str] | None
    sector: str | None
    locatietype: str | None
    melderDomein: str | None
    leeftijdsklasse: str | None
    geslacht: str | None
    nationaliteitsgroep: str | None
    uitkomst: Uitkomst | None
    doorlooptijdDagen: int | None
    terugkoppeling: str | None
    eersteTerugkoppeling: bool | None
    termijn: str | None


def als_gecontroleerd(gebeurtenis: Gebeurtenis) -> GecontroleerdeGebeurtenis:
    """A validated event as the plain data `batchcontrole` gives."""
    return cast(
        "GecontroleerdeGebeurtenis",
        {
            veld.alias or naam: getattr(gebeurtenis, naam)
            for naam, veld in type(gebeurtenis).model_fields.items()
        },
    )


#: A check of a batch body (JSON bytes): its events, or None when the batch model must judge it.
Batchcontrole = Callable[[bytes], list[GecontroleerdeGebeurtenis] | None]


def _is_code(waarde: str) -> bool:
    try:
        _code_vorm(waarde)
    except ValueError:
        return False
    return True


def _json_naam(naam: str) -> str:
    return Gebeurtenis.model_fields[naam].alias or naam


def _zonder_python_validatie(naam: str) -> list[Any]:
    """The constraints of a field of `Gebeurtenis` that pydantic checks in Rust (patterns, bounds, strictness)."""
    return [m for m in Gebeurtenis.model_fields[naam].metadata if not isinstance(m, AfterValidator)]


@cache
def batchcontrole(catalogus: Catalogus) -> Batchcontrole:
    """A check of a whole batch body (its JSON bytes) in one call, with no model instance per event.

    One compiled validator for the whole list: per event type a TypedDict holding exactly the fields that type
    may carry (a field it may not carry is absent or null, and given as None), and every catalogue code as a `Literal` of the
    catalogue's codes that have the shape of a code. So the types, bounds, unknown fields, the codes and the
    rule of which fields each type carries are all checked in Rust; left for Python are the distinct `termijn`
    values' shape and the forms' rules (each once, `onbekend` alone), once per event with two or more forms.

    Gives the events for a body `gebeurtenismodellen(catalogus)[1]` accepts (the same values), and None for
    anything else: then validate with that model, which names what is wrong. A body this refuses and the model
    accepts (JSON that only Python's `json` reads, say) is therefore still taken, by the model.
    """
    lijsten = {
        lijst: tuple(sorted(c for c in catalogus.codes(lijst) if _is_code(c)))
        for lijst in _LIJST_VAN_VELD.values()
    }
    if not all(lijsten.values()):  # a list without codes (a test catalogue): leave every batch to the model
        return lambda _: None

    def code(naam: str) -> Any:
        return Literal[lijsten[_LIJST_VAN_VELD[naam]]]

    def veld(naam: str, soort: Any) -> Any:
        beperkingen = _zonder_python_validatie(naam)
        return Annotated[soort, *beperkingen] if beperkingen else soort

    afwezig: Any = Annotated[None, Field(default=None)]  # absent or null; given as None
    kenmerken: dict[str, Any] = {
        "uitbuitingsvormen": veld("uitbuitingsvormen", list[code("uitbuitingsvormen")]),  # type: ignore[misc]
        **{_json_naam(naam): code(naam) for naam in _KENMERKEN if naam != "uitbuitingsvormen"},
    }
    gemeen: dict[str, Any] = {
        "id": Annotated[UUID, *_zonder_python_validatie("id")],
        "maand": veld("maand", str),
        "gemeenteCode": code("gemeente_code"),
    }
    dagen = veld("doorlooptijd_dagen", int)
    per_type: dict[str, dict[str, Any]] = {
        "signaal_ontvangen": {**kenmerken},
        "beoordeling_vastgelegd": {**kenmerken, "uitkomst": Uitkomst, "doorlooptijdDagen": dagen},
        "terugkoppeling_vastgelegd": {
            **kenmerken,
            "doorlooptijdDagen": dagen,
            "terugkoppeling": code("terugkoppeling"),
            "eersteTerugkoppeling": bool,
        },
        # `termijn` is only shaped like a code (checked below): a code of intake's policy, not of the catalogue.
        "termijn_verstreken": {"termijn": str},
    }
    optioneel = (
        *kenmerken,
        "uitkomst",
        "doorlooptijdDagen",
        "terugkoppeling",
        "eersteTerugkoppeling",
        "termijn",
    )
    config = ConfigDict(extra="forbid", strict=True)
    typeddict: Any = TypedDict  # built at run time, from this catalogue's codes

    def vorm(naam: str, velden: dict[str, Any]) -> Any:
        gebouwd = typeddict(naam, velden)
        gebouwd.__pydantic_config__ = config
        return gebouwd

    varianten = tuple(
        vorm(
            f"Gebeurtenis_{soort}",
            {"type": Literal[soort], **gemeen, **dict.fromkeys(optioneel, afwezig), **velden},
        )
        for soort, velden in per_type.items()
    )
    gebeurtenis: Any = Annotated[Union[varianten], Discriminator("type")]  # noqa: UP007
    lijst: Any = Annotated[list[gebeurtenis], *GebeurtenisBatch.model_fields["gebeurtenissen"].metadata]
    adapter: TypeAdapter[dict[str, list[GecontroleerdeGebeurtenis]]] = TypeAdapter(
        vorm("GebeurtenisBatch", {"gebeurtenissen": lijst})
    )

    def controleer(body: bytes) -> list[GecontroleerdeGebeurtenis] | None:
        try:
            rijen = adapter.validate_json(body)["gebeurtenissen"]
        except ValidationError:
            return None
        termijnen: set[str] = set()
        for rij in rijen:
            vormen = rij.get("uitbuitingsvormen")
            if vormen is not None and len(vormen) > 1:
                if len(set(vormen)) != len(vormen) or ONBEKEND in vormen:
                    return None
                vormen.sort()  # as `Gebeurtenis` stores them
            if (termijn := rij.get("termijn")) is not None:
                termijnen.add(termijn)
        if not all(_is_code(t) for t in termijnen):
            return None
        return rijen

    return controleer
