"""The resident service's commands: packs (validate, train, parse, test, eval), export,
simulate and database operations. ``madoguchi.cli`` puts them on the one command line."""

from __future__ import annotations

from collections.abc import Callable

import typer

from core.services import Services
from core.settings import Settings

from . import export, operations, pack_commands, simulate


def register(app: typer.Typer, start_services: Callable[[Settings], Services]) -> None:
    pack_commands.register(app)
    operations.register(app)
    simulate.register(app, start_services)
    export.register(app)
