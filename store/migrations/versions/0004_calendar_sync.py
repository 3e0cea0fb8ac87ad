"""Live sync: where the calendar's incremental read stands, and the alerts it posted.

- ``calendar_sync``: one row per calendar: the last ``nextSyncToken`` whose changes
  were fully handled, and a lease so that one process at a time reads from it.
  The row also holds the push channel (``events.watch``) every process shares.
- ``sync_processes``: the processes following the calendar, and when each was last
  seen, so that only the last one to leave stops the push channel.
- ``sync_alerts``: the Slack message posted for each discrepancy the live sync
  alerted on, so the same discrepancy again updates that message.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "calendar_sync",
        sa.Column("calendar_id", sa.String(300), primary_key=True),
        sa.Column("sync_token", sa.Text),
        sa.Column("lease_owner", sa.String(200)),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True)),
        sa.Column("synced_at", sa.DateTime(timezone=True)),
        sa.Column("channel_id", sa.String(64)),
        sa.Column("channel_token", sa.String(128)),
        sa.Column("channel_resource_id", sa.String(200)),
        sa.Column("channel_address", sa.Text),
        sa.Column("channel_expires_at", sa.DateTime(timezone=True)),
    )
    op.create_table(
        "sync_processes",
        sa.Column("runner_id", sa.String(200), primary_key=True),
        sa.Column("calendar_id", sa.String(300), nullable=False, index=True),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "sync_alerts",
        sa.Column("discrepancy_id", sa.String(200), primary_key=True),
        sa.Column("event_id", sa.String(120), nullable=False, index=True),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("message_ts", sa.String(40), nullable=False),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("sync_alerts")
    op.drop_table("sync_processes")
    op.drop_table("calendar_sync")
