"""The scheduler's jobs, as plain functions over the dependencies: morning digest, nightly
sync, retry of interrupted changes. bot/scheduler.py only decides when they run; what
is posted is laid out by the ops channel it is given (handlers/channel.py)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from common.errors import CharterOpsError
from services.deps import Deps
from services.domain.models import ReconcileResult
from services.usecases.digest import Digest, digest_of

logger = logging.getLogger(__name__)

PostDigest = Callable[[Digest], object]
Warn = Callable[[str], None]  # a job's failure, in words

# A day's nightly-sync claim outlives the day it is for.
NIGHTLY_CLAIM_KEPT = timedelta(days=2)


def morning_digest(deps: Deps, post: PostDigest) -> bool:
    """Post today's digest unless another process already did (False then)."""
    result = deps.reconcile()
    today = deps.clock().astimezone(deps.config.tz).date().isoformat()
    if not deps.audit.claim_digest(day=today, channel=deps.config.slack.channel,
                                  discrepancy_count=len(result.discrepancies)):
        logger.info("digest for %s already posted by another process", today)
        return False
    post(digest_of(deps, result))
    return True


def automatic_fixes(deps: Deps, result: ReconcileResult) -> list[str]:
    """The ids the nightly sync may fix alone: kinds marked automatic in app.yaml, and
    never for a charter leaving within the freeze window."""
    allowed = set(deps.config.sync.auto_fix)
    freeze_until = deps.clock() + timedelta(hours=deps.config.sync.freeze_hours)
    ids = []
    for item in result.discrepancies:
        want = result.desired.get(item.event_id)
        if str(item.kind) not in allowed or not item.fix:
            continue
        if want is not None and want.charter.start <= freeze_until:
            continue
        ids.append(item.id)
    return ids


def nightly_sync(deps: Deps) -> str:
    """Fix the automatic kinds, once a day across every replica: two replicas that read at
    moments apart would see overlapping sets of discrepancies, fix them as two changes
    and tell the same crew the same news twice."""
    today = deps.clock().astimezone(deps.config.tz).date().isoformat()
    if not deps.audit.claim_event(f"nightly-sync-{today}", keep=NIGHTLY_CLAIM_KEPT):
        logger.info("nightly sync for %s already run by another process", today)
        return f"nightly sync: already run for {today} by another process"
    result = deps.reconcile()
    ids = automatic_fixes(deps, result)
    if not ids:
        return f"nightly sync: {len(result.discrepancies)} found, none to fix automatically"
    report = deps.changes.apply_fixes(result, ids, requested_by="scheduler", source="scheduler")
    applied = sum(o.status == "applied" for o in report.outcomes)
    news = f"; {report.news}" if report.news else ""
    summary = (f"nightly sync: {applied} of {len(ids)} fixed automatically; "
               f"{len(result.discrepancies) - applied} left for the digest{news}")
    logger.info("%s", summary)
    return summary


def retry_interrupted(deps: Deps) -> int:
    """Finish the changes a crash or an outage left part way; those another runner holds
    (another replica's retry, a person's command) are left to it."""
    outcomes = deps.changes.resume()
    for outcome in outcomes:
        logger.info("retry: resumed change %s: %s%s", outcome.change_id, outcome.status,
                    f" ({outcome.news})" if outcome.news else "")
    # Changes a command line without Slack finished: their crew is told from here.
    for line in deps.changes.tell_untold():
        logger.info("retry: told the crew of change %s", line)
    return len(outcomes)


def guarded(name: str, job: Callable[[], object], warn: Warn, *,
            beat: Callable[[str], None] | None = None) -> Callable[[], None]:
    """A failing job logs and tells the channel; the scheduler keeps running. ``beat``:
    told after the job succeeded (HEARTBEAT_URL), never after it failed."""

    def run() -> None:
        try:
            job()
        except CharterOpsError as error:
            logger.warning("%s failed: %s", name, error)
            warn(f"The {name} could not run: {error}")
        except Exception:  # a bug: keep the scheduler alive, keep the trace, say so
            logger.exception("%s failed", name)
            warn(f"The {name} failed unexpectedly; see the bot's log.")
        else:
            if beat is not None:  # outside the job's try: a heartbeat never fails the job
                beat(name)

    return run
