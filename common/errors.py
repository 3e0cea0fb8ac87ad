"""Typed errors, each carrying a message fit to show an operator.

    CharterOpsError
    ├── ConfigError            app.yaml or the environment is wrong
    │   └── MisnamedResourceError  a distribution that does not exist (also a source error)
    ├── InputError             a person typed something we cannot act on
    │   └── UnknownCharterError    no charter or several match what was typed
    ├── SourceUnavailableError an external system could not be read or written
    │   ├── CalendarAuthError      the Calendar API refused our credentials
    │   ├── SyncTokenExpiredError  the calendar wants a full read again (410)
    │   ├── MessageRefusedError    Slack answered a message with an error: it was not sent
    │   └── MailNotSentError       SES answered that it did not take an e-mail
    │       └── MailRefusedError       and would refuse it again (rejected, unverified sender)
    ├── ConflictError          the data changed under us (stale etag, failed condition)
    │   └── RefusedWriteError      a write outside the bot's bounds, refused unmade
    └── LeaseLostError         another process took over work this one was doing

Handlers and the CLI catch ``CharterOpsError`` and show ``str(error)``; anything
else is a bug and is allowed to surface with its traceback.
"""

from __future__ import annotations

from collections.abc import Sequence


class CharterOpsError(Exception):
    """Root of every error this product raises on purpose."""


class ConfigError(CharterOpsError):
    """The configuration file or an environment variable is unusable."""


class InputError(CharterOpsError):
    """User input that cannot be acted on; nothing was changed."""


class UnknownCharterError(InputError):
    """``held``: why the charters the query names are held for a person (two events
    claiming one record), so that "no charter matches" is never said of one that exists."""

    def __init__(self, query: str, candidates: Sequence[str] = (), *,
                 held: Sequence[str] = (), labels: Sequence[str] = ()) -> None:
        self.query = query
        self.candidates = tuple(candidates)
        # How each candidate is shown (with its boat, where they are on several boats).
        self.labels = tuple(labels) or self.candidates
        if self.candidates:
            listed = ", ".join(self.labels)
            message = f"'{query}' matches more than one charter: {listed}. Say which one."
        elif held:
            message = (f"'{query}' names a charter held for a person, so it cannot be shown "
                       f"or changed until they fix the calendar: {' '.join(held)}")
        else:
            message = f"No charter matches '{query}'."
        super().__init__(message)


class SourceUnavailableError(CharterOpsError):
    """An external system could not be reached or answered with an error."""


class CalendarAuthError(SourceUnavailableError):
    """The Calendar API refused to authorize (expired, revoked or missing credentials)."""


class ConflictError(CharterOpsError):
    """Someone else changed the data between our read and our write."""


class RefusedWriteError(ConflictError):
    """A write the bot will not make (a page key outside ``pages.prefix``): as a conflict,
    it stops the change unmade and leaves the decision to a person."""


class MisnamedResourceError(ConfigError, SourceUnavailableError):
    """A resource app.yaml names does not exist: nothing may be written until the key it
    names is fixed (a half-applied fix is worse than none). Also a SourceUnavailableError,
    so that a loop that survives an outage survives this too."""


class SyncTokenExpiredError(SourceUnavailableError):
    """The calendar no longer accepts the stored sync token (HTTP 410): read it in full."""


class MessageRefusedError(SourceUnavailableError):
    """Slack answered a message with an error (``channel_not_found``, ``user_not_found``,
    ...): it was not sent, and sending it again would be refused the same way. A lost
    answer or a timeout is a plain SourceUnavailableError: the message may have arrived."""


class MailNotSentError(SourceUnavailableError):
    """SES answered that it did not take a guest's e-mail (it kept throttling): it surely
    did not go, and may be sent later. A lost answer or a timeout is a plain
    SourceUnavailableError instead: the e-mail may have gone."""


class MailRefusedError(MailNotSentError):
    """SES refused a guest's e-mail (MessageRejected, a sender identity not verified,
    sending paused): it was not sent, and sending it again would be refused the same way
    until a person fixes the reason the message names."""


class LeaseLostError(CharterOpsError):
    """Another process took over a lease this one held (it was thought stalled or dead):
    this one stops at once and leaves the work to it."""

    def __init__(self, what: str, *, before: str) -> None:
        super().__init__(f"another process took over {what} (this one was thought stalled "
                         f"or gone): stopped before {before}, and left the rest to it")
        self.before = before
