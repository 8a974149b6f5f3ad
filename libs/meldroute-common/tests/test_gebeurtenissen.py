from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from meldroute_common.catalogus import LIJSTEN, Lijst, standaard_catalogus
from meldroute_common.gebeurtenissen import (
    MAX_BATCH,
    TERMIJN_VOORBEELD,
    UITKOMSTEN,
    Gebeurtenis,
    GebeurtenisBatch,
    als_gecontroleerd,
    batchcontrole,
    gebeurtenismodellen,
    maand_van,
)
from pydantic import ValidationError

from tests.builders import beoordeling as beoordeeld
from tests.builders import gebeurtenis as ontvangen
from tests.builders import terugkoppeling as teruggekoppeld

CODEVELDEN: dict[str, Lijst] = {
    "gemeenteCode": "gemeenten",
    "sector": "sectoren",
    "locatietype": "locatietypen",
    "melderDomein": "melderdomeinen",
    "leeftijdsklasse": "leeftijdsklassen",
    "geslacht": "geslachten",
    "nationaliteitsgroep": "nationaliteitsgroepen",
}


def pseudoniem() -> str:
    return hmac.new(b"sleutel", b"111222333", hashlib.sha256).hexdigest()


def test_signal_received_from_json_and_back() -> None:
    data = ontvangen()
    gebeurtenis = Gebeurtenis.model_validate_json(json.dumps(data))
    assert gebeurtenis.id == uuid.UUID(data["id"])
    assert gebeurtenis.gemeente_code == "GM1509"
    assert gebeurtenis.uitkomst is None
    assert gebeurtenis.doorlooptijd_dagen is None
    terug = gebeurtenis.model_dump(mode="json")
    assert terug == {
        **data,
        "uitkomst": None,
        "doorlooptijdDagen": None,
        "terugkoppeling": None,
        "eersteTerugkoppeling": None,
        "termijn": None,
    }
    assert Gebeurtenis.model_validate(terug) == gebeurtenis


def test_decision_recorded_from_parsed_json() -> None:
    gebeurtenis = Gebeurtenis.model_validate(beoordeeld())
    assert gebeurtenis.type == "beoordeling_vastgelegd"
    assert gebeurtenis.uitkomst == "opgeschaald"
    assert gebeurtenis.doorlooptijd_dagen == 6
    assert json.loads(gebeurtenis.model_dump_json())["doorlooptijdDagen"] == 6


def test_producer_builds_an_event_in_python() -> None:
    gebeurtenis = Gebeurtenis(
        id=uuid.uuid4(),
        type="beoordeling_vastgelegd",
        maand=maand_van(date(2026, 10, 17)),
        gemeenteCode="GM0222",
        uitbuitingsvormen=["seksueel", "crimineel"],
        sector="niet-van-toepassing",
        locatietype="woning",
        melderDomein="wijkteam",
        leeftijdsklasse="<18",
        geslacht="vrouw",
        nationaliteitsgroep="nl",
        uitkomst="doorverwezen_ander_domein",
        doorlooptijdDagen=0,
    )
    assert gebeurtenis.maand == "2026-10"
    assert gebeurtenis.uitbuitingsvormen == ["crimineel", "seksueel"]  # order carries no meaning


def test_json_names_are_lower_camel_case_only() -> None:
    data = ontvangen()
    data["gemeente_code"] = data.pop("gemeenteCode")
    with pytest.raises(ValidationError) as fout:
        Gebeurtenis.model_validate(data)
    plaatsen = {e["loc"][0] for e in fout.value.errors()}
    assert plaatsen == {"gemeenteCode", "gemeente_code"}


@pytest.mark.parametrize(
    "extra",
    [
        {"pseudoniem": "abc"},
        {"omschrijving": "vrouw van ongeveer 20 op de camping"},
        {"waargenomenOp": "2026-10-01"},
        {"bsn": "111222333"},
    ],
)
def test_extra_fields_are_refused(extra: dict[str, str]) -> None:
    with pytest.raises(ValidationError, match="extra"):
        Gebeurtenis.model_validate(ontvangen(**extra))


