"""`xds patient add|show|search|link|merge` through click, on both backends."""

from __future__ import annotations

import hl7v2_messages as m
from click.testing import CliRunner
from sqlalchemy import Engine

from pix_pdq.cli import make_patient_group
from pix_pdq.patients import PatientDirectory

NIR = f"{m.NIR_1}^^^&{m.INS_NIR}&ISO^NH"
IPP = f"IPP1^^^&{m.HOSP_A}&ISO"
IPP_B = f"B1^^^&{m.HOSP_B}&ISO"


class _Borrowed:
    """The fixture owns the engine: the group's dispose() must not close it under the test."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def __call__(self) -> Engine:
        return self.engine.execution_options()


def run(engine: Engine, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(make_patient_group(_Borrowed(engine)), list(args))
    return result.exit_code, result.output


def test_add_show_search(engine: Engine) -> None:
    code, out = run(
        engine,
        "add",
        NIR,
        IPP,
        "--birth-name",
        "Dupont",
        "--first-names",
        "Jean Pierre",
        "--sex",
        "M",
        "--birth-date",
        "19790301",
        "--birth-place",
        "2B020",
    )
    assert code == 0, out
    assert "added" in out
    code, out = run(engine, "show", IPP)
    assert code == 0 and f"{m.NIR_1}^^^&{m.INS_NIR}&ISO^NH" in out and "2B020" in out
    code, out = run(engine, "search", "--name", "DUP*", "--birth-date", "19790301")
    assert code == 0 and "1 match(es)" in out and "Dupont" in out


def test_add_refuses_an_invalid_ins_with_a_precise_message(engine: Engine) -> None:
    code, out = run(engine, "add", f"{m.NIR_1[:-2]}00^^^&{m.INS_NIR}&ISO")
    assert code == 1
    assert "key 00 is wrong" in out and "has key 89" in out


def test_add_refuses_a_malformed_cx(engine: Engine) -> None:
    code, out = run(engine, "add", "IPP1^^^HOSP")
    assert code == 2 and "&OID&ISO" in out


def test_show_unknown(engine: Engine) -> None:
    code, out = run(engine, "show", IPP)
    assert code == 1 and "no patient" in out


def test_link_then_merge(engine: Engine) -> None:
    run(engine, "add", IPP)
    run(engine, "add", IPP_B)
    code, out = run(engine, "link", IPP, IPP_B)
    assert code == 0, out
    code, out = run(engine, "show", IPP_B)
    assert IPP in out
    run(engine, "add", f"IPP2^^^&{m.HOSP_A}&ISO")
    code, out = run(engine, "merge", IPP, f"IPP2^^^&{m.HOSP_A}&ISO")
    assert code == 0, out
    code, out = run(engine, "show", f"IPP2^^^&{m.HOSP_A}&ISO")
    assert "was merged into" in out
    assert PatientDirectory(engine).merged_ids(IPP) == [f"IPP2^^^&{m.HOSP_A}&ISO"]


def test_link_of_two_patients_with_ids_in_one_authority_is_refused(engine: Engine) -> None:
    run(engine, "add", IPP)
    run(engine, "add", f"IPP2^^^&{m.HOSP_A}&ISO")
    code, out = run(engine, "link", IPP, f"IPP2^^^&{m.HOSP_A}&ISO")
    assert code == 1 and "merge them instead" in out
