"""Response bodies of the statistics: every figure comes from the stored, protected publication."""

from __future__ import annotations

from typing import Literal

from meldroute_common.schemas import Uitvoer
from pydantic import ConfigDict, Field, JsonValue

from reporting.perioden import Periode

Reden = Literal["primair"]

_CEL_VOORBEELD: dict[str, JsonValue] = {
    "periode": "2026-K1",
    "waarden": {"gemeente": "GM1509", "uitbuitingsvorm": "arbeid"},
    "aantal": 12,
    "onderdrukt": False,
    "reden": None,
}
_BEREIK_VOORBEELD: dict[str, JsonValue] = {
    "periode": "kwartaal",
    "van": "2026-01",
    "tot": "2026-12",
    "drempel": 10,
}
_TOTAAL_VOORBEELD: dict[str, JsonValue] = {
    "periode": "2026-K1",
    "dimensie": "gemeente",
    "waarde": "GM1509",
    "aantal": 31,
    "onderdrukt": False,
}


class Cel(Uitvoer):
    """One cell: the counted events of one period with these dimension values."""

    model_config = ConfigDict(json_schema_extra={"examples": [_CEL_VOORBEELD]})

    periode: str = Field(description="The period: `2026-03` (maand), `2026-K1` (kwartaal) or `2026` (jaar).")
    waarden: dict[str, str] = Field(description="The code of each grouping dimension.")
    aantal: int | None = Field(
        description="The published count: 0 is exact; any other count is at least the threshold and perturbed "
        "by at most 4 (cell-key method, the same perturbation for the same cell in every table); null when "
        "suppressed."
    )
    onderdrukt: bool = Field(description="Whether the count is withheld.")
    reden: Reden | None = Field(description="`primair`: the count lies between 1 and the threshold.")


class Totaal(Uitvoer):
    """A total within one period: of the whole period (`dimensie` null) or of one value of a dimension."""

    model_config = ConfigDict(json_schema_extra={"examples": [_TOTAAL_VOORBEELD]})

    periode: str = Field(description="The period.")
    dimensie: str | None = Field(description="The dimension; null for the period's grand total.")
    waarde: str | None = Field(description="The dimension's code; null for the period's grand total.")
    aantal: int | None = Field(
        description="The line's count, published as a cell in its own right (perturbed like a cell, so not "
        "the sum of the published cells); null when it lies between 1 and the threshold."
    )
    onderdrukt: bool = Field(description="Whether the total is withheld.")


class Tabel(Uitvoer):
    """A protected count table. In a table of one dimension a cell that is not listed is 0 and a small count is
    listed as suppressed; in a table of two or three dimensions only counts of at least the threshold are
    listed, and a cell that is not listed is below the threshold (0 included)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "groeperenOp": ["gemeente", "uitbuitingsvorm"],
                    "cellen": [_CEL_VOORBEELD],
                    "totalen": [_TOTAAL_VOORBEELD],
                }
            ]
        }
    )

    groeperen_op: list[str] = Field(description="The grouping dimensions, in order.")
    cellen: list[Cel] = Field(description="The cells, by period and then by dimension values.")
    totalen: list[Totaal] = Field(description="The published totals of the table, per period.")


class _Bereik(Uitvoer):
    """What an answer covers: the kind of period, the months and the threshold (the head of each answer)."""

    periode: Periode = Field(description="The kind of period.")
    van: str = Field(description="First month counted (`JJJJ-MM`), widened to a whole period.")
    tot: str = Field(description="Last month counted (`JJJJ-MM`), widened to a whole period.")
    drempel: int = Field(description="Counts from 1 to this threshold are suppressed.")


class Signalen(_Bereik, Tabel):
    """Counts of signals (or, grouped by `uitkomst`, of triage decisions) per period and dimension values."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_BEREIK_VOORBEELD,
                    "geteld": "signalen",
                    "volledigOnderdrukt": False,
                    "gepubliceerdePerioden": ["2026-K1"],
                    "groeperenOp": ["gemeente", "uitbuitingsvorm"],
                    "cellen": [_CEL_VOORBEELD],
                    "totalen": [_TOTAAL_VOORBEELD],
                }
            ]
        }
    )

    geteld: Literal["signalen", "beoordelingen"] = Field(
        description="What a count counts: received signals, or triage decisions when grouped by `uitkomst`."
    )
    volledig_onderdrukt: bool = Field(
        description="True when the published periods of the range count fewer events than the minimum "
        "population: then no cell and no total is given."
    )
    gepubliceerde_perioden: list[str] = Field(
        description="The periods of the range that are published (closed and past the embargo); the others have "
        "no figures yet."
    )


class Aandeel(Uitvoer):
    """The share of one outcome among the period's final decisions; null unless both counts are shown."""

    periode: str = Field(description="The period.")
    uitkomst: str = Field(description="The outcome.")
    aandeel: float | None = Field(description="Between 0 and 1; null when a count behind it is suppressed.")
    onderdrukt: bool = Field(description="Whether the share is withheld.")


