"""token expiry: every admin token stops working on a date

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 17:00:00

``api_tokens.expires_at``: ``madoguchi token create --expires-in DAYS`` (default 365) sets it, and an
expired token is refused with 401. Tokens made before this migration get an expiry too, 365 days
from the moment it runs: they keep working for a year, and no token is valid for ever. A revoked
token keeps none (it does not work anyway). NULL still means "does not expire" to the code, so a
row written by an older worker during a rolling upgrade is not locked out.
"""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

EXISTING_TOKENS_DAYS = 365


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table(
        "api_tokens",
        sa.column("expires_at", sa.DateTime(timezone=True)),
        sa.column("revoked_at", sa.DateTime),
    )
    expires = datetime.now(UTC) + timedelta(days=EXISTING_TOKENS_DAYS)
    op.execute(tokens.update().where(tokens.c.revoked_at.is_(None)).values(expires_at=expires))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch_op:
        batch_op.drop_column("expires_at")
