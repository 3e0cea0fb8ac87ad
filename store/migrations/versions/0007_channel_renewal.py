"""Push channels: when to renew one, from the life the calendar granted it.

- ``calendar_sync.channel_renew_at``: set by the process that registered the channel,
  a share of the life Google granted before its expiry (Google may grant less than
  asked), so every process renews it in time, and none renews another's early.
  Channels from before have none: they are renewed an hour before they expire.

Revision ID: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.add_column(sa.Column("channel_renew_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("calendar_sync") as batch:
        batch.drop_column("channel_renew_at")
