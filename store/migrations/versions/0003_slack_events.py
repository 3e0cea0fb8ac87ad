"""Slack events handled once; decisions that say which charter and what, in words.

- ``slack_events``: the id of every Events API event this app has handled, so a
  retry (``X-Slack-Retry-Num``) or the same event delivered to a second replica
  is acknowledged and ignored. Rows older than a day are pruned by the app.
- ``decisions.event_id`` and ``decisions.summary``: the charter a decision was
  about and what was decided, so the audit can be filtered by charter and read.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "slack_events",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("retry_num", sa.Integer),
    )
    with op.batch_alter_table("decisions") as batch:
        batch.add_column(sa.Column("event_id", sa.String(120)))
        batch.add_column(sa.Column("summary", sa.Text))
        batch.create_index("ix_decisions_event_id", ["event_id"])
        batch.create_index("ix_decisions_decided_by", ["decided_by"])


def downgrade() -> None:
    with op.batch_alter_table("decisions") as batch:
        batch.drop_index("ix_decisions_decided_by")
        batch.drop_index("ix_decisions_event_id")
        batch.drop_column("summary")
        batch.drop_column("event_id")
    op.drop_table("slack_events")
