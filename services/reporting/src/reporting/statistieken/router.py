"""Anonymous statistics with disclosure control."""

from __future__ import annotations

from fastapi import APIRouter, Request
from meldroute_common.auth import StatistiekenLezen
from pydantic import BaseModel, Field

router = APIRouter(tags=["statistieken"])

DIMENSIES = (
    "gemeente", "uitbuitingsvorm", "sector", "locatietype", "melderDomein", "leeftijdsklasse", "geslacht",
    "nationaliteitsgroep", "uitkomst",
)  # fmt: skip
PERIODES = ("maand", "kwartaal", "jaar")


class Dimensies(BaseModel):
    dimensies: list[str] = Field(description="Waarop gegroepeerd kan worden.")
    periodes: list[str] = Field(description="De vaste periodegrenzen.")
    drempel: int = Field(description="Aantallen van 1 tot deze drempel worden onderdrukt.")


@router.get("/statistieken/dimensies", operation_id="dimensiesOphalen", summary="Beschikbare dimensies")
async def dimensies_ophalen(request: Request, claims: StatistiekenLezen) -> Dimensies:
    """Welke dimensies en periodes de statistieken kennen, en de onderdrukkingsdrempel."""
    return Dimensies(
        dimensies=list(DIMENSIES), periodes=list(PERIODES), drempel=request.app.state.settings.drempel
    )
