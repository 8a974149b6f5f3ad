"""Fixtures for every test in the repository: one harness per service (see meldroute_dev.testing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from meldroute_dev.testing import ServiceHarness, TestDatabases

pytest_plugins = ["meldroute_dev.testing"]

ROOT = Path(__file__).parent


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
