"""Fixtures: an MLLP listener on the `engine` fixture (SQLite and PostgreSQL) and a connected client; the HL7
v3 endpoints over HTTP and their client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mllp_client import TEST_SETTINGS, MllpClient, running_listener
from sqlalchemy import Engine
from v3_client import V3Client, serving

from pix_pdq.settings import PatientIdentitySettings


@pytest.fixture
def settings() -> PatientIdentitySettings:
    return TEST_SETTINGS


@pytest.fixture
def mllp_port(engine: Engine, settings: PatientIdentitySettings) -> Iterator[int]:
    with running_listener(engine, settings) as port:
        yield port


@pytest.fixture
def client(mllp_port: int) -> Iterator[MllpClient]:
    c = MllpClient(mllp_port)
    yield c
    c.close()


@pytest.fixture
def v3(engine: Engine, settings: PatientIdentitySettings) -> Iterator[V3Client]:
    with serving(engine, settings) as client:
        yield client
