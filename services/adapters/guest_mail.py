"""Amazon SES (the v2 API's SendEmail): one correction e-mail to one guest, its MessageId
back.

The client must not retry on its own (bot/wiring.py's ``aws_client(..., retries=False)``):
botocore's retries cover a lost answer and a 5xx too, and a SendEmail sent again after
one of those may reach the guest twice. Here only what SES answered it did not take is
tried again: throttling (``TooManyRequestsException``), with a growing wait, a bounded
number of times. A refusal (``MessageRejected``, a sender not verified, sending paused)
is named and never tried again; a lost answer is a SourceUnavailableError, since the
e-mail may have gone, and whoever sent it decides (the claim stays *not confirmed*).

A guest's address appears in no error this module raises: SES's own messages may quote
it (an unverified recipient in the sandbox), so it is masked there.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from email.utils import formataddr
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from common.errors import MailNotSentError, MailRefusedError, SourceUnavailableError
from services.domain.guests.address import address_problem, mask
from services.domain.guests.mail import RenderedMail

THROTTLED = frozenset({"TooManyRequestsException", "Throttling", "ThrottlingException"})
# SES will refuse these the same way until a person acts.
REFUSED = frozenset({"MessageRejected", "MailFromDomainNotVerifiedException",
                     "AccountSuspendedException", "SendingPausedException",
                     "BadRequestException", "NotFoundException", "LimitExceededException"})
# Tries of one e-mail while SES throttles, and the first wait (doubled after each).
ATTEMPTS = 5
FIRST_WAIT = 0.5


class GuestMailer:
    def __init__(self, *, sesv2_client: Any, from_address: str, from_name: str | None = None,
                 attempts: int = ATTEMPTS, first_wait: float = FIRST_WAIT,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        """``from_name``: shown to the guest beside the sender (the operator's name)."""
        self._ses = sesv2_client
        self._from = formataddr((from_name, from_address)) if from_name else from_address
        self._sender = from_address
        self._attempts = max(1, attempts)
        self._first_wait = first_wait
        self._sleep = sleep

    def send(self, *, to: str, mail: RenderedMail) -> str:
        """Sends ``mail`` to ``to``; the MessageId SES gave it."""
        problem = address_problem(to)
        if problem:
            raise MailRefusedError(f"The guest's address {problem}: not sent.")
        request = {
            "FromEmailAddress": self._from,
            "Destination": {"ToAddresses": [to]},
            "Content": {"Simple": {
                "Subject": {"Data": mail.subject, "Charset": "UTF-8"},
                "Body": {"Text": {"Data": mail.text, "Charset": "UTF-8"},
                         "Html": {"Data": mail.html, "Charset": "UTF-8"}}}},
        }
        wait = self._first_wait
        for attempt in range(1, self._attempts + 1):
            try:
                return str(self._ses.send_email(**request)["MessageId"])
            except ClientError as error:
                code = error.response.get("Error", {}).get("Code", "")
                said = _masked(str(error.response.get("Error", {}).get("Message", "")), to)
                if code in THROTTLED and attempt < self._attempts:
                    self._sleep(wait)
                    wait *= 2
                    continue
                if code in THROTTLED:
                    raise MailNotSentError(
                        f"SES kept throttling the e-mail ({self._attempts} tries): not "
                        "sent; it can be sent again later") from None
                if code in REFUSED:
                    raise MailRefusedError(self._refusal(code, said)) from None
                raise SourceUnavailableError(
                    f"SES answered {code or 'an error'} ({said}): the e-mail may have "
                    "gone") from None
            except BotoCoreError as error:
                raise SourceUnavailableError(
                    f"No answer from SES ({type(error).__name__}): the e-mail may have "
                    "gone") from None
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _refusal(self, code: str, said: str) -> str:
        if "not verified" in said.casefold() and self._sender.casefold() in said.casefold():
            return (f"SES refused the e-mail: the sender {self._sender} is not verified in "
                    "SES (verify it there, or fix guests.from_address). Not sent.")
        if "not verified" in said.casefold():
            return (f"SES refused the e-mail: an address is not verified ({said}); in the "
                    "SES sandbox only verified recipients receive mail. Not sent.")
        return f"SES refused the e-mail ({code}: {said}). Not sent."


def _masked(text: str, address: str) -> str:
    """SES's message with the guest's address masked (it may quote it)."""
    if not address:
        return text
    return re.sub(re.escape(address), mask(address), text, flags=re.IGNORECASE)
