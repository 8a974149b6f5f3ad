"""The attacker of the audit: gathers everything published, then solves for every withheld count.

Also the generator of demo-like events the audit (and the figures in docs/statistiek.md) run on. The attacker
knows the method and its public parameters (threshold, largest perturbation), the catalogue, and everything
published; not the keys, which never leave the database.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import numpy as np
from reporting.perioden import jaar_van, kwartaal_van
from reporting.statistieken import celsleutel
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import block_diag, csr_matrix, vstack

GEMEENTEN = {"GM0197": 0.12, "GM1859": 0.10, "GM1876": 0.08, "GM0222": 0.22, "GM1955": 0.07, "GM1586": 0.09,
             "GM1509": 0.20, "GM0294": 0.12}  # fmt: skip
VORMEN = {"arbeid": 0.45, "seksueel": 0.3, "crimineel": 0.2, "orgaanverwijdering": 0.02, "onbekend": 0.03}
SECTOREN = {"agrarisch": 0.14, "tuinbouw": 0.08, "bouw": 0.08, "horeca": 0.1, "vleesverwerking": 0.07,
            "uitzendbranche": 0.06, "schoonmaak": 0.05, "prostitutie": 0.12, "schoonheidsverzorging": 0.04,
            "niet-van-toepassing": 0.16, "detailhandel": 0.04, "overig": 0.04, "onbekend": 0.02}  # fmt: skip
LOCATIES = {"woning": 0.35, "boerenerf": 0.1, "bedrijventerrein": 0.12, "restaurant": 0.07, "hotel": 0.06,
            "massagesalon": 0.05, "nagelsalon": 0.03, "online": 0.06, "openbare-ruimte": 0.06,
            "vakantiepark-camping": 0.05, "leegstaand-pand": 0.03, "onbekend": 0.02}  # fmt: skip
DOMEINEN = {"toezicht": 0.2, "balie": 0.12, "burgerzaken": 0.1, "wijkteam": 0.15, "sociaal-domein": 0.12,
            "vergunningen": 0.06, "boa": 0.1, "leerplicht": 0.07, "jeugd": 0.05, "schuldhulpverlening": 0.03}  # fmt: skip
LEEFTIJDEN = {"<18": 0.12, "18-22": 0.28, "23-29": 0.25, "30+": 0.25, "onbekend": 0.10}
GESLACHTEN = {"man": 0.35, "vrouw": 0.58, "anders": 0.02, "onbekend": 0.05}
NATIONALITEITEN = {"nl": 0.35, "eu-eer": 0.36, "buiten-eu-eer": 0.25, "onbekend": 0.04}
UITKOMSTEN = {"opgeschaald": 0.3, "afgesloten_geen_mensenhandel": 0.4, "doorverwezen_ander_domein": 0.2,
              "in_behandeling": 0.1}  # fmt: skip
TERUGKOPPELINGEN = {"opgepakt": 0.3, "geen_vervolg": 0.12, "aangifte_gedaan": 0.12, "opvang_geregeld": 0.12,
                    "bestuurlijke_maatregel": 0.08, "strafrechtelijk_onderzoek_gestart": 0.08, "afgerond": 0.18}  # fmt: skip

#: Event field of each grouping dimension.
VELD = {
    "gemeente": "gemeenteCode", "sector": "sector", "locatietype": "locatietype", "melderDomein": "melderDomein",
    "leeftijdsklasse": "leeftijdsklasse", "geslacht": "geslacht", "nationaliteitsgroep": "nationaliteitsgroep",
    "uitkomst": "uitkomst", "terugkoppeling": "terugkoppeling",
}  # fmt: skip


def _kies(rng: random.Random, gewichten: Mapping[str, float]) -> str:
    return rng.choices(list(gewichten), weights=list(gewichten.values()))[0]


def genereer(*, signalen: int, maanden: list[str], zaad: int = 2026) -> list[dict[str, Any]]:
    """Signals like the demo's (skewed over municipalities and categories) and decisions for about 80% of them."""
    rng = random.Random(zaad)
    uit: list[dict[str, Any]] = []
    for i in range(signalen):
        vormen = [_kies(rng, VORMEN)]
        if rng.random() < 0.12 and vormen != ["onbekend"]:
            vormen = sorted({*vormen, _kies(rng, {k: v for k, v in VORMEN.items() if k != "onbekend"})})
        kenmerken = {
            "maand": maanden[(i * 7 + rng.randrange(len(maanden))) % len(maanden)],
            "gemeenteCode": _kies(rng, GEMEENTEN), "uitbuitingsvormen": vormen, "sector": _kies(rng, SECTOREN),
            "locatietype": _kies(rng, LOCATIES), "melderDomein": _kies(rng, DOMEINEN),
            "leeftijdsklasse": _kies(rng, LEEFTIJDEN), "geslacht": _kies(rng, GESLACHTEN),
            "nationaliteitsgroep": _kies(rng, NATIONALITEITEN),
        }  # fmt: skip
        uit.append({"id": str(uuid.uuid4()), "type": "signaal_ontvangen", **kenmerken})
        if rng.random() < 0.8:
            uit.append(
                {"id": str(uuid.uuid4()), "type": "beoordeling_vastgelegd", **kenmerken,
                 "uitkomst": _kies(rng, UITKOMSTEN), "doorlooptijdDagen": rng.randint(0, 45)}
            )  # fmt: skip
    return uit + terugkoppelingen(uit, maanden=maanden, zaad=zaad)


