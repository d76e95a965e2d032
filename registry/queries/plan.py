"""What a stored query selects: per object table, one SQL condition; the runner fetches and caps.

Each query module turns its parameters into a `Plan` without touching the database: every part is a
SQLAlchemy Core condition (subqueries included) on one table. The runner (`registry/stored_query.py`)
then counts, checks the patient, and reads ids (ObjectRef) or stored XML (LeafClass) part by part, in
the order given, each part ordered by `seq` so answers are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, Select, Table, select


@dataclass(frozen=True, slots=True)
class Part:
    table: Table
    where: ColumnElement[bool]


Plan = list[Part]


def select_ids(column: ColumnElement[str], *where: ColumnElement[bool]) -> Select[tuple[str]]:
    """An id subquery that never auto-correlates, so it may sit inside a condition on its own table."""
    return select(column).where(*where).correlate(None)
