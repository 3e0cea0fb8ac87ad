"""Ids read from DynamoDB fit the audit store, however long a record's own id is.

- ``changes.event_id``, ``decisions.event_id``, ``sync_alerts.event_id``: a record's
  ``eventId`` (DynamoDB allows 2,048 bytes), were ``varchar(120)``;
- ``decisions.discrepancy_id``, ``sync_alerts.discrepancy_id``: that id with a field
  and a hash, were ``varchar(200)``;
- ``change_steps.target``: a page key (S3 allows 1,024 bytes) or a record id, was
  ``varchar(300)``.

All become ``text``. The ids the bot derives from the calendar are bounded where they
are made (services/domain/calendar/event_ids.py); these hold what other writers put in the
table. SQLite does not enforce a varchar's length, so only other databases change.

Revision ID: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_WIDENED = (("changes", "event_id", 120), ("decisions", "event_id", 120),
            ("sync_alerts", "event_id", 120), ("decisions", "discrepancy_id", 200),
            ("sync_alerts", "discrepancy_id", 200), ("change_steps", "target", 300))


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in _WIDENED:
        op.alter_column(table, column, type_=sa.Text(), existing_type=sa.String(length))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, length in _WIDENED:
        op.alter_column(table, column, type_=sa.String(length), existing_type=sa.Text())