def terugkoppelingen(events: list[dict[str, Any]], *, maanden: list[str], zaad: int) -> list[dict[str, Any]]:
    """Partners' outcomes on about three in four escalated cases: a first one in the month of the escalation or
    up to two later, sometimes one or two more codes after it; each code once per case, as intake sends them.

    Drawn from a generator of their own, so the signals and decisions of `genereer` stay as they were."""
    rng = random.Random(zaad + 1)
    uit: list[dict[str, Any]] = []
    for e in events:
        if e.get("uitkomst") != "opgeschaald" or rng.random() >= 0.75:
            continue
        kenmerken = {k: v for k, v in e.items() if k not in ("id", "type", "uitkomst", "doorlooptijdDagen")}
        codes = [_kies(rng, TERUGKOPPELINGEN)]
        while len(codes) < 3 and rng.random() < 0.4:
            code = _kies(rng, TERUGKOPPELINGEN)
            if code not in codes:
                codes.append(code)
        dagen = rng.randint(0, 40)
        index = maanden.index(e["maand"])
        for i, code in enumerate(codes):
            index = min(len(maanden) - 1, index + rng.choice((0, 0, 1, 2)))
            uit.append(
                {"id": str(uuid.uuid4()), "type": "terugkoppeling_vastgelegd", **kenmerken, "maand": maanden[index],
                 "terugkoppeling": code, "eersteTerugkoppeling": i == 0, "doorlooptijdDagen": dagen}
            )  # fmt: skip
            dagen += rng.randint(5, 60)
    return uit


def tellingen_van(event: Mapping[str, Any]) -> tuple[str, ...]:
    """What the stored tables count an event as."""
    if event["type"] == "signaal_ontvangen":
        return ("signalen",)
    if event["type"] == "beoordeling_vastgelegd":
        return ("beoordelingen",)
    return (
        ("terugkoppelingen", "eerste_terugkoppelingen")
        if event["eersteTerugkoppeling"]
        else ("terugkoppelingen",)
    )


# --- what is published ---------------------------------------------------------------------------------

#: A published figure: (what is counted, per form?, period, ((dimension, code), …) sorted by dimension).
Sleutel = tuple[str, bool, str, tuple[tuple[str, str], ...]]


@dataclass
class Gepubliceerd:
    """Every figure the attacker has seen; the same figure seen twice must be the same number."""

    cijfers: dict[Sleutel, int | None] = field(default_factory=dict)
    tegenstrijdig: list[tuple[Sleutel, int | None, int | None]] = field(default_factory=list)
    gelezen: int = 0

    def zie(self, sleutel: Sleutel, aantal: int | None) -> None:
        self.gelezen += 1
        if sleutel in self.cijfers and self.cijfers[sleutel] != aantal:
            self.tegenstrijdig.append((sleutel, self.cijfers[sleutel], aantal))
        self.cijfers.setdefault(sleutel, aantal)

    def tabel(self, tabel: Mapping[str, Any], *, telling: str, per_vorm: bool) -> None:
        for cel in tabel["cellen"]:
            self.zie(
                (telling, per_vorm, cel["periode"], tuple(sorted(cel["waarden"].items()))), cel["aantal"]
            )
        for totaal in tabel["totalen"]:
            waarden = () if totaal["dimensie"] is None else ((totaal["dimensie"], totaal["waarde"]),)
            self.zie((telling, per_vorm, totaal["periode"], waarden), totaal["aantal"])


def perioden_van(maand: str) -> tuple[str, str, str]:
    return maand, kwartaal_van(maand), jaar_van(maand)