class Doorlooptijd(Uitvoer):
    """Days from signal to final decision in one period; only over at least `drempel` decisions."""

    periode: str = Field(description="The period.")
    mediaan_dagen: int | None = Field(description="Median (nearest rank); null when suppressed.")
    p90_dagen: int | None = Field(description="90th percentile (nearest rank); null when suppressed.")
    onderdrukt: bool = Field(description="True when the period has fewer decisions than the threshold.")


class TerugkoppelingAandeel(Uitvoer):
    """Outcomes of one code (or first outcomes of any kind) in a period over the escalations in that period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "periode": "2026-K1",
                    "gemeente": None,
                    "terugkoppeling": "opvang_geregeld",
                    "aandeel": 0.3125,
                    "onderdrukt": False,
                }
            ]
        }
    )

    periode: str = Field(description="The period.")
    gemeente: str | None = Field(description="The municipality; null for the whole region.")
    terugkoppeling: str | None = Field(
        description="The outcome code; null for a first outcome of any kind (cases with any feedback)."
    )
    aandeel: float | None = Field(
        description="The published count of these outcomes over the published count of escalations in the same "
        "period; outcomes may follow escalations of an earlier period, so it can exceed 1. Null when a count "
        "behind it is withheld or there were no escalations."
    )
    onderdrukt: bool = Field(description="Whether the share is withheld.")


class TerugkoppelingDoorlooptijd(Uitvoer):
    """Days from a case's escalation to its first outcome, over the first outcomes recorded in one period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "periode": "2026-K1",
                    "gemeente": None,
                    "mediaanDagen": 9,
                    "p90Dagen": 34,
                    "onderdrukt": False,
                }
            ]
        }
    )

    periode: str = Field(description="The period.")
    gemeente: str | None = Field(description="The municipality; null for the whole region.")
    mediaan_dagen: int | None = Field(description="Median (nearest rank); null when suppressed.")
    p90_dagen: int | None = Field(description="90th percentile (nearest rank); null when suppressed.")
    onderdrukt: bool = Field(
        description="True unless the published count of first outcomes behind it is at least the threshold plus "
        "the largest perturbation (4), so the figure always rests on at least the threshold."
    )


class Vergelijkingsregel(Uitvoer):
    """One indicator in this period against the previous one."""

    indicator: str = Field(description="Which indicator.")
    huidig: float | None = Field(description="This period's value; null when suppressed.")
    vorig: float | None = Field(description="The previous period's value; null when suppressed.")
    verschil: float | None = Field(description="`huidig - vorig`; null unless both are shown.")


class Vergelijking(Uitvoer):
    """The last period of the range against the one before it."""

    huidige_periode: str = Field(description="The last period of the range.")
    vorige_periode: str = Field(description="The period before it.")
    indicatoren: list[Vergelijkingsregel] = Field(description="The indicators.")


