"""FindFolders (TF-2 3.18.4.1.2.3.7.3; checklist 3.2): Folders of one patient."""

from __future__ import annotations

from sqlalchemy import and_, exists

from registry.queries import params as qp
from registry.queries.conditions import code_in, time_range
from registry.queries.params import QueryParams
from registry.queries.plan import Part, Plan
from registry.tables import folder, folder_code


def find_folders(query: QueryParams) -> Plan:
    fd = folder.c
    # $XDSFolderCodeList is AND/OR: one EXISTS per Slot, any code of the Slot (checklist 3.1).
    code_groups = [
        exists().where(
            folder_code.c.folder_seq == fd.seq, code_in(folder_code.c.code, folder_code.c.scheme, group)
        )
        for group in query.code_groups(qp.FD_CODE)
    ]
    conditions = [
        fd.patient_id.in_(query.strings(qp.FD_PATIENT_ID)),
        fd.status.in_(query.strings(qp.FD_STATUS)),
        *time_range(fd.last_update_time, query.string(qp.FD_UPDATE_FROM), query.string(qp.FD_UPDATE_TO)),
        *code_groups,
    ]
    return [Part(folder, and_(*conditions))]
