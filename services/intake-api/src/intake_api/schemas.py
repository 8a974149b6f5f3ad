"""Shared base of the API models: camelCase JSON, unknown fields refused."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Invoer(BaseModel):
    """A request body: lowerCamelCase fields, anything unknown is refused (it could carry identifying data).

    Strict: `"false"` is not a boolean and `"3"` not a number. Date fields opt out (`strict=False`) because JSON
    carries dates as strings.
    """

    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", serialize_by_alias=True, strict=True)


class Uitvoer(BaseModel):
    """A response body: lowerCamelCase fields."""

    model_config = ConfigDict(alias_generator=to_camel, serialize_by_alias=True, validate_by_name=True)
