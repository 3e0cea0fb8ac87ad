"""One runner at a time on a row: the lease both a change and a calendar's sync use;
and the first-insert-wins claim of a digest day, a Slack delivery or a crew message.

A row carries ``lease_owner`` and ``lease_expires_at``. The lease is free when nobody
holds it, it has expired, it is already ours, or its holder is a process known to
have died. Taking it is a compare-and-set on the holder seen: one conditional UPDATE
whose row count decides, so two claimants never both win, on SQLite and PostgreSQL
alike.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Result, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from common.changes import Lease


def aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes; everything stored here is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rows_matched(result: Result[*tuple[Any, ...]]) -> int:
    """The rows an UPDATE matched: Session.execute is typed as returning a Result for any
    statement, and for an UPDATE it is the CursorResult that counts them."""
    return cast("CursorResult[*tuple[Any, ...]]", result).rowcount


def take_lease(session: Session, model: Any, row: Any, *, where: ColumnElement[bool],
               owner: str, ttl: timedelta, now: datetime,
               owner_is_dead: Callable[[str], bool],
               also: tuple[ColumnElement[bool], ...] = ()) -> bool:
    """Take the lease on ``row`` (selected by ``where``) for ``owner``; False when another
    live holder has it, or when someone else took it between our read and our write."""
    holder, expires = row.lease_owner, row.lease_expires_at
    free = (holder is None or holder == owner
            or (expires is not None and aware(expires) <= now)
            or owner_is_dead(holder))
    if not free:
        return False
    seen = model.lease_owner.is_(None) if holder is None else model.lease_owner == holder
    taken = session.execute(
        update(model).where(where, seen, *also)
        .values(lease_owner=owner, lease_expires_at=now + ttl)
        .execution_options(synchronize_session=False))
    return bool(rows_matched(taken) == 1)


def renew_lease(session: Session, model: Any, *, where: ColumnElement[bool], lease: Lease,
                now: datetime) -> bool:
    """Push our lease's expiry ``ttl`` ahead; False when another runner holds it now."""
    kept = session.execute(
        update(model).where(where, model.lease_owner == lease.owner)
        .values(lease_expires_at=now + lease.ttl)
        .execution_options(synchronize_session=False))
    return bool(rows_matched(kept) == 1)


def release_lease(session: Session, model: Any, *, where: ColumnElement[bool], lease: Lease,
                  **values: Any) -> bool:
    """Give the lease up, writing ``values`` with it; False when it was no longer ours."""
    kept = session.execute(
        update(model).where(where, model.lease_owner == lease.owner)
        .values(lease_owner=None, lease_expires_at=None, **values)
        .execution_options(synchronize_session=False))
    return bool(rows_matched(kept) == 1)


def insert_once(sessions: Callable[[], Session], row: Any) -> bool:
    """Insert ``row``; False when its key is already there (another process, or an
    earlier delivery, claimed it first): the primary key decides between replicas."""
    with sessions() as session:
        session.add(row)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
        return True
