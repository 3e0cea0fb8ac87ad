"""The Home tab: published when a person opens it, and again for everyone watching when
a change lands anywhere (at most once per person every ten seconds, across replicas). A
Home that cannot be published is logged and left for the next opening or change."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from common.errors import CharterOpsError
from handlers.views.home import home_view
from services.usecases import home as home_case

if TYPE_CHECKING:
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
    """After a change landed: each watching person's Home, published from one read."""
    try:
        homes = home_case.to_refresh(deps)
    except CharterOpsError as error:
        logger.warning("the Homes were not refreshed: %s", error)
        return 0
    return sum(publish(client, home, deps=deps) for home in homes)