@pytest.mark.parametrize(
    "maand", ["2026-13", "2026-00", "2026-1", "2026-10-01", "10-2026", "1999-12", "2026/10", ""]
)
def test_month_only_and_well_formed(maand: str) -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(maand=maand))


@pytest.mark.parametrize(
    "wijziging",
    [
        {"doorlooptijdDagen": "6"},
        {"doorlooptijdDagen": 6.0},
        {"doorlooptijdDagen": True},
        {"doorlooptijdDagen": -1},
        {"uitkomst": "gesloten"},
        {"uitkomst": "ontvangen"},
    ],
)
def test_decision_fields_are_strict(wijziging: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(beoordeeld(**wijziging))


def test_strings_are_not_coerced() -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(uitbuitingsvormen="arbeid"))
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(leeftijdsklasse=30))


def test_id_must_be_a_uuid() -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(id="signaal-17"))


@pytest.mark.parametrize(
    "wijziging",
    [
        {"uitkomst": "opgeschaald"},
        {"doorlooptijdDagen": 3},
        {"uitkomst": "opgeschaald", "doorlooptijdDagen": 3},
    ],
)
def test_signal_received_has_no_outcome(wijziging: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="signaal_ontvangen"):
        Gebeurtenis.model_validate(ontvangen(**wijziging))


@pytest.mark.parametrize("weg", ["uitkomst", "doorlooptijdDagen"])
def test_decision_needs_outcome_and_lead_time(weg: str) -> None:
    data = beoordeeld()
    del data[weg]
    with pytest.raises(ValidationError, match="beoordeling_vastgelegd"):
        Gebeurtenis.model_validate(data)


def test_outcome_recorded_from_json_and_back() -> None:
    data = teruggekoppeld(terugkoppeling="aangifte_gedaan", eersteTerugkoppeling=False, doorlooptijdDagen=40)
    gebeurtenis = Gebeurtenis.model_validate_json(json.dumps(data))
    assert (gebeurtenis.type, gebeurtenis.terugkoppeling, gebeurtenis.eerste_terugkoppeling) == (
        "terugkoppeling_vastgelegd", "aangifte_gedaan", False,
    )  # fmt: skip
    assert gebeurtenis.doorlooptijd_dagen == 40 and gebeurtenis.uitkomst is None
    assert gebeurtenis.model_dump(mode="json") == {**data, "uitkomst": None, "termijn": None}


@pytest.mark.parametrize(
    ("wijziging", "melding"),
    [
        ({"terugkoppeling": None}, "terugkoppeling_vastgelegd vraagt"),
        ({"eersteTerugkoppeling": None}, "terugkoppeling_vastgelegd vraagt"),
        ({"doorlooptijdDagen": None}, "terugkoppeling_vastgelegd vraagt"),
        ({"uitkomst": "opgeschaald"}, "heeft geen uitkomst"),
        ({"terugkoppeling": "bestaat_niet"}, "onbekende code voor terugkoppelingen"),
        ({"terugkoppeling": "opgeschaald"}, "onbekende code voor terugkoppelingen"),  # a code of another list
        ({"terugkoppeling": "Opgepakt"}, "geen code"),
        ({"terugkoppeling": "opgepakt door de politie"}, "geen code"),
        ({"eersteTerugkoppeling": "true"}, "valid boolean"),
        ({"eersteTerugkoppeling": 1}, "valid boolean"),
        ({"doorlooptijdDagen": -1}, "greater than or equal"),
    ],
)
def test_outcome_fields_are_checked(wijziging: dict[str, Any], melding: str) -> None:
    with pytest.raises(ValidationError, match=melding):
        Gebeurtenis.model_validate(teruggekoppeld(**wijziging))


