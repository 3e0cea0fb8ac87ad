"""Live-sync alerts: whether a message still waits for a person.

- ``sync_alerts.needs_person``: the message was posted with *Approve* / *Dismiss*
  (true) or only to say what the live sync already fixed (false). A new drift on
  a charter updates the charter's alert only while it waits for a person and nobody
  has approved or dismissed it (``SyncState.open_alert``); otherwise it is a new
  message. Rows from before were all updated in place, so they start as true.

Revision ID: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sync_alerts") as batch:
        batch.add_column(sa.Column("needs_person", sa.Boolean, nullable=False,
                                   server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("sync_alerts") as batch:
        batch.drop_column("needs_person")
