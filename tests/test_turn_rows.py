"""The message path's typed rows (``chat_platform.storage.turns.ROWS``) against the migrated schema.

Each statement of the message path takes its column list from a row dataclass; this test is what
keeps those rows and the tables in step, on SQLite and on PostgreSQL: a column added to a table
fails here until every row of that table carries it or says it leaves it out, instead of failing
in production on one dialect's bulk write.
"""

from __future__ import annotations

import types
from dataclasses import fields
from typing import Any, get_args, get_type_hints

from sqlalchemy import inspect

from chat_platform.resident_services import ResidentServices
from chat_platform.storage.turns import ROWS, RowShape


def problems_of(shape: RowShape, columns: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong with ``shape`` against its table's ``columns`` (as the inspector reflects them)."""
    name = shape.row.__name__
    hints = get_type_hints(shape.row)
    carried = {f.name: types.NoneType in get_args(hints[f.name]) for f in fields(shape.row)}  # → may be None
    found = [f"{name}.{field} is not a column of {shape.table.name}" for field in carried.keys() - columns]
    found += [
        f"{name} neither carries nor leaves out {shape.table.name}.{column}"
        for column in sorted(columns.keys() - carried.keys() - shape.left_out)
    ]
    found += [
        f"{name} leaves out {column}, which is not a column" for column in shape.left_out - columns.keys()
    ]
    found += [f"{name} both carries and leaves out {column}" for column in shape.left_out & carried.keys()]
    for field, optional in carried.items():
        nullable = columns.get(field, {}).get("nullable", True)
        if shape.use == "read" and nullable and not optional:
            found.append(
                f"{name}.{field} cannot hold the NULL the column {shape.table.name}.{field} can hold"
            )
        if shape.use != "read" and optional and not nullable:
            found.append(f"{name}.{field} can be None, which the column {shape.table.name}.{field} refuses")
    if (
        shape.use == "insert"
    ):  # the rows are inserted by text SQL on PostgreSQL: no ORM default fills a column
        autoincrement = shape.table.autoincrement_column
        for column in sorted(shape.left_out & columns.keys()):
            reflected = columns[column]
            fills_itself = reflected["nullable"] or reflected.get("default") is not None
            if not fills_itself and (autoincrement is None or autoincrement.name != column):
                found.append(
                    f"{name} leaves out {shape.table.name}.{column}, which is NOT NULL without a default"
                )
    if shape.use == "update":
        key = [c.name for c in shape.table.primary_key.columns]
        if list(carried)[:1] != key:
            found.append(f"{name} must start with the table's key {key}: the update finds its row by it")
    return found


def test_every_row_of_the_message_path_matches_its_table(services: ResidentServices) -> None:
    inspector = inspect(services.db.engine)
    tables = {shape.table.name for shape in ROWS}
    reflected = {table: {c["name"]: dict(c) for c in inspector.get_columns(table)} for table in tables}

    problems = [problem for shape in ROWS for problem in problems_of(shape, reflected[shape.table.name])]

    assert problems == [], "\n".join(problems)
    # and the check itself sees a column added to a table, and one made NOT NULL that a row may leave None
    messages = next(shape for shape in ROWS if shape.table.name == "messages")
    added = {**reflected["messages"], "topic": {"name": "topic", "nullable": True, "default": None}}
    assert problems_of(messages, added) == ["MessageRow neither carries nor leaves out messages.topic"]
    tightened = {**reflected["messages"], "intent": {**reflected["messages"]["intent"], "nullable": False}}
    assert problems_of(messages, tightened) == [
        "MessageRow.intent can be None, which the column messages.intent refuses"
    ]