@pytest.mark.parametrize(
    "wijziging",
    [{"terugkoppeling": "opgepakt"}, {"eersteTerugkoppeling": True}, {"eersteTerugkoppeling": False}],
)
def test_only_an_outcome_event_carries_outcome_fields(wijziging: dict[str, Any]) -> None:
    with pytest.raises(ValidationError, match="signaal_ontvangen heeft geen"):
        Gebeurtenis.model_validate(ontvangen(**wijziging))
    with pytest.raises(ValidationError, match="beoordeling_vastgelegd heeft geen terugkoppeling"):
        Gebeurtenis.model_validate(beoordeeld(**wijziging))


@pytest.mark.parametrize("veld", sorted(CODEVELDEN))
def test_unknown_codes_are_refused_per_field(veld: str) -> None:
    with pytest.raises(ValidationError) as fout:
        Gebeurtenis.model_validate(ontvangen(**{veld: "bestaat-niet"}))
    assert fout.value.errors()[0]["loc"] == (veld,)
    assert "onbekende code" in str(fout.value)


def test_a_code_from_another_list_is_refused() -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(sector="boerenerf"))
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(uitbuitingsvormen=["agrarisch"]))


@pytest.mark.parametrize(
    "vormen",
    [[], ["arbeid", "arbeid"], ["onbekend", "arbeid"], ["arbeid", "bestaat-niet"]],
)
def test_forms_of_exploitation_are_checked(vormen: list[str]) -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(uitbuitingsvormen=vormen))


PSEUDONIEMEN = [
    pseudoniem(),
    pseudoniem()[:16],
    base64.b64encode(b"0123456789abcdefghij").decode(),
    base64.urlsafe_b64encode(hashlib.sha256(b"x").digest()).decode().rstrip("="),
    base64.b32encode(hashlib.sha256(b"x").digest()).decode().lower().rstrip("="),
    "deadbeefcafebabe",
    "a1b2c3d4e5f6",
]
VRIJE_TEKST = [
    "Jan Jansen",
    "woont op de werkplek",
    "GM1509 en GM0222",
    "boerenerf\n",
    "x" * 65,
    "",
]


@pytest.mark.parametrize("waarde", PSEUDONIEMEN + VRIJE_TEKST)
@pytest.mark.parametrize("veld", [*sorted(CODEVELDEN), "uitbuitingsvormen"])
def test_free_text_and_pseudonym_shapes_are_refused_before_lookup(veld: str, waarde: str) -> None:
    data = ontvangen(**{veld: [waarde] if veld == "uitbuitingsvormen" else waarde})
    with pytest.raises(ValidationError) as fout:
        Gebeurtenis.model_validate(data)
    assert "geen code" in str(fout.value)


@pytest.mark.parametrize("waarde", ["111222333", "2001-05-04", "pl", "seksueel"])
def test_code_shaped_values_outside_the_catalogue_are_refused(waarde: str) -> None:
    with pytest.raises(ValidationError, match="onbekende code"):
        Gebeurtenis.model_validate(ontvangen(sector=waarde))


@settings(max_examples=200, deadline=None)
@given(
    waarde=st.one_of(
        st.binary(min_size=8, max_size=32).map(bytes.hex),
        st.binary(min_size=12, max_size=32).map(lambda b: base64.urlsafe_b64encode(b).decode()),
        st.binary(min_size=10, max_size=32).map(lambda b: base64.b32encode(b).decode().lower().rstrip("=")),
    ),
    veld=st.sampled_from(sorted(CODEVELDEN)),
)
def test_encoded_values_are_never_accepted(waarde: str, veld: str) -> None:
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(**{veld: waarde}))


def test_shape_errors_do_not_name_the_value() -> None:
    with pytest.raises(ValidationError) as fout:
        Gebeurtenis.model_validate(ontvangen(sector=pseudoniem()))
    assert pseudoniem() not in fout.value.errors()[0]["msg"]


@pytest.mark.parametrize("lijst", sorted(set(CODEVELDEN.values())))
def test_every_catalogue_code_is_accepted(lijst: Lijst) -> None:
    veld = next(v for v, naam in CODEVELDEN.items() if naam == lijst)
    for code in standaard_catalogus().codes(lijst):
        gebeurtenis = Gebeurtenis.model_validate(ontvangen(**{veld: code}))
        assert gebeurtenis.model_dump(mode="json")[veld] == code


