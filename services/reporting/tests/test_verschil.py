"""Difference in time: recording a signal between two snapshots of everything published reveals nothing.

The current month is not published at all, and a published month never changes: a new signal in the current
month and a late event (a signal, or a partner's outcome) for a month already published leave every published
figure as it was, the evaluation's shares and lead times included.
"""

from __future__ import annotations

from datetime import UTC, datetime

from meldroute_common.devissuer import DevIssuer
from meldroute_dev.testing import ServiceHarness

from .aanvaller import genereer
from .conftest import gebeurtenis, invoeren, publiceer
from .test_aanval import _verzamel

#: "Now" for this test: December 2026 is the current month, November within its embargo.
NU = datetime(2026, 12, 3, tzinfo=UTC)
LATER = datetime(2026, 12, 20, tzinfo=UTC)  # November has closed (plus 14 days), December has not


async def test_one_new_signal_changes_no_published_figure(
    reporting_harness: ServiceHarness, issuer: DevIssuer
) -> None:
    events = genereer(signalen=400, maanden=[f"2026-{m:02d}" for m in range(1, 12)], zaad=9)
    async with reporting_harness.client(
        minimale_populatie=30, dashboard_open=True, rate_limit="100000/minute"
    ) as client:
        await invoeren(client, issuer, events)
        gepubliceerd = await publiceer(reporting_harness, nu=NU)
        assert "2026-10" in gepubliceerd and "2026-11" not in gepubliceerd and "2026-12" not in gepubliceerd
        voor, evaluaties_voor = await _verzamel(client, issuer)

        # A signal in the current month (with a rare combination) and a late event for a published month.
        nieuw = gebeurtenis(maand="2026-12", gemeenteCode="GM1955", sector="binnenvaart", locatietype="schip")
        laat = gebeurtenis(maand="2026-03", gemeenteCode="GM1955", sector="binnenvaart", locatietype="schip")
        # And a partner's late outcome (a first one, after a very long time) for a published month.
        laat_terug = gebeurtenis(
            maand="2026-03", gemeenteCode="GM1509", terugkoppeling="afgerond", doorlooptijdDagen=400
        )
        await invoeren(client, issuer, [nieuw, laat, laat_terug])
        assert await publiceer(reporting_harness, nu=NU) == []  # the daily task again: nothing to do
        na, evaluaties_na = await _verzamel(client, issuer)
        assert na.cijfers == voor.cijfers
        # The evaluation too, its shares and lead times included, is the same to the last figure.
        assert evaluaties_na == evaluaties_voor

        # Later the month within its embargo closes and is published; still nothing published changes, and the
        # current month stays unpublished.
        assert await publiceer(reporting_harness, nu=LATER) == ["2026-11"]
        later, _ = await _verzamel(client, issuer)
    assert voor.tegenstrijdig == na.tegenstrijdig == later.tegenstrijdig == []
    assert {s: a for s, a in later.cijfers.items() if s in voor.cijfers} == voor.cijfers
    nieuwe_perioden = {s[2] for s in later.cijfers if s not in voor.cijfers}
    assert nieuwe_perioden == {"2026-11"}
    assert not any(s[2] == "2026-12" or s[2] == "2026-K4" or s[2] == "2026" for s in later.cijfers)
