"""Stored queries after a patient merge (TF-2 3.18.4.1.2.3.9.1; checklist 3.3, merged patient ids).

A query on the surviving id also returns what was registered under the ids merged into it, shown under
the surviving id on SubmissionSets, DocumentEntries and Folders; sourcePatientInfo is left as registered.
A query on a merged-away (or unknown) id returns nothing. The stored fragments keep the id they were
registered with; the surviving id is written into the answer, since a merge is rare and reads are hot.
"""

from __future__ import annotations

from collections.abc import Iterable
from xml.sax.saxutils import quoteattr

from registry.queries.params import DE_PATIENT_ID, FD_PATIENT_ID, PATIENT_ID, SS_PATIENT_ID
from xds.ebxml import vocabulary as v

# The stored-query parameters that name the patient whose records are searched.
PATIENT_PARAMETERS = (DE_PATIENT_ID, SS_PATIENT_ID, FD_PATIENT_ID, PATIENT_ID)
_PATIENT_SCHEMES = (v.DE_PATIENT_ID, v.SS_PATIENT_ID, v.FD_PATIENT_ID)


def show_surviving(fragment: bytes, merged: Iterable[str], surviving: str) -> bytes:
    """Rewrite the patientId ExternalIdentifier of a stored fragment from a merged id to `surviving`.

    Fragments are rendered by us (`render_registry_object`) with `identificationScheme` right before
    `value`, so an exact byte match touches the patientId identifier and nothing else (not
    sourcePatientId, which is a Slot value, nor a title that happens to hold the same text).
    """
    new = f"value={quoteattr(surviving)}".encode()
    for old_id in merged:
        old = f"value={quoteattr(old_id)}".encode()
        for scheme in _PATIENT_SCHEMES:
            prefix = f'identificationScheme="{scheme}" '.encode()
            fragment = fragment.replace(prefix + old, prefix + new)
    return fragment