def waarheid(events: Iterable[dict[str, Any]], sleutels: Iterable[Sleutel]) -> dict[Sleutel, int]:
    """The true count behind each published figure, from the events themselves."""
    gevraagd = defaultdict(set)
    for telling, per_vorm, _, waarden in sleutels:
        gevraagd[(telling, per_vorm)].add(tuple(d for d, _ in waarden))
    uit: dict[Sleutel, int] = defaultdict(int)
    for e in events:
        for telling in tellingen_van(e):
            for per_vorm in (False, True):
                for dims in gevraagd.get((telling, per_vorm), ()):
                    for vorm in e["uitbuitingsvormen"] if per_vorm else [None]:
                        waarden = tuple((d, vorm if d == "uitbuitingsvorm" else e[VELD[d]]) for d in dims)
                        for periode in perioden_van(e["maand"]):
                            uit[(telling, per_vorm, periode, waarden)] += 1
    return uit


# --- the attack ----------------------------------------------------------------------------------------


def grenzen(aantal: int | None, drempel: int) -> tuple[int, int]:
    """What a published figure tells of its true count, from the public method."""
    return celsleutel.grenzen(gepubliceerd=aantal, drempel=drempel)


@dataclass
class Uitkomst:
    """What the attacker reached for the withheld figures it attacked."""

    aangevallen: int = 0
    exact: list[Sleutel] = field(default_factory=list)
    smal: list[tuple[Sleutel, int, int, int]] = field(default_factory=list)  # key, low, high, truth
    breedtes: list[int] = field(default_factory=list)
    schattingsfouten: list[int] = field(default_factory=list)


def aftrekken(gepubliceerd: Gepubliceerd, drempel: int, waar: Mapping[Sleutel, int]) -> Uitkomst:
    """Exact subtraction: a withheld figure as its parent minus its shown siblings, for every parent.

    A parent is the same cell without one of its dimensions (a margin) or the same cell in the enclosing
    quarter or year. The attacker is certain of a value only when the interval it gets is a single number.
    """
    kinderen: dict[Sleutel, list[Sleutel]] = defaultdict(list)
    for sleutel in gepubliceerd.cijfers:
        telling, per_vorm, periode, waarden = sleutel
        for i in range(len(waarden)):
            kinderen[(telling, per_vorm, periode, waarden[:i] + waarden[i + 1 :])].append(sleutel)
        if len(periode) == 7 and "K" not in periode:
            kinderen[(telling, per_vorm, kwartaal_van(periode), waarden)].append(sleutel)
        elif "K" in periode:
            kinderen[(telling, per_vorm, periode[:4], waarden)].append(sleutel)
    uit = Uitkomst()
    for ouder, groep in kinderen.items():
        if ouder not in gepubliceerd.cijfers or gepubliceerd.cijfers[ouder] is None:
            continue
        # Group siblings by the dimension (or period) they split the parent on.
        per_splitsing: dict[Any, list[Sleutel]] = defaultdict(list)
        for kind in groep:
            gesplitst = tuple(sorted(set(kind[3]) - set(ouder[3]))) if kind[3] != ouder[3] else ()
            per_splitsing[(tuple(d for d, _ in gesplitst), kind[2] if not gesplitst else None)].append(kind)
        for splitsing, broers in per_splitsing.items():
            if splitsing[1] is not None:  # nested periods: all sub-periods together
                broers = [b for s, bs in per_splitsing.items() if s[1] is not None for b in bs]
            verborgen = [b for b in broers if gepubliceerd.cijfers[b] is None]
            if len(verborgen) != 1:
                continue
            doel = verborgen[0]
            laag, hoog = grenzen(gepubliceerd.cijfers[ouder], drempel)
            for b in broers:
                if b != doel:
                    bl, bh = grenzen(gepubliceerd.cijfers[b], drempel)
                    laag, hoog = laag - bh, hoog - bl
            laag, hoog = max(laag, 1), min(hoog, grenzen(None, drempel)[1])
            uit.aangevallen += 1
            uit.breedtes.append(hoog - laag)
            schatting = (laag + hoog) // 2
            uit.schattingsfouten.append(abs(schatting - waar[doel]))
            if laag >= hoog:
                uit.exact.append(doel)
    return uit