def test_every_form_and_outcome_is_accepted() -> None:
    for vorm in standaard_catalogus().codes("uitbuitingsvormen"):
        assert Gebeurtenis.model_validate(ontvangen(uitbuitingsvormen=[vorm])).uitbuitingsvormen == [vorm]
    for uitkomst in UITKOMSTEN:
        assert Gebeurtenis.model_validate(beoordeeld(uitkomst=uitkomst)).uitkomst == uitkomst


def test_outcomes_match_the_catalogue() -> None:
    assert set(UITKOMSTEN) == standaard_catalogus().codes("uitkomsten")
    assert set(LIJSTEN) >= set(CODEVELDEN.values())


def test_a_copy_is_validated_too() -> None:
    gebeurtenis = Gebeurtenis.model_validate(beoordeeld())
    assert gebeurtenis.model_copy(update={"sector": "bouw"}).sector == "bouw"
    assert gebeurtenis.model_copy(update={"doorlooptijd_dagen": 9}).doorlooptijd_dagen == 9
    with pytest.raises(ValidationError):
        gebeurtenis.model_copy(update={"sector": "vrije tekst over een persoon"})


def test_events_are_immutable() -> None:
    gebeurtenis = Gebeurtenis.model_validate(ontvangen())
    with pytest.raises(ValidationError):
        gebeurtenis.sector = "bouw"  # type: ignore[misc]


@pytest.mark.parametrize("aantal", [1, 2, MAX_BATCH])
def test_batch_of_1_to_1000(aantal: int) -> None:
    batch = GebeurtenisBatch.model_validate({"gebeurtenissen": [ontvangen() for _ in range(aantal)]})
    assert len(batch.gebeurtenissen) == aantal


@pytest.mark.parametrize("aantal", [0, MAX_BATCH + 1])
def test_batch_size_is_bounded(aantal: int) -> None:
    with pytest.raises(ValidationError):
        GebeurtenisBatch.model_validate({"gebeurtenissen": [ontvangen() for _ in range(aantal)]})


def test_batch_refuses_extra_fields_and_a_bad_event() -> None:
    with pytest.raises(ValidationError):
        GebeurtenisBatch.model_validate({"gebeurtenissen": [ontvangen()], "bron": "intake"})
    with pytest.raises(ValidationError) as fout:
        GebeurtenisBatch.model_validate({"gebeurtenissen": [ontvangen(), ontvangen(sector="x y")]})
    assert fout.value.errors()[0]["loc"][:3] == ("gebeurtenissen", 1, "sector")


def test_a_repeated_event_in_a_batch_is_allowed() -> None:
    data = ontvangen()
    batch = GebeurtenisBatch.model_validate_json(json.dumps({"gebeurtenissen": [data, data]}))
    assert batch.gebeurtenissen[0] == batch.gebeurtenissen[1]


def test_models_for_a_configured_catalogue() -> None:
    catalogus = standaard_catalogus(["GM0363=Amsterdam", "GM1509"])
    model, batchmodel = gebeurtenismodellen(catalogus)
    assert model.actieve_catalogus() is catalogus
    assert model.model_validate(ontvangen(gemeenteCode="GM0363")).gemeente_code == "GM0363"
    with pytest.raises(ValidationError):
        model.model_validate(ontvangen(gemeenteCode="GM0222"))  # Achterhoek, but not configured
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(gemeenteCode="GM0363"))  # the standard model keeps its list
    batch = batchmodel.model_validate({"gebeurtenissen": [ontvangen(gemeenteCode="GM0363")]})
    assert isinstance(batch.gebeurtenissen[0], model)
    with pytest.raises(ValidationError):
        batchmodel.model_validate({"gebeurtenissen": [ontvangen(gemeenteCode="GM0222")]})
    assert gebeurtenismodellen(catalogus) == (model, batchmodel)


