"""A crew message's delivery: the ``ts`` Slack gave it, or the error Slack answered.

- ``crew_notices.ts``: set once Slack confirmed the message; a claim without it (and
  without an error) is not confirmed, and the retry looks in the person's direct
  messages for it before sending again.
- ``crew_notices.error``: Slack refused the message (``channel_not_found``, ...).
- ``crew_notices.attempts``: which attempt holds the claim, so that only one process
  takes a not-confirmed claim over. Claims made before this migration count as sent
  (they were, at most once, under the old rule).

Revision ID: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("crew_notices") as table:
        table.add_column(sa.Column("ts", sa.String(32), nullable=True))
        table.add_column(sa.Column("error", sa.Text, nullable=True))
        table.add_column(sa.Column("attempts", sa.Integer, nullable=False,
                                   server_default="1"))
    # Older claims were sent before they could be confirmed: nothing to look for.
    op.execute("UPDATE crew_notices SET ts = 'before-0007' WHERE ts IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("crew_notices") as table:
        table.drop_column("attempts")
        table.drop_column("error")
        table.drop_column("ts")
