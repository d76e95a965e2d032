import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from pix_pdq.patients import PatientDirectory
from xds.cli import main
from xds.db.engine import make_engine, sqlite_url


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("XDS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("XDS_DATABASE_URL", raising=False)
    return CliRunner()


def test_config_show_json_reports_effective_values(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["config", "show", "--json"], env={"XDS_SERVER_PORT": "9123"})
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["server"]["port"] == 9123
    assert shown["storage"]["data_dir"] == str(tmp_path)


def test_config_show_refuses_bad_option(runner: CliRunner) -> None:
    result = runner.invoke(main, ["config", "show"], env={"XDS_SERVER_PROT": "1"})
    assert result.exit_code == 2
    assert "prot" in result.output


def test_db_upgrade_creates_the_schema(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    tables = set(inspect(make_engine(sqlite_url(tmp_path))).get_table_names())
    assert {"document_entry", "submission_set", "folder", "association", "alembic_version"} <= tables


def test_patient_add_makes_the_patient_known(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(main, ["patient", "add", "P-1^^^&1.2.3.4&ISO"])
    again = runner.invoke(main, ["patient", "add", "P-1^^^&1.2.3.4&ISO"])
    assert first.exit_code == 0 and "added" in first.output
    assert again.exit_code == 0 and "updated" in again.output
    assert PatientDirectory(make_engine(sqlite_url(tmp_path))).is_known("P-1^^^&1.2.3.4&ISO")


def test_patient_add_refuses_a_malformed_id(runner: CliRunner) -> None:
    result = runner.invoke(main, ["patient", "add", "P-1^^^1.2.3.4"])
    assert result.exit_code == 2
    assert "&OID&ISO" in result.output
