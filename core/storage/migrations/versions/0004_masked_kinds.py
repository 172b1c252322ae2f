"""masked kinds: messages.personal_data becomes messages.masked_kinds

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 17:10:00

The column has always held the kinds of personal data masked in a message ("phone,email"), never
the data itself; its old name read as if the message kept personal data. Same type, same values
(comma-separated kinds, NULL when nothing was masked), so the rename is the whole change: on
PostgreSQL a catalog update, on SQLite a rebuild of the table (batch mode).
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.alter_column("personal_data", new_column_name="masked_kinds")


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.alter_column("masked_kinds", new_column_name="personal_data")