class Evaluatie(_Bereik):
    """The evaluation questions of the regional policy plan as figures, all under the same suppression."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_BEREIK_VOORBEELD,
                    "volledigOnderdrukt": False,
                    "gepubliceerdePerioden": ["2026-K1"],
                    "melderDomeinen": {"groeperenOp": ["melderDomein"], "cellen": [], "totalen": []},
                    "gemeenten": {"groeperenOp": ["gemeente"], "cellen": [], "totalen": []},
                    "vormenOverTijd": {"groeperenOp": ["uitbuitingsvorm"], "cellen": [], "totalen": []},
                    "uitkomsten": {"groeperenOp": ["uitkomst"], "cellen": [], "totalen": []},
                    "aandelen": [
                        {
                            "periode": "2026-K1",
                            "uitkomst": "opgeschaald",
                            "aandeel": 0.25,
                            "onderdrukt": False,
                        }
                    ],
                    "doorlooptijden": [
                        {"periode": "2026-K1", "mediaanDagen": 6, "p90Dagen": 21, "onderdrukt": False}
                    ],
                    "vormenPerGemeente": {
                        "groeperenOp": ["gemeente", "uitbuitingsvorm"],
                        "cellen": [],
                        "totalen": [],
                    },
                    "sectorenPerGemeente": {
                        "groeperenOp": ["gemeente", "sector"],
                        "cellen": [],
                        "totalen": [],
                    },
                    "terugkoppelingen": {
                        "groeperenOp": ["gemeente", "terugkoppeling"],
                        "cellen": [],
                        "totalen": [],
                    },
                    "eersteTerugkoppelingen": {"groeperenOp": ["gemeente"], "cellen": [], "totalen": []},
                    "verstrekenTermijnen": {
                        "groeperenOp": ["gemeente", "termijn"],
                        "cellen": [],
                        "totalen": [],
                    },
                    "terugkoppelingAandelen": [
                        {
                            "periode": "2026-K1",
                            "gemeente": None,
                            "terugkoppeling": "opvang_geregeld",
                            "aandeel": 0.3125,
                            "onderdrukt": False,
                        }
                    ],
                    "doorlooptijdenTerugkoppeling": [
                        {
                            "periode": "2026-K1",
                            "gemeente": None,
                            "mediaanDagen": 9,
                            "p90Dagen": 34,
                            "onderdrukt": False,
                        }
                    ],
                    "vergelijking": {
                        "huidigePeriode": "2026-K4",
                        "vorigePeriode": "2026-K3",
                        "indicatoren": [{"indicator": "signalen", "huidig": 40, "vorig": 32, "verschil": 8}],
                    },
                }
            ]
        }
    )

    volledig_onderdrukt: bool = Field(
        description="True when the published periods of the range count fewer signals than the minimum "
        "population: then every table is empty."
    )
    gepubliceerde_perioden: list[str] = Field(
        description="The periods of the range that are published (closed and past the embargo); the others have "
        "no figures yet."
    )
    melder_domeinen: Tabel = Field(description="Signals per reporting domain: who signals (awareness).")
    gemeenten: Tabel = Field(description="Signals per municipality.")
    vormen_over_tijd: Tabel = Field(
        description="Signals per form of exploitation (a signal counts per form)."
    )
    uitkomsten: Tabel = Field(description="Final triage decisions per outcome (no totals).")
    aandelen: list[Aandeel] = Field(
        description="Share escalated, closed and referred among final decisions: each published count over the "
        "sum of the three published counts, only when all three are shown."
    )
    doorlooptijden: list[Doorlooptijd] = Field(description="Days from signal to final decision.")
    vormen_per_gemeente: Tabel = Field(description="Forms of exploitation per municipality (intervision).")
    sectoren_per_gemeente: Tabel = Field(description="Sectors per municipality (intervision).")
    terugkoppelingen: Tabel = Field(
        description="Partners' outcomes per municipality and code (a code counts once per case), with the "
        "totals per municipality, per code and of the period (effectiveness)."
    )
    eerste_terugkoppelingen: Tabel = Field(
        description="Cases with their first outcome of any kind in the period, per municipality."
    )
    terugkoppeling_aandelen: list[TerugkoppelingAandeel] = Field(
        description="Per period, for the region and per municipality: outcomes of each code (and first "
        "outcomes of any kind) over the escalations of that period, only from published counts. For a "
        "municipality only the outcome counts the table shows have a share."
    )
    doorlooptijden_terugkoppeling: list[TerugkoppelingDoorlooptijd] = Field(
        description="Days from escalation to first outcome, for the region and per municipality."
    )
    verstreken_termijnen: Tabel = Field(
        description="Deadlines (intake's deadline policy: triage, advice, reflection period) that passed in the "
        "period, per municipality and kind, with the totals per municipality, per kind and of the period."
    )
    vergelijking: Vergelijking | None = Field(description="The last period against the one before it.")


class Gepubliceerd(Uitvoer):
    """One stored, protected cell as published: the count, or withheld."""

    aantal: int | None = Field(
        description="The published count (0 exact, otherwise at least the threshold and perturbed by at most 4); "
        "null when withheld."
    )
    onderdrukt: bool = Field(description="Whether the count is withheld.")


_INTERVISIE_VOORBEELD: dict[str, JsonValue] = {
    "periode": "2026-K1",
    "geteld": "signalen",
    "dimensie": "uitbuitingsvorm",
    "waarde": "arbeid",
    "gemeente": {"aantal": 12, "onderdrukt": False},
    "regio": {"aantal": 57, "onderdrukt": False},
}


class Intervisiecijfer(Uitvoer):
    """One figure of one period for the municipality next to the region, both stored cells of the publication."""

    model_config = ConfigDict(json_schema_extra={"examples": [_INTERVISIE_VOORBEELD]})

    periode: str = Field(description="The period.")
    geteld: Literal["signalen", "beoordelingen"] = Field(description="What the figure counts.")
    dimensie: str | None = Field(description="The dimension; null for all signals of the period.")
    waarde: str | None = Field(description="The dimension's code; null for all signals of the period.")
    gemeente: Gepubliceerd | None = Field(
        description="The municipality's cell: for a dimension the cell of the table by municipality and that "
        "dimension, which lists only counts of at least the threshold, so a cell it does not list is withheld "
        "(0 included); for all signals the cell of the table by municipality (not listed there is 0). Null when "
        "no municipality was asked for."
    )
    regio: Gepubliceerd = Field(
        description="The region's cell: the stored total of that value (or of the period), not a sum of "
        "municipalities."
    )


class Intervisie(_Bereik):
    """A municipality's published figures against the region's, from the same publication as the statistics."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    **_BEREIK_VOORBEELD,
                    "gemeenteCode": "GM1509",
                    "volledigOnderdrukt": False,
                    "gepubliceerdePerioden": ["2026-K1"],
                    "cijfers": [_INTERVISIE_VOORBEELD],
                }
            ]
        }
    )

    gemeente_code: str | None = Field(description="The municipality compared; null for the region alone.")
    volledig_onderdrukt: bool = Field(
        description="Whether everything is withheld because the published periods count fewer events than the "
        "minimum population."
    )
    gepubliceerde_perioden: list[str] = Field(
        description="The periods of the range that have figures; the others are not closed (or not yet "
        "published) and have none."
    )
    cijfers: list[Intervisiecijfer] = Field(
        description="Per period: all signals, then per value of each dimension that the region's table lists."
    )
