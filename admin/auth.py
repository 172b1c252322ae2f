"""Admin tokens and roles.

``strategy`` (the smart-city strategy department) reads everything and manages the registry and
cost settings; ``department`` is scoped to its own department's bots (edits their packs, reads
their reports); ``viewer`` reads reports. Tokens are random, shown once, stored as SHA-256 hashes
and compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.errors import AppError
from core.storage.models import ApiToken, utcnow

from .departments import departments_with_bots

ROLES = ("strategy", "department", "viewer")
EDITOR_ROLES = ("strategy", "department")  # may change packs; a department only its own bots'
TOKEN_PREFIX = "mdg_"
DEFAULT_EXPIRY_DAYS = 365  # `madoguchi token create --expires-in`
MAX_EXPIRY_DAYS = 3650


@dataclass(frozen=True)
class Principal:
    """Who is calling: the token's holder, role and (for ``department``) their department."""

    token_id: int
    name: str
    role: str
    department: str | None

    def can_see_department(self, department: str) -> bool:
        return self.role != "department" or self.department == department

    def can_edit_department(self, department: str) -> bool:
        """Whether this token may change the packs of a bot that belongs to ``department``."""
        return self.role in EDITOR_ROLES and self.can_see_department(department)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(
    session: Session,
    role: str,
    name: str,
    department: str | None = None,
    expires_in_days: int = DEFAULT_EXPIRY_DAYS,
    bots_dir: Path | None = None,
) -> tuple[str, ApiToken]:
    """Create a token; returns (the token to show once, its stored record). Raises ValueError.

    A department token only for a department that owns a bot (``departments_with_bots``; ``bots_dir``
    for a database no server has started on yet). Every token expires ``expires_in_days`` from now."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    if (role == "department") != bool(department):
        raise ValueError("a department token needs --department; other roles take none")
    if department is not None:
        department = department.strip()
        known = departments_with_bots(session, bots_dir)
        if department not in known:
            raise ValueError(
                f"no bot belongs to department {department!r}, so a token for it could reach nothing. "
                f"Departments that own a bot: {', '.join(known) or '(none yet: start the server once)'} "
                "(the department: line of each bot's bot.yml)"
            )
    if not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise ValueError(f"--expires-in must be between 1 and {MAX_EXPIRY_DAYS} days, got {expires_in_days}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken(
        token_hash=hash_token(token),
        prefix=token[:12],
        role=role,
        department=department,
        name=name,
        expires_at=utcnow() + timedelta(days=expires_in_days),
    )
    session.add(record)
    session.flush()
    return token, record


def revoke_token(session: Session, token_id: int) -> ApiToken:
    record = session.get(ApiToken, token_id)
    if record is None:
        raise ValueError(f"no token with id {token_id}")
    record.revoked_at = record.revoked_at or utcnow()
    return record


def authenticate(session: Session, authorization: str | None) -> Principal:
    """Raises 401 for a missing, malformed, unknown, revoked or expired token."""
    parts = (authorization or "").split(None, 1)
    if len(parts) != 2 or parts[0].lower() != "bearer":  # the scheme in any case (RFC 9110)
        raise _unauthorized()
    digest = hash_token(parts[1].strip())
    record = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    # the index finds the row by hash; compare_digest keeps the final comparison constant-time
    if record is None or not hmac.compare_digest(record.token_hash, digest) or record.revoked_at is not None:
        raise _unauthorized()
    expires = as_utc(record.expires_at) if record.expires_at is not None else None
    if expires is not None and expires <= utcnow():
        raise _expired(expires)
    record.last_used_at = utcnow()
    return Principal(record.id, record.name, record.role, record.department)


def as_utc(moment: datetime) -> datetime:
    """SQLite gives datetimes back without their offset; they were stored as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise AppError(
            403,
            "forbidden",
            f"この操作には {' / '.join(roles)} の権限が必要です。",
            f"This needs the {' or '.join(roles)} role.",
        )


def require_department(principal: Principal, department: str, what: str) -> None:
    if not principal.can_see_department(department):
        raise AppError(
            403,
            "forbidden",
            f"{what}は{department}の担当です。ご自分の部局のボットだけを扱えます。",
            f"{what} belongs to {department}; a department token can only reach its own department's bots.",
        )


def _unauthorized() -> AppError:
    return AppError(
        401,
        "unauthorized",
        "管理 API のトークンがないか、無効です。「Authorization: Bearer <トークン>」を付けてください。",
        "Missing or invalid admin token. Send “Authorization: Bearer <token>”.",
        {"WWW-Authenticate": "Bearer"},
    )


def _expired(expired: datetime) -> AppError:
    day = f"{expired:%Y-%m-%d}"
    return AppError(
        401,
        "token_expired",
        f"この管理 API のトークンは有効期限（{day}）が切れています。`madoguchi token create` で新しいトークンを作ってください。",
        f"This admin token expired on {day}. Create a new one with `madoguchi token create`.",
        {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="the token has expired"'},
    )
