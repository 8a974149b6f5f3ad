"""Fixtures for every test in the repository: one harness per service (see meldroute_dev.testing).

Tests that start real processes (services under uvicorn, node, Chromium, a CLI, a linter) carry the marker
`processes`; the few in-process tests that take tens of seconds carry `slow`. `make test-fast` runs the rest
(`-m "not processes and not slow"`); `make test` runs everything. A test gets the marker from a fixture that
starts processes (`PROCESS_FIXTURES`) or from `@pytest.mark.processes` on the test or module. An unmarked test
that starts a process anyway fails, so the fast selection stays honest.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import settings

if TYPE_CHECKING:
    from meldroute_dev.testing import ServiceHarness, TestDatabases

pytest_plugins = ["meldroute_dev.testing"]

ROOT = Path(__file__).parent

# Property tests check what is true, not how fast: on two busy cores a first example can take longer than
# Hypothesis's 200 ms deadline and fail a correct test.
settings.register_profile("meldroute", deadline=None)
settings.load_profile("meldroute")

#: Fixtures that start real processes: every test using one, directly or through another fixture, is marked.
PROCESS_FIXTURES = frozenset({
    "stack",  # meldroute_dev.testing: the three services
    "reporting_proces",  # services/reporting/tests/test_dashboard.py (with Chromium)
    "intake_en_reporting",  # services/reporting/tests/test_demo.py
    "journey_stack", "log_stack", "traject_stack",  # tests/e2e
    "start_provider",  # tests/idp: the OIDC provider under node
    "grote_intake", "gateway_proces",  # tests/security/test_intake_grenzen.py
    "reporting_met_jwks_bestand",  # tests/security/test_key_removal.py
    "opstelling",  # tests/soak
})  # fmt: skip


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if PROCESS_FIXTURES.intersection(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.processes)


class _UnmarkedProcess(AssertionError):
    pass


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Iterator[None]:
    with _no_processes_unless_marked(item):
        return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    with _no_processes_unless_marked(item):
        return (yield)


class _no_processes_unless_marked:
    """While an unmarked test sets up and runs, starting a process fails it with a message naming the marker."""

    def __init__(self, item: pytest.Item) -> None:
        self.active = item.get_closest_marker("processes") is None
        self.nodeid = item.nodeid

    def __enter__(self) -> None:
        if not self.active:
            return
        self.original = subprocess.Popen
        nodeid = self.nodeid

        class Guarded(self.original):  # type: ignore[misc, name-defined]
            def __init__(self, *args: object, **kwargs: object) -> None:
                raise _UnmarkedProcess(f"{nodeid} starts a process: mark it @pytest.mark.processes")

        subprocess.Popen = Guarded  # type: ignore[misc]

    def __exit__(self, *_: object) -> None:
        if self.active:
            subprocess.Popen = self.original  # type: ignore[misc]


def _harness(naam: str, test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    from meldroute_dev.services import DIENSTEN
    from meldroute_dev.testing import ServiceHarness

    dienst = next(d for d in DIENSTEN if d.naam == naam)
    return ServiceHarness(
        name=naam, service_dir=dienst.folder(ROOT), settings_cls=dienst.settings_class(),
        create_app=dienst.create_app, metadata=dienst.metadata(), databases=test_databases, local_dir=local_dir,
    )  # fmt: skip


@pytest.fixture(scope="session")
def intake_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    return _harness("intake-api", test_databases, local_dir)


@pytest.fixture(scope="session")
def gateway_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    return _harness("privacy-gateway", test_databases, local_dir)


@pytest.fixture(scope="session")
def reporting_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    return _harness("reporting", test_databases, local_dir)