def test_json_schema_lists_the_allowed_codes() -> None:
    catalogus = standaard_catalogus(["GM0363=Amsterdam"])
    model, batchmodel = gebeurtenismodellen(catalogus)
    schema = model.model_json_schema()
    eigenschappen = schema["properties"]
    assert eigenschappen["gemeenteCode"]["enum"] == ["GM0363"]
    [sector, _] = eigenschappen["sector"]["anyOf"]  # absent for termijn_verstreken
    assert set(sector["enum"]) == catalogus.codes("sectoren")
    [vormen, _] = eigenschappen["uitbuitingsvormen"]["anyOf"]
    assert set(vormen["items"]["enum"]) == catalogus.codes("uitbuitingsvormen")
    [code, _] = eigenschappen["terugkoppeling"]["anyOf"]
    assert set(code["enum"]) == catalogus.codes("terugkoppelingen")
    assert schema["additionalProperties"] is False
    batchschema = batchmodel.model_json_schema()
    assert batchschema["properties"]["gebeurtenissen"]["maxItems"] == MAX_BATCH
    assert "GM1509" in Gebeurtenis.model_json_schema()["properties"]["gemeenteCode"]["enum"]


@pytest.mark.parametrize(("datum", "maand"), [(date(2026, 1, 31), "2026-01"), (date(2026, 12, 1), "2026-12")])
def test_month_of_a_date(datum: date, maand: str) -> None:
    assert maand_van(datum) == maand


def test_deadline_passed_carries_municipality_month_and_kind_only() -> None:
    gebeurtenis = Gebeurtenis.model_validate(TERMIJN_VOORBEELD)
    assert (gebeurtenis.gemeente_code, gebeurtenis.maand, gebeurtenis.termijn) == (
        "GM1509",
        "2026-11",
        "triage",
    )
    assert gebeurtenis.model_dump(mode="json", by_alias=True, exclude_none=True) == TERMIJN_VOORBEELD
    # Anything about the signal is refused on a deadline event, and the kind is refused on the others.
    for veld, waarde in [
        ("sector", "horeca"),
        ("uitbuitingsvormen", ["arbeid"]),
        ("uitkomst", "opgeschaald"),
    ]:
        with pytest.raises(ValidationError):
            Gebeurtenis.model_validate({**TERMIJN_VOORBEELD, veld: waarde})
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate({k: v for k, v in TERMIJN_VOORBEELD.items() if k != "termijn"})
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(
            {**TERMIJN_VOORBEELD, "termijn": "0f3a9c2b7d4e8f16a5b3"}
        )  # a hash, not a code
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate(ontvangen(termijn="triage"))
    with pytest.raises(ValidationError):
        Gebeurtenis.model_validate({k: v for k, v in ontvangen().items() if k != "sector"})


