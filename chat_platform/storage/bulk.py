"""Many rows in one short statement on PostgreSQL: one array per column, spread by ``unnest``.

A multi-row ``INSERT … VALUES (…), (…)`` has a different text for every number of rows, and once
its text passes 4 kB psycopg no longer caches its translation: parsing the statement again for
every batch cost the workers a sixth of their CPU. ``INSERT … SELECT * FROM unnest(%s, %s, …)``
has one short text whatever the number of rows, so both SQLAlchemy and psycopg cache it, and
PostgreSQL plans it once per connection. (SQLite has no arrays; there ``executemany`` is cheap,
as the database runs in-process.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Table, TextClause, text
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()


def _array_of(table: Table, column: str) -> str:
    return f"CAST(:{column} AS {table.c[column].type.compile(dialect=_DIALECT)}[])"


def insert_statement(table: Table, columns: Sequence[str]) -> TextClause:
    arrays = ", ".join(_array_of(table, c) for c in columns)
    return text(f"INSERT INTO {table.name} ({', '.join(columns)}) SELECT * FROM unnest({arrays})")


def update_statement(table: Table, key: str, columns: Sequence[str]) -> TextClause:
    """``UPDATE`` of ``columns`` in the rows whose ``key`` is given; one array element per row."""
    every = [key, *columns]
    arrays = ", ".join(_array_of(table, c) for c in every)
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    return text(
        f"UPDATE {table.name} AS t SET {assignments} "
        f"FROM unnest({arrays}) AS v({', '.join(every)}) WHERE t.{key} = v.{key}"
    )


def arrays(table: Table, columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> dict[str, list[Any]]:
    """The rows as one list per column (JSON columns as JSON text), for the statements above."""
    result: dict[str, list[Any]] = {}
    for column in columns:
        values = [row[column] for row in rows]
        if isinstance(table.c[column].type, JSON):
            values = [None if v is None else json.dumps(v, ensure_ascii=False) for v in values]
        result[column] = values
    return result
