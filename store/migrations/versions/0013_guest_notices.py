"""The guests' correction e-mails, each claimed once before it is sent.

- ``guest_notices``: one row per correction, keyed by ``key`` (a hash of the charter, the
  guest's address, what the correction follows and the facts it tells), inserted before
  the e-mail goes: the primary key decides between two replicas, a retried job and two
  changes bringing the same news. ``message_id`` (SES's) is set once SES took it,
  ``error`` once SES refused it; neither: *not confirmed*, never sent again by itself.
  ``address`` is the guest's, in full: the audit store is one of the two places it may be.

Revision ID: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "guest_notices",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.Text, nullable=False, index=True),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("news", sa.Text, nullable=False),
        sa.Column("change_id", sa.String(40), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("guest_notices")
