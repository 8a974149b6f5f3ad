"""One row per measured figure: ours against its baseline, the ratio and the aim; printed and written as JSON."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


class AimKind(StrEnum):
    #: ours / baseline must be at least the limit (throughput).
    RATIO_MIN = "ratio_min"
    #: ours / baseline must be at most the limit (latency).
    RATIO_MAX = "ratio_max"
    #: ours itself must be at most the limit, in the row's unit.
    OURS_MAX = "ours_max"


@dataclass(frozen=True, slots=True)
class Aim:
    kind: AimKind
    limit: float

    def text(self, unit: str) -> str:
        match self.kind:
            case AimKind.RATIO_MIN:
                return f"ratio ≥ {self.limit:g}"
            case AimKind.RATIO_MAX:
                return f"ratio ≤ {self.limit:g}"
            case AimKind.OURS_MAX:
                return f"≤ {self.limit:g} {unit}"


@dataclass(frozen=True, slots=True)
class Row:
    """A figure of ours and of its baseline, measured in the same run on the same database."""

    name: str
    unit: str
    ours: float | None
    baseline: float | None
    baseline_label: str
    aim: Aim | None = None
    details: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        if self.ours is None or not self.baseline:
            return None
        return self.ours / self.baseline

    @property
    def met(self) -> bool | None:
        """Whether the aim is met; None when the row has no aim or no figures."""
        if self.aim is None or self.ours is None:
            return None
        if self.aim.kind is AimKind.OURS_MAX:
            return self.ours <= self.aim.limit
        ratio = self.ratio
        if ratio is None:
            return None
        return ratio >= self.aim.limit if self.aim.kind is AimKind.RATIO_MIN else ratio <= self.aim.limit

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "ours": self.ours,
            "baseline": self.baseline,
            "baselineLabel": self.baseline_label,
            "ratio": self.ratio,
            "aim": None if self.aim is None else {"kind": self.aim.kind.value, "limit": self.aim.limit},
            "aimText": None if self.aim is None else self.aim.text(self.unit),
            "met": self.met,
            "details": self.details,
            "error": self.error,
        }


def failed(name: str, error: BaseException) -> Row:
    """The row of a benchmark that could not finish: no figures, the error named."""
    return Row(
        name=name,
        unit="",
        ours=None,
        baseline=None,
        baseline_label="",
        error=f"{type(error).__name__}: {error}",
    )


def number(value: float | None, unit: str = "") -> str:
    if value is None or math.isnan(value):
        return "—"
    if value >= 100:
        text = f"{value:,.0f}"
    elif value >= 10:
        text = f"{value:.1f}"
    elif value >= 0.01:
        text = f"{value:.3f}"
    else:
        text = f"{value:.2g}"
    return f"{text} {unit}".rstrip()


def table(rows: list[Row], *, title: str) -> Table:
    """The one table of a run: name, ours, baseline, ratio, aim and whether it is met."""
    result = Table(title=title, title_justify="left")
    result.add_column("benchmark")
    result.add_column("ours", justify="right")
    result.add_column("baseline", justify="right")
    result.add_column("ratio", justify="right")
    result.add_column("aim")
    result.add_column("met", justify="center")
    for row in rows:
        if row.error is not None:
            result.add_row(row.name, "[red]failed[/red]", "—", "—", "—", "[red]error[/red]")
            continue
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "—"}[row.met]
        baseline = number(row.baseline, row.unit)
        if row.baseline_label:
            baseline = f"{baseline} ({row.baseline_label})"
        result.add_row(
            row.name,
            number(row.ours, row.unit),
            baseline,
            number(row.ratio),
            "—" if row.aim is None else row.aim.text(row.unit),
            met,
        )
    return result


def print_table(rows: list[Row], *, console: Console, title: str) -> None:
    console.print(table(rows, title=title))
    for row in rows:
        if row.error is not None:
            console.print(f"[red]{row.name}[/red]: {row.error}")
        for note in row.details.get("notes", []):
            console.print(f"[yellow]{row.name}[/yellow]: {note}")


def write_json(path: Path, *, rows: list[Row], meta: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**meta, "rows": [row.as_json() for row in rows]}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
