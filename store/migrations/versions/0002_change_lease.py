"""A lease on each change, so that one runner at a time carries it out; and the key of
the words that asked for it, so that the same request again finds it.

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("changes") as table:
        table.add_column(sa.Column("lease_owner", sa.String(200)))
        table.add_column(sa.Column("lease_expires_at", sa.DateTime(timezone=True)))
        table.add_column(sa.Column("request_key", sa.String(200)))
        table.create_index("ix_changes_request_key", ["request_key"])


def downgrade() -> None:
    with op.batch_alter_table("changes") as table:
        table.drop_index("ix_changes_request_key")
        table.drop_column("request_key")
        table.drop_column("lease_expires_at")
        table.drop_column("lease_owner")
