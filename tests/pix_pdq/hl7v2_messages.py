"""HL7 v2 test messages as hospital engines send them (segments joined with CR by the client)."""

from __future__ import annotations

import itertools

HOSP_A = "1.2.250.1.999.1.1"  # a hospital's IPP authority (test OID)
HOSP_B = "1.2.250.1.999.2.1"
INS_NIR = "1.2.250.1.213.1.4.8"
INS_TEST = "1.2.250.1.213.1.4.10"
# Valid NIRs (dmp-france.md 3.3 worked examples), one born in Corsica (2B).
NIR_1 = "279035121518989"
NIR_2 = "277076322082910"
NIR_3 = "124018852493334"
NIR_CORSICA = "180032B02040123"

_ids = itertools.count(1)


def msh(message_type: str, version: str = "2.5", charset: str = "") -> str:
    extra = f"||||||{charset}" if charset else ""
    return (
        f"MSH|^~\\&|HIS|HOSP_A|XDS|REG|20250101120000||{message_type}|MSG{next(_ids):05d}|P|{version}{extra}"
    )


def cx(id_number: str, oid: str, type_code: str = "PI", namespace: str = "") -> str:
    return f"{id_number}^^^{namespace}&{oid}&ISO^{type_code}"


def adt(
    event: str,
    pid3: str,
    *,
    name: str = "DUPONT^JEAN^JEAN PIERRE^^^^L",
    birth: str = "19790301",
    sex: str = "M",
    extra_pid: str = "",
    version: str = "2.3.1",
    mrg: str = "",
) -> str:
    structure = "ADT_A39" if event == "A40" else "ADT_A01"
    lines = [
        msh(f"ADT^{event}^{structure}", version),
        f"EVN|{event}|20250101120000",
        f"PID|1||{pid3}||{name}||{birth}|{sex}{extra_pid}",
    ]
    if event != "A40":
        lines.append("PV1|1|N")
    if mrg:
        lines.append(f"MRG|{mrg}")
    return "\r".join(lines)


def pix_query(identifier: str, domains: str = "", tag: str = "PIX1") -> str:
    return "\r".join(
        [
            msh("QBP^Q23^QBP_Q21"),
            f"QPD|IHE PIX Query|{tag}|{identifier}|{domains}",
            "RCP|I",
        ]
    )


def pdq_query(
    params: str, *, tag: str = "PDQ1", domains: str = "", quantity: str = "", pointer: str = ""
) -> str:
    lines = [
        msh("QBP^Q22^QBP_Q21"),
        f"QPD|IHE PDQ Query|{tag}|{params}|||||{domains}",
        f"RCP|I|{quantity}",
    ]
    if pointer:
        lines.append(f"DSC|{pointer}|I")
    return "\r".join(lines)
