"""message path: one index fewer to update per stored message

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 17:05:00

Every resident message inserts two or three message rows. ``ix_messages_conversation_id``
duplicated the unique index on (conversation_id, idempotency_key), which starts with the same
column and serves the same look-ups (and the cascade of a purge).
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.drop_index("ix_messages_conversation_id")


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch_op:
        batch_op.create_index("ix_messages_conversation_id", ["conversation_id"], unique=False)
