"""The declarative base of intake_api's tables (one metadata with the shared naming convention).

Every column that holds a sealed blob, a pseudonym or free text a person typed is marked with
`gevoelig(...)` in its `info`. That mark is the one list of such columns: the tests check that each
has PostgreSQL statistics switched off (`SET STATISTICS 0`, so ANALYZE never copies its values into
`pg_statistic`) and the canary scan knows which columns may hold sealed bytes.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from meldroute_common.db import Base as CommonBase
from meldroute_common.db import new_metadata

__all__ = ["Base", "Gevoeligheid", "gevoelig", "gevoelige_kolommen"]

_INFO_SLEUTEL = "gevoeligheid"


class Gevoeligheid(StrEnum):
    VERZEGELD = "verzegeld"
    PSEUDONIEM = "pseudoniem"
    VRIJE_TEKST = "vrije_tekst"


def gevoelig(soort: Gevoeligheid) -> dict[str, Any]:
    """The column `info` that marks a sealed, pseudonym or free-text column."""
    return {_INFO_SLEUTEL: soort}


def gevoelige_kolommen(metadata: sa.MetaData) -> list[tuple[sa.Column[Any], Gevoeligheid]]:
    """Every marked column of the metadata, in table order."""
    return [
        (kolom, Gevoeligheid(kolom.info[_INFO_SLEUTEL]))
        for tabel in metadata.sorted_tables
        for kolom in tabel.columns
        if _INFO_SLEUTEL in kolom.info
    ]


class Base(CommonBase):
    __abstract__ = True
    metadata = new_metadata()
