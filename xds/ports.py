"""Ports between actors: the small interfaces the composition root wires (architecture section 2).

An actor depends on these protocols, never on another actor's module.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol

from lxml import etree

from xds.errors import RegistryError


class PatientIdentityPort(Protocol):
    """What the registry asks of patient identity (the affinity domain's Patient Identity Feed)."""

    def is_known(self, patient_id: str) -> bool:
        """May documents be registered for this CX patient id (else XDSUnknownPatientId)?"""
        ...

    def query_ids(self, patient_id: str) -> list[str]:
        """The patient ids a stored query on `patient_id` covers: itself and the ids merged into it; empty
        when it is unknown or was merged into another (TF-2 3.18.4.1.2.3.9.1)."""
        ...


class RegistryPort(Protocol):
    """What the repository asks of the Document Registry (ITI-41 forwards as ITI-42, checklist 2.7).

    In-process when both actors run in one server (`registry/port.py`), an ITI-42 SOAP client otherwise
    (`repository/registry_client.py`). Failures are `XdsError`s carrying the registry's own codes, or
    XDSRegistryNotAvailable when it cannot be reached, so the repository copies them into its response.
    """

    def register(self, submit_objects_request: etree._Element) -> list[RegistryError]:
        """ITI-42 with the lcm:SubmitObjectsRequest as it goes on the wire; warnings on success.

        Raises `XdsError` with every error when the registry refuses the submission.
        """
        ...

    def registered_documents(self, unique_ids: Collection[str]) -> set[str]:
        """Those of `unique_ids` that the registry holds as DocumentEntries.

        Lets the repository's start-up sweeper tell a crash after registration (keep the document)
        from a crash before it (remove it). Raises `XdsError` when the registry cannot be asked.
        """
        ...
