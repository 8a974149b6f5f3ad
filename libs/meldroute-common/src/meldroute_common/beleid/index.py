"""Look-up structures built once per validated policy.

The decision engine must answer in microseconds, so everything that does not depend on the case is
computed here: membership boundaries as UTC instants, and per (partner, purpose, stage) the single
rule that decides, with its category sets, windows and the reasons for categories it withholds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Final
from zoneinfo import ZoneInfo

from meldroute_common.beleid.waarden import ALLE_CATEGORIEEN, Categorie, PartnerType, Vertrouwelijkheid

if TYPE_CHECKING:
    from meldroute_common.beleid.models import Beleid, Doel, Grondslag, Partner, Regel

__all__ = ["BELEIDSTIJDZONE", "BeleidsIndex", "GecompileerdeRegel", "MinderjarigenVariant", "PartnerInfo"]

BELEIDSTIJDZONE: Final = "Europe/Amsterdam"
"""Dates in the policy (membership, geldigVanaf) are calendar days in this zone."""


def begin_van_dag(dag: date, zone: ZoneInfo) -> datetime:
    """Midnight at the start of ``dag`` in ``zone``, as an aware UTC datetime."""
    return datetime.combine(dag, time(0), tzinfo=zone).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class PartnerInfo:
    """A partner with its membership as half-open UTC interval ``[begin, einde)``."""

    partner: Partner
    type: PartnerType
    begin: datetime
    einde: datetime | None


@dataclass(frozen=True, slots=True)
class MinderjarigenVariant:
    """What a rule grants when a minor is involved."""

    categorieen: frozenset[Categorie]
    achtergehouden: frozenset[Categorie]
    vier_ogen: frozenset[Categorie]
    venster: timedelta
    venster_dagen: int
    venster_strenger: bool


@dataclass(frozen=True, slots=True)
class GecompileerdeRegel:
    """A rule resolved for one purpose, ready for the engine."""

    regel: Regel
    id: str
    doel: str
    grondslag: Grondslag
    categorieen: frozenset[Categorie]
    niet_in_regel: frozenset[Categorie]
    vier_ogen: frozenset[Categorie]
    max_vertrouwelijkheid: Vertrouwelijkheid
    max_rang: int
    venster: timedelta
    venster_dagen: int
    vereist_toestemming: bool
    minderjarigen: MinderjarigenVariant | None


@dataclass(frozen=True, slots=True)
class BeleidsIndex:
    """Immutable look-ups over one validated :class:`~meldroute_common.beleid.models.Beleid`."""

    geldig_vanaf: datetime
    partners: Mapping[str, Partner]
    partner_info: Mapping[str, PartnerInfo]
    doelen: Mapping[str, Doel]
    # (partner id, purpose id) -> case stage -> the one rule that decides
    regels: Mapping[tuple[str, str], Mapping[str, GecompileerdeRegel]]

    @classmethod
    def bouw(cls, beleid: Beleid) -> BeleidsIndex:
        """Index a policy whose cross references have already been validated."""
        zone = ZoneInfo(BELEIDSTIJDZONE)
        partner_info = {
            p.id: PartnerInfo(
                partner=p,
                type=p.type,
                begin=begin_van_dag(p.lidmaatschap.van, zone),
                einde=None if p.lidmaatschap.tot is None else begin_van_dag(p.lidmaatschap.tot, zone),
            )
            for p in beleid.partners
        }
        doelen = {d.id: d for d in beleid.doelen}
        regels: dict[tuple[str, str], dict[str, GecompileerdeRegel]] = {}
        for regel in beleid.regels:
            for doel_id in regel.doelen:
                gecompileerd = _compileer(regel, doelen[doel_id])
                for partner in beleid.partners:
                    if regel.geldt_voor(partner):
                        per_fase = regels.setdefault((partner.id, doel_id), {})
                        for fase in regel.fasen:
                            per_fase[fase.value] = gecompileerd
        return cls(
            geldig_vanaf=begin_van_dag(beleid.geldig_vanaf, zone),
            partners=MappingProxyType({p.id: p for p in beleid.partners}),
            partner_info=MappingProxyType(partner_info),
            doelen=MappingProxyType(doelen),
            regels=MappingProxyType({k: MappingProxyType(v) for k, v in regels.items()}),
        )


def _compileer(regel: Regel, doel: Doel) -> GecompileerdeRegel:
    categorieen = frozenset(regel.categorieen)
    vier_ogen = frozenset(regel.vier_ogen)
    minderjarigen = None
    if regel.minderjarigen is not None:
        achtergehouden = frozenset(regel.minderjarigen.achterhouden)
        dagen = regel.minderjarigen.toegangsvenster_dagen
        venster_dagen = regel.toegangsvenster_dagen if dagen is None else dagen
        minderjarigen = MinderjarigenVariant(
            categorieen=categorieen - achtergehouden,
            achtergehouden=achtergehouden,
            vier_ogen=vier_ogen - achtergehouden,
            venster=timedelta(days=venster_dagen),
            venster_dagen=venster_dagen,
            venster_strenger=venster_dagen < regel.toegangsvenster_dagen,
        )
    return GecompileerdeRegel(
        regel=regel,
        id=regel.id,
        doel=doel.id,
        grondslag=doel.grondslag,
        categorieen=categorieen,
        niet_in_regel=ALLE_CATEGORIEEN - categorieen,
        vier_ogen=vier_ogen,
        max_vertrouwelijkheid=regel.max_vertrouwelijkheid,
        max_rang=regel.max_vertrouwelijkheid.rang,
        venster=timedelta(days=regel.toegangsvenster_dagen),
        venster_dagen=regel.toegangsvenster_dagen,
        vereist_toestemming=regel.vereist_toestemming,
        minderjarigen=minderjarigen,
    )
