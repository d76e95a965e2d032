"""`xds patient ...`: a thin layer over the patient identity functions the tests and the protocols use.

The composition root passes how to open the database, so this module imports no configuration:
`main.add_command(make_patient_group(open_engine))`.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click
from sqlalchemy import Engine

from pix_pdq.model import Identifier, IdentityError, PatientRecord, Traits
from pix_pdq.patients import feed_patient, find_patient, link_patients, merge_patients
from pix_pdq.pdq import Criteria, cancel_search, search
from pix_pdq.settings import PatientIdentitySettings
from xds.ebxml.datatypes import CXError, parse_cx

SOURCE = "cli"


def parse_identifier(value: str) -> Identifier:
    """A CX `id^^^&OID&ISO`, with the optional `^NH` type the French profile writes for an INS."""
    try:
        cx = parse_cx(value)
    except CXError as exc:
        raise click.BadParameter(str(exc)) from exc
    parts = value.split("^")
    return Identifier(cx.id_number, cx.authority_oid, type_code=parts[4] if len(parts) == 5 else "")


def _describe(record: PatientRecord) -> str:
    t = record.traits
    lines = [f"patient {record.seq}"]
    lines += [
        f"  identifier  {i.cx}" + (f"^{i.type_code}" if i.type_code else "") for i in record.identifiers
    ]
    lines += [f"  merged      {i.cx}" for i in record.merged]
    for label, value in (
        ("birth name", t.birth_name),
        ("first names", t.first_names),
        ("used name", t.used_name),
        ("used first", t.used_first_name),
        ("sex", t.sex),
        ("birth date", t.birth_date),
        ("birth place", t.birth_place),
    ):
        if value:
            lines.append(f"  {label:<11} {value}")
    return "\n".join(lines)


def make_patient_group(
    open_engine: Callable[[], Engine], settings: PatientIdentitySettings | None = None
) -> click.Group:
    """The `patient` command group; `open_engine` is called once per command and disposed after it."""
    identity_settings = settings or PatientIdentitySettings()

    @contextmanager
    def database() -> Iterator[Engine]:
        engine = open_engine()
        try:
            yield engine
        except IdentityError as exc:
            raise click.ClickException(f"refused ({exc.subject.value}): {exc}") from exc
        finally:
            engine.dispose()

    @click.group("patient")
    def patient() -> None:
        """Patient identities: feed, look up, cross-reference, merge (the same functions as ITI-8/9/21)."""

    @patient.command("add")
    @click.argument("patient_ids", nargs=-1, required=True)
    @click.option("--birth-name", default="")
    @click.option("--first-names", default="", help="All birth first names, space separated.")
    @click.option("--used-first-name", default="")
    @click.option("--used-name", default="")
    @click.option("--sex", default="", help="HL7 table 0001: M, F, O, U, A, N.")
    @click.option("--birth-date", default="", help="YYYYMMDD.")
    @click.option("--birth-place", default="", help="INSEE commune code, e.g. 2B020.")
    def add(patient_ids: tuple[str, ...], **traits: str) -> None:
        """Create or update the patient holding PATIENT_IDS (each `ID^^^&OID&ISO`), cross-referenced."""
        identifiers = [parse_identifier(value) for value in patient_ids]
        with database() as engine:
            result = feed_patient(engine, identifiers, Traits(**traits))
        click.echo(f"patient {result.seq} {'added' if result.created else 'updated'}")

    @patient.command("show")
    @click.argument("patient_id")
    def show(patient_id: str) -> None:
        """Print the patient holding PATIENT_ID: cross-referenced and merged identifiers, traits."""
        identifier = parse_identifier(patient_id)
        with database() as engine:
            record = find_patient(engine, identifier)
        if record is None:
            raise click.ClickException(f"no patient with identifier {identifier.cx}")
        if identifier.key in {i.key for i in record.merged}:
            click.echo(f"{identifier.cx} was merged into:")
        click.echo(_describe(record))

    @patient.command("search")
    @click.option("--name", "family_name", default="", help="Birth or used name; a trailing * is a wildcard.")
    @click.option("--given", "given_name", default="", help="A first name; a trailing * is a wildcard.")
    @click.option("--birth-date", default="")
    @click.option("--sex", default="")
    @click.option("--id", "id_number", default="", help="An identifier value.")
    @click.option("--authority", "authority_oid", default="", help="Assigning authority OID.")
    @click.option("--limit", default=20, show_default=True)
    def search_command(limit: int, **criteria: str) -> None:
        """Find patients by demographics (the PDQ search)."""
        tag = f"cli-{secrets.token_hex(8)}"
        with database() as engine:
            page = search(engine, Criteria(**criteria), tag=tag, quantity=limit, settings=identity_settings)
            if page.pointer:
                cancel_search(engine, tag)
        for record in page.records:
            click.echo(_describe(record))
        click.echo(f"{page.total} match(es)" + (f", {len(page.records)} shown" if page.remaining else ""))

    @patient.command("link")
    @click.argument("patient_id")
    @click.argument("other_id")
    def link(patient_id: str, other_id: str) -> None:
        """Cross-reference OTHER_ID with PATIENT_ID: same person, both identifiers stay valid."""
        with database() as engine:
            seq = link_patients(
                engine, parse_identifier(patient_id), parse_identifier(other_id), source=SOURCE
            )
        click.echo(f"linked into patient {seq}")

    @patient.command("merge")
    @click.argument("surviving_id")
    @click.argument("prior_id")
    def merge(surviving_id: str, prior_id: str) -> None:
        """Merge PRIOR_ID into SURVIVING_ID (as ITI-8 A40): the prior id is retired, its documents follow."""
        with database() as engine:
            seq = merge_patients(
                engine, [parse_identifier(surviving_id)], parse_identifier(prior_id), source=SOURCE
            )
        click.echo(f"merged {prior_id} into patient {seq}")

    return patient
