"""The latest news each person was told about each charter, and by which change.

- ``crew_news_latest``: (Slack user, event id) is the primary key; ``change_id``,
  ``text_sha`` (SHA-256 of the message) and ``told_at`` say what went last. Two changes
  carrying the same news (two replicas' fixes read moments apart) take this row by
  compare-and-set, and the second does not send it again.

Revision ID: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crew_news_latest",
        sa.Column("slack_id", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.Text, primary_key=True),
        sa.Column("change_id", sa.String(64), nullable=False),
        sa.Column("text_sha", sa.String(64), nullable=False),
        sa.Column("told_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("crew_news_latest")