def programma(
    gepubliceerd: Gepubliceerd,
    *,
    telling: str,
    per_vorm: bool,
    dims: tuple[str, ...],
    drempel: int,
    waar: Mapping[Sleutel, int],
    doelen: int | None,
    rng: random.Random,
    tabellen: set[tuple[str, ...]],
) -> Uitkomst:
    """The linear (and, where that leaves fewer than five values, integer) program over one cube.

    Unknowns: the cube's month cells, one for every combination of codes the attacker has seen, except where a
    one-way month table shows a code as 0. Every figure of every published table of the cube's dimensions (the
    cube, its margins, the two-way tables counted the same way; every month, quarter and the year) is a sum of
    unknowns and lies in the interval the publication allows: a listed count within its perturbation, a
    suppressed one in 1..k-1, a cell a multi-way table does not list in 0..k-1, one a one-way table does not
    list 0. For each withheld figure with a true count 1..k-1 the attacker minimises and maximises it.
    """
    stelsel = _stelsel(
        gepubliceerd, telling=telling, per_vorm=per_vorm, dims=dims, drempel=drempel, tabellen=tabellen
    )
    return _los_op(stelsel, doelwitten=_doelwitten(stelsel.rij_van, waar, drempel, doelen, rng), waar=waar)


def programma_terugkoppelingen(
    gepubliceerd: Gepubliceerd,
    *,
    drempel: int,
    waar: Mapping[Sleutel, int],
    doelen: int | None,
    rng: random.Random,
    tabellen_per: Mapping[tuple[str, bool], set[tuple[str, ...]]],
) -> Uitkomst:
    """Outcomes (municipality x code) and first outcomes (municipality) in one program, linked by what the
    attacker knows of them: every first outcome is an outcome, so in each month a municipality's first outcomes
    are at most the sum of its outcomes over the codes."""
    uitkomsten = _stelsel(
        gepubliceerd, telling="terugkoppelingen", per_vorm=False, dims=("gemeente", "terugkoppeling"),
        drempel=drempel, tabellen=tabellen_per[("terugkoppelingen", False)],
    )  # fmt: skip
    eersten = _stelsel(
        gepubliceerd, telling="eerste_terugkoppelingen", per_vorm=False, dims=("gemeente",), drempel=drempel,
        tabellen=tabellen_per[("eerste_terugkoppelingen", False)],
    )  # fmt: skip
    n = len(uitkomsten.onbekenden)
    rijen, kolommen, waarden = [], [], []
    for r, (maand, combinatie) in enumerate(eersten.onbekenden):
        rijen.append(r)
        kolommen.append(n + r)
        waarden.append(1.0)
        for k, (m, codes) in enumerate(uitkomsten.onbekenden):
            if m == maand and combinatie[0] in codes:
                rijen.append(r)
                kolommen.append(k)
                waarden.append(-1.0)
    koppeling = csr_matrix(
        (waarden, (rijen, kolommen)), shape=(len(eersten.onbekenden), n + len(eersten.onbekenden))
    )
    A = vstack([block_diag([uitkomsten.A, eersten.A]), koppeling]).tocsr()
    samen = Stelsel(
        onbekenden=[*uitkomsten.onbekenden, *eersten.onbekenden],
        rij_van={**uitkomsten.rij_van, **{f: r + uitkomsten.A.shape[0] for f, r in eersten.rij_van.items()}},
        A=A,
        laag=np.concatenate([uitkomsten.laag, eersten.laag, np.full(koppeling.shape[0], -_GROOT)]),
        hoog=np.concatenate([uitkomsten.hoog, eersten.hoog, np.zeros(koppeling.shape[0])]),
    )
    return _los_op(samen, doelwitten=_doelwitten(samen.rij_van, waar, drempel, doelen, rng), waar=waar)


#: A bound that never binds, for the linking inequalities (an infinite one is not accepted everywhere).
_GROOT = 1e9


@dataclass
class Stelsel:
    """A system of published figures over unknown month cells: `laag <= A x <= hoog`, `x >= 0`."""

    onbekenden: list[tuple[str, tuple[tuple[str, str], ...]]]
    rij_van: dict[Sleutel, int]
    A: Any
    laag: Any
    hoog: Any


