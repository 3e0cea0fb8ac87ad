"""The live sync's last failed check of a calendar, and why.

- ``calendar_sync.failed_at`` and ``calendar_sync.failure``: set when a check of the
  calendar fails (its credentials revoked, the API down), with the reason in words; a
  failure later than ``synced_at`` is what the Home warns of, naming the reason.

Revision ID: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.add_column(sa.Column("failed_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("failure", sa.String(500)))


def downgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.drop_column("failure")
        batch.drop_column("failed_at")
