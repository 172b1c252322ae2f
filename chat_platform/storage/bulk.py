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

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Table, TextClause, text
from sqlalchemy.dialects import postgresql

_DIALECT = postgresql.dialect()


def _records(table: Table, columns: Sequence[str], parameter: str) -> str:
    """``json_to_recordset(:rows) AS r(a VARCHAR(32), b JSON, …)``: how each field is read."""
    fields = ", ".join(f"{c} {table.c[c].type.compile(dialect=_DIALECT)}" for c in columns)
    return f"json_to_recordset(CAST(:{parameter} AS JSON)) AS r({fields})"


def insert_sql(table: Table, columns: Sequence[str], parameter: str = "rows") -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table.name} ({names}) SELECT {names} FROM {_records(table, columns, parameter)}"


def update_sql(table: Table, key: str, columns: Sequence[str], parameter: str = "rows") -> str:
    """``UPDATE`` of ``columns`` in the rows whose ``key`` is given (one record per row).

    The keys come once more as an array (parameter ``<parameter>_keys``): PostgreSQL guesses 100
    records from any function and joined them to a table scan, which on a growing table read every
    row for each batch; with the keys as a condition of their own it looks them up in the index."""
    assignments = ", ".join(f"{c} = r.{c}" for c in columns)
    source = _records(table, [key, *columns], parameter)
    array = f"CAST(:{parameter}_keys AS {table.c[key].type.compile(dialect=_DIALECT)}[])"
    return (
        f"UPDATE {table.name} AS t SET {assignments} FROM {source} "
        f"WHERE t.{key} = ANY({array}) AND t.{key} = r.{key}"
    )


def in_one_statement(*inserts: str, last: str) -> TextClause:
    """Several of the statements above as one (PostgreSQL runs the inserts as data-modifying
    ``WITH`` queries, all or nothing with ``last``): one round trip instead of one each."""
    queries = ", ".join(f"w{n} AS ({sql})" for n, sql in enumerate(inserts))
    return text(f"WITH {queries} {last}")


def as_json(rows: Sequence[Any]) -> str:
    """Rows (dataclasses, the message path's typed rows; or dicts) as the JSON text of a parameter
    of the statements above: each row an object keyed by its fields' names, which are the columns
    the statement names (orjson, which encodes dataclasses natively: a batch's rows are encoded on
    every write, and the json module's encoder was a twentieth of a worker's CPU). Datetimes
    become RFC 3339 with their offset, which PostgreSQL reads as that instant."""
    return orjson.dumps(rows, default=_refuse).decode()


def _refuse(value: object) -> None:
    raise TypeError(f"cannot store {type(value).__name__} as JSON")