#: Events that pass and events that fail each check, for comparing a batch with its events one by one.
_VARIANTEN: list[dict[str, Any]] = [
    ontvangen(),
    beoordeeld(),
    teruggekoppeld(),
    ontvangen(uitbuitingsvormen=["seksueel", "arbeid"]),
    ontvangen(sector="x y"),
    ontvangen(sector="onbekende-sector"),
    ontvangen(gemeenteCode="GM0363"),
    ontvangen(melderDomein="a1b2c3d4e5f6a7b8"),
    ontvangen(uitbuitingsvormen=["arbeid", "arbeid"]),
    ontvangen(uitbuitingsvormen=["onbekend", "arbeid"]),
    ontvangen(uitbuitingsvormen=[]),
    ontvangen(uitkomst="opgeschaald"),
    beoordeeld(doorlooptijdDagen=None),
    beoordeeld(doorlooptijdDagen="6"),
    teruggekoppeld(terugkoppeling="iets-anders"),
    teruggekoppeld(eersteTerugkoppeling=None),
    ontvangen(maand="2026-13"),
    ontvangen(bron="intake"),
    ontvangen(id="geen-uuid"),
    {k: v for k, v in ontvangen().items() if k != "sector"},
    ontvangen(sector=None),
    ontvangen(uitbuitingsvormen=None),
    ontvangen(termijn="triage"),
    beoordeeld(termijn="triage"),
    teruggekoppeld(termijn="triage"),
    # A passed deadline carries only municipality, month and kind; its kind is shaped like a code.
    dict(TERMIJN_VOORBEELD),
    {**TERMIJN_VOORBEELD, "sector": None, "uitbuitingsvormen": None},
    {**TERMIJN_VOORBEELD, "sector": "horeca"},
    {**TERMIJN_VOORBEELD, "uitbuitingsvormen": ["arbeid"]},
    {**TERMIJN_VOORBEELD, "uitbuitingsvormen": []},
    {**TERMIJN_VOORBEELD, "leeftijdsklasse": "onbekend"},
    {**TERMIJN_VOORBEELD, "uitkomst": "opgeschaald"},
    {**TERMIJN_VOORBEELD, "doorlooptijdDagen": 3},
    {**TERMIJN_VOORBEELD, "terugkoppeling": "opvang_geregeld"},
    {**TERMIJN_VOORBEELD, "eersteTerugkoppeling": True},
    {**TERMIJN_VOORBEELD, "gemeenteCode": "GM0363"},
    {**TERMIJN_VOORBEELD, "termijn": None},
    {k: v for k, v in TERMIJN_VOORBEELD.items() if k != "termijn"},
    {**TERMIJN_VOORBEELD, "termijn": "0f3a9c2b7d4e8f16a5b3"},
    {**TERMIJN_VOORBEELD, "termijn": "x y"},
    {**TERMIJN_VOORBEELD, "termijn": "Triage"},
    {**TERMIJN_VOORBEELD, "termijn": 5},
]


@pytest.mark.parametrize("variant", range(len(_VARIANTEN)))
def test_a_batch_is_judged_as_its_events_one_by_one(variant: int) -> None:
    """The batch checks shapes once and each distinct code once; it must accept and refuse exactly what the
    event model does, with the same errors, and give the same events."""
    model, batchmodel = gebeurtenismodellen(standaard_catalogus())
    events = [ontvangen(), _VARIANTEN[variant], beoordeeld(uitbuitingsvormen=["seksueel", "crimineel"])]
    try:
        los = [model.model_validate(e) for e in events]
    except ValidationError as fout:
        with pytest.raises(ValidationError) as batchfout:
            batchmodel.model_validate({"gebeurtenissen": events})
        verwacht = [
            {**e, "loc": ("gebeurtenissen", 1, *e["loc"])}
            for e in fout.errors(include_url=False, include_context=False)
        ]
        assert batchfout.value.errors(include_url=False, include_context=False) == verwacht
        return
    batch = batchmodel.model_validate({"gebeurtenissen": events}).gebeurtenissen
    assert batch == los
    assert [type(g) for g in batch] == [model] * len(events)
    assert [g.model_fields_set for g in batch] == [g.model_fields_set for g in los]
    assert [g.model_dump(mode="json", by_alias=True) for g in batch] == [
        g.model_dump(mode="json", by_alias=True) for g in los
    ]


def _vergelijk_batchcontrole(events: list[Any] | Any, *, moet_snel: bool) -> None:
    """`batchcontrole` on the JSON bytes against the batch model on the parsed JSON (as FastAPI gives it): it
    may only accept what the model accepts, with the same values; `moet_snel`: it must accept that, too."""
    _, batchmodel = gebeurtenismodellen(standaard_catalogus())
    body = events if not isinstance(events, list) else {"gebeurtenissen": events}
    ruw = json.dumps(body).encode()
    snel = batchcontrole(standaard_catalogus())(ruw)
    try:
        model = batchmodel.model_validate(json.loads(ruw)).gebeurtenissen
    except ValidationError:
        assert snel is None
        return
    if moet_snel:
        assert snel is not None
    if snel is not None:
        assert snel == [als_gecontroleerd(g) for g in model]


