"""Fixtures: an MLLP listener on the `engine` fixture (SQLite and PostgreSQL) and a connected client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from mllp_client import TEST_SETTINGS, MllpClient, running_listener
from sqlalchemy import Engine

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
