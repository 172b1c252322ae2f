"""Many rows in one short statement on PostgreSQL: the rows as one JSON parameter.

A multi-row ``INSERT … VALUES (…), (…)`` has a different text for every number of rows, and once
its text passes 4 kB psycopg no longer caches its translation: parsing the statement again for
every batch cost the workers a sixth of their CPU. ``INSERT … SELECT … FROM json_to_recordset(%s)``
has one short text whatever the number of rows, so SQLAlchemy, psycopg and PostgreSQL each
prepare it once; and one JSON text made by the json module costs a fraction of adapting a Python
value per column and row (arrays per column were tried: psycopg spent more on them than on the
statement). SQLite has no such function; there ``executemany`` is cheap, the database being
in-process.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, TextClause, text
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()


def _record_type(table: Table, columns: Sequence[str]) -> str:
    """``r(a VARCHAR(32), b JSON, …)``: how json_to_recordset reads each field."""
    fields = ", ".join(f"{c} {table.c[c].type.compile(dialect=_DIALECT)}" for c in columns)
    return f"json_to_recordset(CAST(:rows AS JSON)) AS r({fields})"


def insert_statement(table: Table, columns: Sequence[str]) -> TextClause:
    names = ", ".join(columns)
    return text(f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {_record_type(table, columns)}")


def update_statement(table: Table, key: str, columns: Sequence[str]) -> TextClause:
    """``UPDATE`` of ``columns`` in the rows whose ``key`` is given (one record per row)."""
    assignments = ", ".join(f"{c} = r.{c}" for c in columns)
    source = _record_type(table, [key, *columns])
    return text(f"UPDATE {table.name} AS t SET {assignments} FROM {source} WHERE t.{key} = r.{key}")


def rows_parameter(rows: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The rows as the ``rows`` parameter of the statements above."""
    return {"rows": json.dumps(rows, ensure_ascii=False, default=_iso)}


def _iso(value: object) -> str:
    if isinstance(value, datetime):  # with its offset: PostgreSQL reads it as that instant
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
