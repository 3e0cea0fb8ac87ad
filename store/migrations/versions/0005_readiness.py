"""Crew told once: one row per person a change's direct message went to.

- ``crew_notices``: (change id, Slack user) is the primary key, so a resumed change,
  a second click or a second replica never sends the same person the same news twice.

Revision ID: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "crew_notices",
        sa.Column("change_id", sa.String(64), primary_key=True),
        sa.Column("slack_id", sa.String(64), primary_key=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("crew_notices")
