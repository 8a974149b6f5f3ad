"""Reading a covenant policy file, with errors that name the failing field.

    load_policy(Path("policies/riec-oost-nederland.yaml")) -> Beleid
    validate_policy(data, bron="...")                    -> Beleid   (already parsed data)

Both raise :class:`BeleidFout`; its message lists every problem as ``path: message``, e.g.
``regels[3].doelen[0]: onbekend doel 'x'``, and ``fouten`` holds them as (path, message) pairs.
A service must not start with a policy that fails here.
"""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from meldroute_common.beleid.models import (
    GEMEENTECODE_PATROON,
    KEBAB_PATROON,
    SEMVER_PATROON,
    SNAKE_PATROON,
    Beleid,
    BeleidsValidatieFout,
    Pad,
    pad_tekst,
)

__all__ = ["BeleidFout", "load_policy", "validate_policy"]


_PATROON_UITLEG = {
    SEMVER_PATROON: "een semantische versie, bijv. 1.0.0",
    KEBAB_PATROON: "kebab-case, bijv. politie-oost-nederland",
    SNAKE_PATROON: "snake_case, bijv. casusoverleg",
    GEMEENTECODE_PATROON: "een CBS-gemeentecode, bijv. GM1509",
}


class BeleidFout(Exception):
    """The policy cannot be read or is invalid. ``fouten`` lists (field path, message) pairs."""

    def __init__(self, bron: str, fouten: list[tuple[str, str]]) -> None:
        self.bron = bron
        self.fouten: tuple[tuple[str, str], ...] = tuple(fouten)
        regels = "; ".join(f"{pad}: {melding}" if pad else melding for pad, melding in self.fouten)
        super().__init__(f"ongeldig beleid {bron}: {regels}")


class _StrikteLader(yaml.SafeLoader):
    """Safe YAML loader that refuses duplicate keys (the last one would silently win otherwise)."""


def _mapping_zonder_dubbelen(loader: _StrikteLader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    gezien: set[Hashable] = set()
    for sleutel_node, _ in node.value:
        sleutel = loader.construct_object(sleutel_node, deep=True)
        if isinstance(sleutel, Hashable):
            if sleutel in gezien:
                raise yaml.constructor.ConstructorError(
                    "in een mapping", node.start_mark, f"dubbele sleutel {sleutel!r}", sleutel_node.start_mark
                )
            gezien.add(sleutel)
    return loader.construct_mapping(node, deep=True)


_StrikteLader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_zonder_dubbelen)


def load_policy(pad: Path) -> Beleid:
    """Read, parse and validate the policy file at ``pad``; raise :class:`BeleidFout` if it is not valid."""
    bron = pad.name
    try:
        tekst = pad.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as fout:
        raise BeleidFout(bron, [("", f"kan het bestand niet lezen ({type(fout).__name__})")]) from fout
    try:
        data = yaml.load(tekst, Loader=_StrikteLader)  # noqa: S506  # nosec B506 - a SafeLoader subclass
    except yaml.YAMLError as fout:
        raise BeleidFout(bron, [("", f"geen geldige YAML: {fout}")]) from fout
    return validate_policy(data, bron=bron)


def validate_policy(data: object, *, bron: str) -> Beleid:
    """Validate already parsed policy data; ``bron`` names it in error messages."""
    if not isinstance(data, dict):
        raise BeleidFout(bron, [("", "het beleid moet een mapping zijn")])
    try:
        return Beleid.model_validate(data)
    except ValidationError as fout:
        raise BeleidFout(bron, _fouten(fout)) from fout


def _fouten(fout: ValidationError) -> list[tuple[str, str]]:
    resultaat: list[tuple[str, str]] = []
    for detail in fout.errors(include_url=False):
        loc: Pad = tuple(detail["loc"])
        oorzaak = detail.get("ctx", {}).get("error")
        if isinstance(oorzaak, BeleidsValidatieFout):
            resultaat += [(pad_tekst(loc + sub), melding) for sub, melding in oorzaak.fouten]
        else:
            resultaat.append((pad_tekst(loc), _melding(detail)))
    return resultaat


def _melding(detail: ErrorDetails) -> str:
    soort, ctx, invoer = detail["type"], detail.get("ctx", {}), detail.get("input")
    if soort == "missing":
        return "verplicht veld ontbreekt"
    if soort == "extra_forbidden":
        return "onbekend veld"
    if soort == "enum":
        return f"onbekende waarde {invoer!r}; toegestaan: {ctx.get('expected')}"
    if soort == "string_pattern_mismatch":
        patroon = str(ctx.get("pattern"))
        return f"ongeldige waarde {invoer!r}; verwacht {_PATROON_UITLEG.get(patroon, patroon)}"
    if soort == "value_error" and "error" in ctx:
        return str(ctx["error"])
    return detail["msg"]
