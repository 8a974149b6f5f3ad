"""The deadline policy: which deadlines run when, and how long they are (a YAML file, checked at start-up).

    load_termijnbeleid(Path("termijnen.yaml")) -> Termijnbeleid    # TermijnbeleidFout naming each bad field

The keys are those of the YAML file (snake_case), as in the covenant policy; `termijnen.yaml` next to this
module is the default.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from meldroute_common.catalogus import standaard_catalogus
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from intake_api.config import STANDAARD_TERMIJNEN
from intake_api.models import STATUSSEN
from intake_api.termijnen.rekenen import Eenheid

__all__ = [
    "STANDAARD_TERMIJNEN",
    "Termijnbeleid",
    "TermijnbeleidFout",
    "Termijnregel",
    "actief_termijnbeleid",
    "activate_termijnbeleid",
    "load_termijnbeleid",
]

_SOORT = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


class TermijnbeleidFout(Exception):
    """The deadline policy cannot be read or is invalid; the message names every failing field."""


class Termijnregel(BaseModel):
    """One kind of deadline."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    soort: str = Field(min_length=1, max_length=32, pattern=_SOORT.pattern)
    omschrijving: str = Field(default="", max_length=200)
    statussen: list[str] | None = None
    na_terugkoppeling: str | None = None
    aantal: int = Field(ge=1, le=366)
    eenheid: Eenheid

    @model_validator(mode="after")
    def _een_aanleiding(self) -> Termijnregel:
        if (self.statussen is None) == (self.na_terugkoppeling is None):
            raise ValueError("geef statussen of na_terugkoppeling, precies één van beide")
        for status in self.statussen or ():
            if status not in STATUSSEN:
                raise ValueError(f"onbekende status {status!r}")
        if self.statussen is not None and not self.statussen:
            raise ValueError("statussen is leeg")
        terugkoppelingen = standaard_catalogus().codes("terugkoppelingen")
        if self.na_terugkoppeling is not None and self.na_terugkoppeling not in terugkoppelingen:
            raise ValueError(f"onbekende terugkoppeling {self.na_terugkoppeling!r}")
        return self


class Termijnbeleid(BaseModel):
    """Every kind of deadline; each kind once."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    versie: int = Field(ge=1)
    termijnen: list[Termijnregel] = Field(min_length=1)

    @model_validator(mode="after")
    def _soorten_uniek(self) -> Termijnbeleid:
        soorten = [r.soort for r in self.termijnen]
        if len(set(soorten)) != len(soorten):
            raise ValueError("een soort staat er twee keer in")
        return self

    def bij_status(self) -> tuple[Termijnregel, ...]:
        return tuple(r for r in self.termijnen if r.statussen is not None)

    def na_terugkoppeling(self, terugkoppeling: str) -> tuple[Termijnregel, ...]:
        return tuple(r for r in self.termijnen if r.na_terugkoppeling == terugkoppeling)


def _pad(locatie: tuple[int | str, ...]) -> str:
    tekst = ""
    for deel in locatie:
        tekst += f"[{deel}]" if isinstance(deel, int) else (f".{deel}" if tekst else str(deel))
    return tekst


def validate_termijnbeleid(data: Any, *, bron: str) -> Termijnbeleid:
    try:
        return Termijnbeleid.model_validate(data)
    except ValidationError as fout:
        regels = "; ".join(
            f"{_pad(e['loc'])}: {e['msg']}" if e["loc"] else e["msg"] for e in fout.errors(include_url=False)
        )
        raise TermijnbeleidFout(f"ongeldig termijnbeleid {bron}: {regels}") from None


@cache
def load_termijnbeleid(pad: Path = STANDAARD_TERMIJNEN) -> Termijnbeleid:
    """The policy in `pad`; TermijnbeleidFout when it cannot be read or is invalid (the service must not start)."""
    try:
        data = yaml.safe_load(pad.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as fout:
        raise TermijnbeleidFout(f"termijnbeleid {pad} niet te lezen: {fout}") from None
    return validate_termijnbeleid(data, bron=str(pad))


_actief: list[Termijnbeleid] = []


def activate_termijnbeleid(beleid: Termijnbeleid) -> None:
    """Make `beleid` the process's deadline policy (the app does this at start-up with INTAKE_TERMIJNEN_FILE), so
    the status hooks deep in the services use it without every caller passing it along."""
    _actief[:] = [beleid]


def actief_termijnbeleid() -> Termijnbeleid:
    """The policy the app activated; the shipped default before any app started (maintenance scripts, imports)."""
    return _actief[0] if _actief else load_termijnbeleid()
