"""Shared bases of the gateway's API models: snake_case attributes, camelCase JSON, unknown fields refused.

The same convention as the other services: attributes are written in snake_case in code and published
in lowerCamelCase (the alias generator), in the OpenAPI document and in every body.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

__all__ = ["Invoer", "Uitvoer"]


class Invoer(BaseModel):
    """A request body: read only by its camelCase names; anything unknown is refused."""

    model_config = ConfigDict(alias_generator=to_camel, extra="forbid", serialize_by_alias=True)


class Uitvoer(BaseModel):
    """A response body: built by attribute name in code, written by its camelCase names."""

    model_config = ConfigDict(
        alias_generator=to_camel, extra="forbid", serialize_by_alias=True, validate_by_name=True
    )
