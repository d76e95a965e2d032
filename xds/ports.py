"""Ports between actors: the small interfaces the composition root wires (architecture section 2).

An actor depends on these protocols, never on another actor's module.
"""

from __future__ import annotations

from typing import Protocol


class PatientIdentityPort(Protocol):
    """What the registry asks of patient identity: is this CX patient id known in the affinity domain?"""

    def is_known(self, patient_id: str) -> bool: ...