#: Beyond `_VARIANTEN`: what only the shapes of the per-type check see.
_MEER_VARIANTEN: list[dict[str, Any]] = [
    {k if k != "gemeenteCode" else "gemeente_code": v for k, v in ontvangen().items()},
    ontvangen(id=str(uuid.uuid4()).upper()),
    ontvangen(id=uuid.uuid4().hex),
    ontvangen(id=f"urn:uuid:{uuid.uuid4()}"),
    ontvangen(id=5),
    ontvangen(type="onbekend_type"),
    {k: v for k, v in ontvangen().items() if k != "type"},
    ontvangen(type=None),
    beoordeeld(doorlooptijdDagen=True),
    beoordeeld(doorlooptijdDagen=5.0),
    beoordeeld(doorlooptijdDagen=-1),
    beoordeeld(doorlooptijdDagen=36_500),
    beoordeeld(doorlooptijdDagen=36_501),
    beoordeeld(uitkomst=None),
    beoordeeld(uitkomst="onbekende_uitkomst"),
    beoordeeld(terugkoppeling=None, eersteTerugkoppeling=None, termijn=None),
    teruggekoppeld(eersteTerugkoppeling="true"),
    teruggekoppeld(eersteTerugkoppeling=1),
    teruggekoppeld(uitkomst=None),
    ontvangen(uitbuitingsvormen=["seksueel", "arbeid", "crimineel"]),
    ontvangen(uitbuitingsvormen=["onbekend"]),
    ontvangen(uitbuitingsvormen=["arbeid", "onbekend"]),
    ontvangen(uitbuitingsvormen="arbeid"),
    ontvangen(uitbuitingsvormen=["arbeid"] * 11),
    ontvangen(sector=5),
    ontvangen(sector="Horeca"),
    ontvangen(maand="2026-1"),
    ontvangen(maand="2026-01\n"),
    ontvangen(maand=202601),
    {**TERMIJN_VOORBEELD, "termijn": "verwerking-" + "a" * 60},
    {**TERMIJN_VOORBEELD, "termijn": "a" * 65},
    {**TERMIJN_VOORBEELD, "termijn": "ab12cd34ef56"},
    {**TERMIJN_VOORBEELD, "type": "signaal_ontvangen"},
    {**TERMIJN_VOORBEELD, "melderDomein": None, "uitkomst": None, "doorlooptijdDagen": None},
]


@pytest.mark.parametrize("variant", range(len(_VARIANTEN) + len(_MEER_VARIANTEN)))
def test_the_batch_check_accepts_exactly_what_the_batch_model_accepts(variant: int) -> None:
    event = [*_VARIANTEN, *_MEER_VARIANTEN][variant]
    _vergelijk_batchcontrole(
        [ontvangen(), event, beoordeeld(uitbuitingsvormen=["seksueel", "crimineel"])], moet_snel=True
    )


@pytest.mark.parametrize(
    "body",
    [
        {"gebeurtenissen": []},
        {"gebeurtenissen": [ontvangen() for _ in range(MAX_BATCH + 1)]},
        {"gebeurtenissen": [ontvangen()], "bron": "intake"},
        {"gebeurtenissen": ontvangen()},
        {},
        [ontvangen()],
        "tekst",
        None,
    ],
)
def test_the_batch_check_refuses_what_the_batch_model_refuses(body: Any) -> None:
    _vergelijk_batchcontrole(body, moet_snel=False)
    assert batchcontrole(standaard_catalogus())(json.dumps(body).encode()) is None


def test_the_batch_check_leaves_what_it_cannot_read_to_the_model() -> None:
    controle = batchcontrole(standaard_catalogus())
    body = json.dumps({"gebeurtenissen": [ontvangen()]})
    assert controle(body.encode()) is not None
    assert controle(body.encode("utf-16")) is None  # Python's json reads it; the model then judges
    assert controle(b"{") is None
    # A JSON string holding a batch is a string, not a batch.
    assert controle(json.dumps(body).encode()) is None


