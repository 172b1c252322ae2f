"""All settings in one object, read from ``MADOGUCHI_*`` environment variables or given as a dict.

Tests pass a dict (``Settings.from_mapping``) and never patch the process environment.
"""

from __future__ import annotations

import functools
import json
import os
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

PREFIX = "MADOGUCHI_"
DEFAULT_DATABASE_URL = "sqlite:///var/madoguchi.db"


@dataclass(frozen=True)
class Settings:
    """Each field is read from ``MADOGUCHI_<NAME>`` (upper case). See the README's settings table."""

    database_url: str = DEFAULT_DATABASE_URL
    # connections each worker keeps to PostgreSQL, and so the requests it handles at once: more
    # threads than connections only queue for one, and 40 threads fight over one interpreter lock
    database_pool_size: int = 10
    bots_dir: Path = Path("bots")
    model_dir: Path = Path("var/models")  # trained models cached by pack digest, so workers start fast
    cors_origins: tuple[str, ...] = ()  # origins allowed to embed the widget; empty = same origin only
    session_idle_minutes: int = 30
    retention_days: int = 365  # `madoguchi purge` deletes conversations older than this
    rate_limit_per_minute: int = 30  # resident messages per session and per minute
    rate_limit_per_address_per_minute: int = 120  # per client address (a household or office shares one)
    max_message_chars: int = 1000
    # request bodies, refused with 413 before they are read (chat_platform/api/body_limit.py)
    max_body_bytes: int = 65_536  # every route but the two below; a message is a few kilobytes of JSON
    max_upload_bytes: int = 1_048_576  # the admin's pack upload and file edit (a pack is ~50-80 kB)
    max_line_body_bytes: int = 1_048_576  # the LINE webhook (LINE may deliver many events in one request)
    rate_limit_sessions_per_address_per_minute: int = 60  # conversations started from one address
    rate_limit_parse_per_address_per_minute: int = 120  # /model/parse requests from one address
    # proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none: the header is ignored
    trusted_proxies: tuple[str, ...] = ()
    line_channels: dict[str, dict[str, str]] = field(default_factory=dict)  # bot → {secret, token}
    line_api_base: str = "https://api.line.me"
    reload_poll_seconds: float = 5.0  # how often a worker checks for a newly activated pack version
    public_enabled: bool = True  # serve the resident API, widget and channels
    admin_enabled: bool = True  # serve /admin in the same process (make run); off for a public-only worker
    shared_cost_thousand_yen: int = 0  # the shared platform's yearly cost, for cost reports
    cost_allocation: str = "messages"  # messages | sessions
    environment: str = "development"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values = {
            f.name: environ[PREFIX + f.name.upper()]
            for f in fields(cls)
            if PREFIX + f.name.upper() in environ
        }
        return cls.from_mapping(values)

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Settings:
        """Build from strings (as in the environment) or already-typed values."""
        converted: dict[str, object] = {}
        known = {f.name: f for f in fields(cls)}
        for name, value in values.items():
            if name not in known:
                raise ValueError(f"unknown setting {name!r}; known settings: {', '.join(sorted(known))}")
            converted[name] = _convert(name, value, _field_types()[name])
        return cls(**converted)  # type: ignore[arg-type]

    @staticmethod
    def names() -> list[str]:
        """Every environment variable the settings read."""
        return [PREFIX + f.name.upper() for f in fields(Settings)]


@functools.cache
def _field_types() -> dict[str, Any]:
    """Each setting's type as a type, not as the string ``from __future__ import annotations`` leaves."""
    return typing.get_type_hints(Settings)


def _convert(name: str, value: object, kind: Any) -> object:
    """``value`` as read from the environment (a string) converted to the setting's type."""
    if not isinstance(value, str):
        return value
    optional = typing.get_args(kind) if isinstance(kind, types.UnionType) else ()
    base = next((k for k in optional if k is not type(None)), kind)  # Path | None → Path
    origin = typing.get_origin(base) or base
    try:
        if origin is Path:
            return Path(value)
        if origin is tuple:
            return tuple(v.strip() for v in value.split(",") if v.strip())
        if origin is dict:
            return json.loads(value)
        if origin is bool:  # before int: bool is a kind of int
            if value.lower() not in {"1", "0", "true", "false", "yes", "no"}:
                raise ValueError(value)
            return value.lower() in {"1", "true", "yes"}
        if origin is int:
            return int(value)
        if origin is float:
            return float(value)
    except ValueError as exc:
        raise ValueError(
            f"{PREFIX}{name.upper()}={value!r} is not a valid {getattr(origin, '__name__', origin)}"
        ) from exc
    return value
