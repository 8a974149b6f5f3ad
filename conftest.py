"""Fixtures for every test in the repository: one harness per service (see meldroute_common.testing)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from meldroute_common.testing import ServiceHarness, TestDatabases

pytest_plugins = ["meldroute_common.testing"]

ROOT = Path(__file__).parent


@pytest.fixture(scope="session")
def intake_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    from intake_api.config import IntakeSettings
    from intake_api.main import create_app
    from intake_api.models import Base
    from meldroute_common.testing import ServiceHarness

    return ServiceHarness(
        name="intake-api", service_dir=ROOT / "services" / "intake-api", settings_cls=IntakeSettings,
        create_app=create_app, metadata=Base.metadata, databases=test_databases, local_dir=local_dir,
    )  # fmt: skip


@pytest.fixture(scope="session")
def gateway_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    from meldroute_common.testing import ServiceHarness
    from privacy_gateway.config import GatewaySettings
    from privacy_gateway.main import create_app
    from privacy_gateway.models import Base

    return ServiceHarness(
        name="privacy-gateway", service_dir=ROOT / "services" / "privacy-gateway", settings_cls=GatewaySettings,
        create_app=create_app, metadata=Base.metadata, databases=test_databases, local_dir=local_dir,
    )  # fmt: skip


@pytest.fixture(scope="session")
def reporting_harness(test_databases: TestDatabases, local_dir: Path) -> ServiceHarness:
    from meldroute_common.testing import ServiceHarness
    from reporting.config import ReportingSettings
    from reporting.main import create_app
    from reporting.models import Base

    return ServiceHarness(
        name="reporting", service_dir=ROOT / "services" / "reporting", settings_cls=ReportingSettings,
        create_app=create_app, metadata=Base.metadata, databases=test_databases, local_dir=local_dir,
    )  # fmt: skip
