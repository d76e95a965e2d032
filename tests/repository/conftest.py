"""Fixtures of the repository tests: a served registry + repository, a known patient, an MTOM client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "registry"))

from builders import PATIENT
from mtom_client import RepositoryClient
from repository_app import Harness, serve_repository

from pix_pdq.patients import add_patient


@pytest.fixture
def harness(engine: Engine, tmp_path: Path) -> Iterator[Harness]:
    add_patient(engine, PATIENT)
    with serve_repository(engine, tmp_path / "documents") as h:
        yield h


@pytest.fixture
def client(harness: Harness) -> Iterator[RepositoryClient]:
    c = RepositoryClient(harness.url)
    yield c
    c.http.close()
