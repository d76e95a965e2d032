"""Configuration: one TOML file plus `XDS_*` environment variables, resolved into typed settings.

Precedence: built-in defaults < TOML file < environment. Every option is documented in
docs/configuration.md; `xds config show` prints the effective values with secrets masked.
Environment names: `XDS_DATA_DIR`, `XDS_DATABASE_URL` and, for any other option, `XDS_<SECTION>_<KEY>`
(for example `XDS_REGISTRY_MAX_LEAFCLASS_RESULTS=500`).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from conformance.settings import ConformanceSettings
from pix_pdq.settings import PatientIdentitySettings
from registry.settings import RegistrySettings
from repository.settings import RepositorySettings
from xds.xmlsafe import XmlLimits


class ConfigError(ValueError):
    """A configuration value that cannot be used; the message names the option."""


@dataclass(frozen=True, slots=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    workers: int = 1
    # HL7 v2 over MLLP (ITI-8, ITI-9, ITI-21); None = no MLLP listener.
    mllp_port: int | None = None


@dataclass(frozen=True, slots=True)
class StorageSettings:
    data_dir: Path = Path("./var")
    # None = embedded SQLite in data_dir, migrated automatically at start.
    database_url: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    xml: XmlLimits = field(default_factory=XmlLimits)
    registry: RegistrySettings = field(default_factory=RegistrySettings)
    repository: RepositorySettings = field(default_factory=RepositorySettings)
    patient_identity: PatientIdentitySettings = field(default_factory=PatientIdentitySettings)
    conformance: ConformanceSettings = field(default_factory=ConformanceSettings)

    @property
    def database_url(self) -> str:
        if self.storage.database_url:
            return self.storage.database_url
        return f"sqlite+pysqlite:///{(self.storage.data_dir / 'xds.sqlite3').resolve()}"

    @property
    def embedded(self) -> bool:
        return self.storage.database_url is None


_SECTIONS: dict[str, type] = {
    "server": ServerSettings,
    "storage": StorageSettings,
    "xml": XmlLimits,
    "registry": RegistrySettings,
    "repository": RepositorySettings,
    "patient_identity": PatientIdentitySettings,
    "conformance": ConformanceSettings,
}
_SHORT_ENV = {"XDS_DATA_DIR": ("storage", "data_dir"), "XDS_DATABASE_URL": ("storage", "database_url")}


def _coerce(section: str, key: str, value: Any, target: type | str) -> Any:
    kind = target if isinstance(target, str) else getattr(target, "__name__", str(target))
    try:
        if value is None or value == "":
            return None if "None" in kind else value
        if kind.startswith("tuple"):
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        if kind.startswith("int"):
            return int(value)
        if kind.startswith("float"):
            return float(value)
        if kind.startswith("bool"):
            return value if isinstance(value, bool) else str(value).lower() in {"1", "true", "yes", "on"}
        if "Path" in kind:
            return Path(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{section}.{key}: {value!r} is not a valid {kind}") from exc


def _build(section: str, cls: type, values: Mapping[str, Any]) -> Any:
    known = {f.name: f.type for f in dataclasses.fields(cls)}
    unknown = set(values) - set(known)
    if unknown:
        raise ConfigError(f"unknown option(s) in [{section}]: {', '.join(sorted(unknown))}")
    return cls(**{k: _coerce(section, k, v, known[k]) for k, v in values.items()})


def load_settings(config_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    raw: dict[str, dict[str, Any]] = {name: {} for name in _SECTIONS}
    if config_file is not None:
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read configuration {config_file}: {exc}") from exc
        for section, values in data.items():
            if section not in raw or not isinstance(values, dict):
                raise ConfigError(f"unknown configuration section [{section}]")
            raw[section].update(values)
    for env_name, env_value in environ.items():
        if env_name in _SHORT_ENV:
            section, key = _SHORT_ENV[env_name]
            raw[section][key] = env_value
            continue
        for section in raw:
            prefix = f"XDS_{section.upper()}_"
            if env_name.startswith(prefix):
                raw[section][env_name[len(prefix) :].lower()] = env_value
    return Settings(**{name: _build(name, cls, raw[name]) for name, cls in _SECTIONS.items()})


def mask_url(url: str) -> str:
    """Hide the password of a database URL."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as is: it holds no recognisable secret
        return url


def settings_as_dict(settings: Settings) -> dict[str, dict[str, Any]]:
    """The effective configuration for `xds config show`, secrets masked, paths as strings."""
    out: dict[str, dict[str, Any]] = {}
    for name in _SECTIONS:
        section = dataclasses.asdict(getattr(settings, name))
        out[name] = {
            k: str(v) if isinstance(v, Path) else list(v) if isinstance(v, tuple) else v
            for k, v in section.items()
        }
    if settings.storage.database_url:
        out["storage"]["database_url"] = mask_url(settings.storage.database_url)
    out["storage"]["effective_database_url"] = mask_url(settings.database_url)
    return out
