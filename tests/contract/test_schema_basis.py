"""One schema base: every pydantic model of the services and the shared library derives from
`meldroute_common.schemas.Schema`, apart from the two kinds docs/conventions.md names."""

from __future__ import annotations

import importlib
import pkgutil

from meldroute_common.problems import ProblemDetails
from meldroute_common.schemas import Schema
from pydantic import BaseModel
from pydantic_settings import BaseSettings

PAKKETTEN = ("meldroute_common", "intake_api", "privacy_gateway", "reporting")
#: Problem details (names fixed by RFC 9457, and each service's extensions of them) and the policy files (the
#: keys of their YAML: the covenant policy and intake's deadline policy).
EIGEN_BASIS = ("meldroute_common.problems", "meldroute_common.beleid", "intake_api.termijnen.beleid")


def _modellen() -> dict[str, type[BaseModel]]:
    gevonden: dict[str, type[BaseModel]] = {}
    for pakket in PAKKETTEN:
        module = importlib.import_module(pakket)
        for info in pkgutil.walk_packages(module.__path__, f"{pakket}."):
            importlib.import_module(info.name)
    stapel: list[type[BaseModel]] = [BaseModel]
    while stapel:
        for sub in stapel.pop().__subclasses__():
            stapel.append(sub)
            if sub.__module__.startswith(PAKKETTEN) and not issubclass(sub, BaseSettings):
                gevonden[f"{sub.__module__}.{sub.__qualname__}"] = sub
    return gevonden


def test_every_model_derives_from_the_one_base() -> None:
    modellen = _modellen()
    # The walk reaches each service (it would pass on an empty list otherwise).
    for naam in (
        "reporting.statistieken.schemas.Tabel",
        "privacy_gateway.identiteit.schemas.Identiteit",
        "intake_api.signalen.schemas.SignaalInvoer",
        "meldroute_common.gebeurtenissen.Gebeurtenis",
    ):
        assert naam in modellen, naam
    afwijkend = sorted(
        naam
        for naam, model in modellen.items()
        if not issubclass(model, Schema | ProblemDetails) and not model.__module__.startswith(EIGEN_BASIS)
    )
    assert afwijkend == []
