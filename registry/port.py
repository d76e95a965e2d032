"""The in-process `RegistryPort`: the repository registers through the registry's own code, no HTTP.

Used when the Document Registry and the Document Repository run in one server (the default; architecture
section 2). Behaviour is exactly ITI-42's (TF-2 3.42.4.1.3): the same parse, rules and single transaction,
so errors and warnings reach the ITI-41 response unchanged (checklist 2.7, NIST 11986).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from lxml import etree
from sqlalchemy import Engine, select

from registry.register import register
from registry.settings import RegistrySettings
from registry.tables import document_entry
from xds.db.engine import read_connection
from xds.ebxml.parse_submit import parse_submit_objects_request
from xds.errors import RegistryError
from xds.ports import PatientIdentityPort


@dataclass(slots=True)
class InProcessRegistry:
    engine: Engine
    patients: PatientIdentityPort
    settings: RegistrySettings

    def register(self, submit_objects_request: etree._Element) -> list[RegistryError]:
        req = parse_submit_objects_request(submit_objects_request)
        return register(self.engine, req, patients=self.patients, settings=self.settings)

    def registered_documents(self, unique_ids: Collection[str]) -> set[str]:
        if not unique_ids:
            return set()
        uid = document_entry.c.unique_id
        with read_connection(self.engine) as conn:
            return set(conn.scalars(select(uid).where(uid.in_(unique_ids))))
