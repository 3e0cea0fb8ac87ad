"""The audit log: changes, their steps, digest runs, decisions.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_NOW = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("event_id", sa.String(120), index=True),
        sa.Column("requested_by", sa.String(120), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("status", sa.String(20), nullable=False, index=True),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("undo_of", sa.String(40), sa.ForeignKey("changes.id")),
        sa.Column("created_at", _NOW, nullable=False),
        sa.Column("updated_at", _NOW, nullable=False),
    )
    op.create_table(
        "change_steps",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("change_id", sa.String(40), sa.ForeignKey("changes.id"), nullable=False,
                  index=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("system", sa.String(20), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.Text),
        sa.Column("started_at", _NOW),
        sa.Column("finished_at", _NOW),
        sa.UniqueConstraint("change_id", "seq"),
    )
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_day", sa.String(10), nullable=False, unique=True),
        sa.Column("channel", sa.String(80), nullable=False),
        sa.Column("message_ts", sa.String(40)),
        sa.Column("discrepancy_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", _NOW, nullable=False),
    )
    op.create_table(
        "decisions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("discrepancy_id", sa.String(200), nullable=False, index=True),
        sa.Column("decision", sa.String(20), nullable=False),
        sa.Column("decided_by", sa.String(120), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("change_id", sa.String(40), sa.ForeignKey("changes.id")),
        sa.Column("note", sa.Text),
        sa.Column("decided_at", _NOW, nullable=False),
    )


def downgrade() -> None:
    for table in ("decisions", "digest_runs", "change_steps", "changes"):
        op.drop_table(table)
