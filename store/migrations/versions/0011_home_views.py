"""Who opened the bot's Home tab, and when it was last published for them.

- ``home_views``: one row per Slack user (``slack_id``): ``opened_at`` (the latest
  ``app_home_opened``) and ``published_at`` (the latest ``views.publish``). A change that
  lands re-publishes the Home of each user who opened it within a day, taking the row
  by compare-and-set so that two replicas (or two changes at once) publish it once per
  ten seconds.

Revision ID: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "home_views",
        sa.Column("slack_id", sa.String(64), primary_key=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("home_views")