def test_the_batch_check_takes_repeated_events_and_sorts_the_forms() -> None:
    data = ontvangen(uitbuitingsvormen=["seksueel", "arbeid"])
    snel = batchcontrole(standaard_catalogus())(json.dumps({"gebeurtenissen": [data, data]}).encode())
    assert snel is not None
    assert snel[0] == snel[1]
    assert snel[0]["uitbuitingsvormen"] == ["arbeid", "seksueel"]
    assert snel[0]["id"] == uuid.UUID(data["id"])


def test_the_batch_check_uses_the_catalogue_it_is_built_for() -> None:
    catalogus = standaard_catalogus(["GM0363=Amsterdam"])
    controle = batchcontrole(catalogus)
    _, batchmodel = gebeurtenismodellen(catalogus)
    assert controle(json.dumps({"gebeurtenissen": [ontvangen(gemeenteCode="GM0363")]}).encode()) is not None
    assert controle(json.dumps({"gebeurtenissen": [ontvangen(gemeenteCode="GM1509")]}).encode()) is None
    with pytest.raises(ValidationError):
        batchmodel.model_validate({"gebeurtenissen": [ontvangen(gemeenteCode="GM1509")]})
    assert batchcontrole(catalogus) is controle


_WAARDEN: dict[str, list[Any]] = {
    "type": [
        "signaal_ontvangen",
        "beoordeling_vastgelegd",
        "terugkoppeling_vastgelegd",
        "termijn_verstreken",
    ],
    "maand": ["2026-10", "2026-13", "26-10"],
    "gemeenteCode": ["GM1509", "GM9999", "gm1509"],
    "uitbuitingsvormen": [
        ["arbeid"],
        ["seksueel", "arbeid"],
        ["arbeid", "arbeid"],
        ["onbekend"],
        [],
        ["x y"],
    ],
    "sector": ["agrarisch", "onbekend", "horeca ", 3],
    "locatietype": ["boerenerf", "agrarisch"],
    "melderDomein": ["toezicht", "a1b2c3d4e5f6a7b8c9"],
    "leeftijdsklasse": ["23-29", "onbekend"],
    "geslacht": ["man", "vrouw"],
    "nationaliteitsgroep": ["eu-eer", "NL"],
    "uitkomst": ["opgeschaald", "in_behandeling", "weg"],
    "doorlooptijdDagen": [0, 6, 36_501, -1, 2.0, False],
    "terugkoppeling": ["opvang_geregeld", "opgepakt", "iets"],
    "eersteTerugkoppeling": [True, False, 0],
    "termijn": ["triage", "traject-afronding", "0f3a9c2b7d4e8f16a5b3", "Triage"],
    "extra": ["veld"],
}


@st.composite
def _events(draw: st.DrawFn) -> dict[str, Any]:
    event: dict[str, Any] = {"id": str(uuid.UUID(int=draw(st.integers(0, 2**128 - 1))))}
    for veld, waarden in _WAARDEN.items():
        keuze = draw(st.sampled_from(["weg", "null", *range(len(waarden))]))
        if keuze == "null":
            event[veld] = None
        elif keuze != "weg":
            event[veld] = waarden[int(keuze)]
    return event


@st.composite
def _bijna_geldig(draw: st.DrawFn) -> dict[str, Any]:
    """A valid event of any type with one to three fields changed, added or removed."""
    basis = draw(st.sampled_from([ontvangen(), beoordeeld(), teruggekoppeld(), dict(TERMIJN_VOORBEELD)])) | {
        "id": str(uuid.uuid4())
    }
    for _ in range(draw(st.integers(1, 3))):
        veld = draw(st.sampled_from(sorted(_WAARDEN)))
        keuze = draw(st.sampled_from(["weg", "null", *range(len(_WAARDEN[veld]))]))
        if keuze == "weg":
            basis.pop(veld, None)
        else:
            basis[veld] = None if keuze == "null" else _WAARDEN[veld][int(keuze)]
    return basis


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_events(), _bijna_geldig()), min_size=1, max_size=4))
def test_the_batch_check_agrees_with_the_model_on_any_event(events: list[dict[str, Any]]) -> None:
    _vergelijk_batchcontrole(events, moet_snel=True)
