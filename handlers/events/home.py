"""The Home tab: published when a person opens it, and again for everyone watching when
a change lands anywhere (at most once per person every ten seconds, across replicas, and
once more when those ten seconds end if a change was held back by them). A Home that
cannot be published is logged and left for the next opening or change."""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.views.home import home_view
from services.usecases import home as home_case

if TYPE_CHECKING:
    from datetime import datetime

    from services.deps import Deps
    from services.usecases.home import Home

logger = logging.getLogger(__name__)


def opened(deps: Deps, event: dict[str, Any], client: Any) -> None:
    if event.get("tab") != "home" or not event.get("user"):
        return  # the Messages tab: nothing to publish
    try:
        home = home_case.opened(deps, event["user"])
    except CharterOpsError as error:  # the systems could not be read: said next time
        logger.warning("the Home of %s was not read: %s", event["user"], error)
        return
    publish(client, home, deps=deps)


def publish(client: Any, home: Home, *, deps: Deps, note: str | None = None) -> bool:
    """``note``: what the person's own decision did, shown on top (mrkdwn the bot wrote)."""
    try:
        client.views_publish(user_id=home.user_id,
                             view=home_view(home, tz=deps.config.tz, note=note))
    except Exception as error:  # a Home not published is not retried in a loop
        logger.warning("the Home of %s was not published: %s", home.user_id, error)
        return False
    return True


def refresh(deps: Deps, client: Any) -> int:
    """After a change landed: each watching person's Home, published from one read; those
    the throttle held back, when it ends (a trailing publish: the last change is shown)."""
    try:
        found = home_case.to_refresh(deps)
    except CharterOpsError as error:
        logger.warning("the Homes were not refreshed: %s", error)
        return 0
    for user_id, when in found.later:
        _later(deps, client, user_id, when)
    return sum(publish(client, home, deps=deps) for home in found.homes)


# One trailing publish waiting per person in this process (a second change within the
# throttle is shown by the same one); across replicas the compare-and-set picks one.
_waiting: set[tuple[int, str]] = set()
_waiting_lock = threading.Lock()
_MARGIN = 0.05  # seconds past the throttle's end, so the compare-and-set finds it over


def _later(deps: Deps, client: Any, user_id: str, when: datetime) -> None:
    key = (id(deps), user_id)
    with _waiting_lock:
        if key in _waiting:
            return
        _waiting.add(key)
    delay = max(0.0, (when - deps.clock()).total_seconds()) + _MARGIN
    timer = threading.Timer(delay, _trailing, args=(deps, client, user_id, key))
    timer.daemon = True  # a process stopping does not wait for a Home
    timer.start()


def _trailing(deps: Deps, client: Any, user_id: str, key: tuple[int, str]) -> None:
    with _waiting_lock:
        _waiting.discard(key)
    try:
        home = home_case.due(deps, user_id)
    except CharterOpsError as error:
        logger.warning("the Home of %s was not refreshed: %s", user_id, error)
        return
    if home is not None:
        publish(client, home, deps=deps)
