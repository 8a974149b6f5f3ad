"""The one base of every published model: snake_case attributes in code, lowerCamelCase names in JSON.

    class SignaalUit(Uitvoer):
        gemeente_code: str          # published as `gemeenteCode`

- `Schema`: the alias generator (`to_camel`) and serialisation by alias; the base of both below.
- `Invoer` (request bodies): anything unknown is refused (it could carry identifying data), and strict: `"false"`
  is not a boolean and `"3"` not a number. Only the camelCase names are accepted. Date fields opt out of
  strictness (`Field(strict=False)`, or the `Datum`/`Tijdstip` types) because JSON carries dates as strings.
- `Uitvoer` (response bodies): built in code by attribute name (`validate_by_name`), published by alias.

A model that needs more (examples, `extra="forbid"` on a response) adds its own `model_config`; pydantic merges
it with the base's.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["Invoer", "Schema", "Uitvoer"]


class Schema(BaseModel):
    """snake_case attributes, lowerCamelCase JSON names."""

    model_config = ConfigDict(alias_generator=to_camel, serialize_by_alias=True)


class Invoer(Schema):
    """A request body: lowerCamelCase fields only, nothing unknown, strict types."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Uitvoer(Schema):
    """A response body: built by attribute name, published in lowerCamelCase."""

    model_config = ConfigDict(validate_by_name=True)
