import re
from pathlib import Path

import pytest

from xds.config import ConfigError, load_settings, settings_as_dict


def test_defaults_are_embedded_sqlite_in_var() -> None:
    settings = load_settings(environ={})
    assert settings.embedded
    assert settings.database_url.startswith("sqlite+pysqlite:///")
    assert settings.database_url.endswith("var/xds.sqlite3")
    assert settings.server.port == 8080


def test_file_then_environment_precedence(tmp_path: Path) -> None:
    config = tmp_path / "xds.toml"
    config.write_text('[server]\nport = 9000\nhost = "0.0.0.0"\n[registry]\nmax_leafclass_results = 7\n')
    env = {"XDS_SERVER_PORT": "9100", "XDS_DATA_DIR": str(tmp_path / "data")}
    settings = load_settings(config, env)
    assert settings.server.port == 9100  # environment wins over the file
    assert settings.server.host == "0.0.0.0"
    assert settings.registry.max_leafclass_results == 7
    assert settings.storage.data_dir == tmp_path / "data"


def test_database_url_password_is_masked() -> None:
    settings = load_settings(environ={"XDS_DATABASE_URL": "postgresql+psycopg://xds:s3cret@db/xds"})
    shown = settings_as_dict(settings)
    assert not settings.embedded
    assert "s3cret" not in str(shown)
    assert shown["storage"]["database_url"] == "postgresql+psycopg://xds:***@db/xds"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[serverr]\nport = 1\n", "unknown configuration section [serverr]"),
        ("[server]\nprot = 1\n", "unknown option(s) in [server]: prot"),
        ('[server]\nport = "eighty"\n', "server.port"),
        ("[server\n", "cannot read configuration"),
    ],
)
def test_bad_configuration_is_named(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "bad.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(config, {})


def test_environment_typo_in_option_is_refused() -> None:
    with pytest.raises(ConfigError, match="max_leafclass_result"):
        load_settings(environ={"XDS_REGISTRY_MAX_LEAFCLASS_RESULT": "5"})


def test_affinity_domains_from_environment_are_a_tuple() -> None:
    settings = load_settings(
        environ={"XDS_PATIENT_IDENTITY_AFFINITY_DOMAIN_OIDS": "1.2.250.1.213.1.4.8, 1.2.250.1.213.1.4.9"}
    )
    assert settings.patient_identity.affinity_domain_oids == ("1.2.250.1.213.1.4.8", "1.2.250.1.213.1.4.9")
    assert settings_as_dict(settings)["patient_identity"]["affinity_domain_oids"] == [
        "1.2.250.1.213.1.4.8",
        "1.2.250.1.213.1.4.9",
    ]