def _stelsel(
    gepubliceerd: Gepubliceerd,
    *,
    telling: str,
    per_vorm: bool,
    dims: tuple[str, ...],
    drempel: int,
    tabellen: set[tuple[str, ...]],
) -> Stelsel:
    perioden = sorted({s[2] for s in gepubliceerd.cijfers})
    maanden = [p for p in perioden if len(p) == 7 and "K" not in p]
    eigen = {s: a for s, a in gepubliceerd.cijfers.items() if s[0] == telling and s[1] == per_vorm}
    codes = {d: sorted({w for s in eigen for dd, w in s[3] if dd == d}) for d in dims}
    # (month, (dimension, code)) that a one-way month table shows as 0 (does not list).
    nul: set[tuple[str, tuple[str, str]]] = set()
    for m in maanden:
        for d in dims:
            for w in codes[d]:
                if (telling, per_vorm, m, ((d, w),)) not in eigen:
                    nul.add((m, (d, w)))
    onbekenden: list[tuple[str, tuple[tuple[str, str], ...]]] = []
    for m in maanden:
        for combinatie in _product([[(d, w) for w in codes[d]] for d in dims]):
            if not any((m, paar) in nul for paar in combinatie):
                onbekenden.append((m, tuple(sorted(combinatie))))
    groeperingen = [
        sub for n in range(len(dims) + 1) for sub in combinations(sorted(dims), n) if sub in tabellen
    ]
    rij_van: dict[Sleutel, int] = {}
    rijen, kolommen = [], []
    for k, (m, combinatie) in enumerate(onbekenden):
        for sub in groeperingen:
            waarden = tuple(p for p in combinatie if p[0] in sub)
            for periode in (m, kwartaal_van(m), jaar_van(m)):
                f = (telling, per_vorm, periode, waarden)
                r = rij_van.setdefault(f, len(rij_van))
                rijen.append(r)
                kolommen.append(k)
    laag, hoog = np.zeros(len(rij_van)), np.zeros(len(rij_van))
    for f, r in rij_van.items():
        if f in eigen:
            laag[r], hoog[r] = grenzen(eigen[f], drempel)
        elif len(f[3]) >= 2:
            laag[r], hoog[r] = 0, grenzen(None, drempel)[1]
        else:
            laag[r], hoog[r] = 0, 0
    A = csr_matrix((np.ones(len(rijen)), (rijen, kolommen)), shape=(len(rij_van), len(onbekenden)))
    return Stelsel(onbekenden=onbekenden, rij_van=rij_van, A=A, laag=laag, hoog=hoog)


def _doelwitten(
    rij_van: Mapping[Sleutel, int],
    waar: Mapping[Sleutel, int],
    drempel: int,
    doelen: int | None,
    rng: random.Random,
) -> list[Sleutel]:
    """The withheld figures to attack: those with a true count 1..k-1, all of them or a sample of `doelen`."""
    doelwitten = sorted(f for f in rij_van if 1 <= waar.get(f, 0) < drempel)
    if doelen is not None and len(doelwitten) > doelen:
        # Every withheld figure of one dimension or fewer first (margins), then a sample of the rest.
        randen = [f for f in doelwitten if len(f[3]) <= 1]
        rest = [f for f in doelwitten if len(f[3]) > 1]
        gekozen = rng.sample(randen, k=min(len(randen), doelen // 2))
        doelwitten = gekozen + rng.sample(rest, k=min(len(rest), doelen - len(gekozen)))
    return doelwitten


def _los_op(stelsel: Stelsel, *, doelwitten: list[Sleutel], waar: Mapping[Sleutel, int]) -> Uitkomst:
    """Minimise and maximise each target over the system: by LP, and by integer program where the LP is narrow."""
    A, laag, hoog = stelsel.A, stelsel.laag, stelsel.hoog
    uit = Uitkomst()
    beperking = LinearConstraint(A, laag, hoog)
    ongelijk = vstack([A, -A]).tocsr()
    rechts = np.concatenate([hoog, -laag])
    for doel in doelwitten:
        c = np.asarray(A[stelsel.rij_van[doel]].todense()).ravel()
        waarden = []
        for teken in (1, -1):
            r = linprog(teken * c, A_ub=ongelijk, b_ub=rechts, bounds=(0, None), method="highs")
            assert r.status == 0, r.message
            waarden.append(teken * r.fun)
        lo, hi = int(np.ceil(waarden[0] - 1e-6)), int(np.floor(waarden[1] + 1e-6))
        if hi - lo < 4:
            # Narrow by the LP: the integer program decides (integers can only be narrower).
            ints = []
            for teken in (1, -1):
                r = milp(teken * c, constraints=beperking, integrality=np.ones(len(stelsel.onbekenden)),
                         bounds=Bounds(0, np.inf), options={"time_limit": 30})  # fmt: skip
                assert r.status == 0, r.message
                ints.append(round(teken * r.fun))
            lo, hi = ints
        uit.aangevallen += 1
        uit.breedtes.append(hi - lo)
        uit.schattingsfouten.append(abs((lo + hi) // 2 - waar[doel]))
        if lo >= hi:
            uit.exact.append(doel)
        if hi - lo < 4:
            uit.smal.append((doel, lo, hi, waar[doel]))
    return uit


def _product(lijsten: list[list[tuple[str, str]]]) -> Iterable[tuple[tuple[str, str], ...]]:
    return product(*lijsten)
