"""The SES adapter against moto's server (sesv2 SendEmail), with faults at the wire: sent
once with the sender verified, throttling waited out, a refusal named and never tried
again.

moto's server, not the in-process ``mock_aws``: botocore hands a request to every
before-send hook and keeps the first answer, so under ``mock_aws`` moto would take (and
record as sent) the very request a fault answers with a throttle. Over HTTP, a request a
fault answers never leaves the process, as a throttled one never reaches SES's queue."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config as BotoConfig
from moto.core import DEFAULT_ACCOUNT_ID
from moto.server import ThreadedMotoServer
from moto.ses.models import ses_backends

from common.errors import MailNotSentError, MailRefusedError
from services.adapters.guest_mail import GuestMailer
from services.domain.guests.mail import SAMPLE, MailTemplates
from tests.aws_faults import AwsFaults, sesv2_error

REGION = "us-west-2"
SENDER = "bookings@sailjada.com"
GUEST = "danika@example.com"
MAIL = MailTemplates().render(SAMPLE)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def ses(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    # moto keeps its state per process, not per server: each test starts from empty.
    urllib.request.urlopen(urllib.request.Request(
        f"{moto_endpoint}/moto-api/reset", method="POST"), timeout=10).close()
    # As bot/wiring.py builds it for a send: botocore never retries on its own.
    return boto3.client("sesv2", region_name=REGION, endpoint_url=moto_endpoint,
                        config=BotoConfig(retries={"max_attempts": 0, "mode": "standard"}))


def sent() -> list[Any]:
    return list(ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages)


def sends(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.sesv2.SendEmail",
                                lambda **_: calls.append("SendEmail"))
    return calls


def mailer(client: Any, waits: list[float] | None = None) -> GuestMailer:
    return GuestMailer(sesv2_client=client, from_address=SENDER,
                       from_name="Queen of San Diego",
                       sleep=(waits if waits is not None else []).append)


def test_with_the_sender_verified_the_mail_is_sent_and_its_message_id_returned(
        ses: Any) -> None:
    ses.create_email_identity(EmailIdentity=SENDER)
    message_id = mailer(ses).send(to=GUEST, mail=MAIL)
    [message] = sent()
    assert message_id == message.id
    assert message.destinations == {"ToAddresses": [GUEST]}
    assert message.source == f"Queen of San Diego <{SENDER}>"
    assert message.subject == MAIL.subject
    assert "3:00–7:00 PM" in message.body


def test_an_unverified_sender_is_refused_named_and_not_tried_again(ses: Any) -> None:
    # moto refuses it as SES does: MessageRejected, "Email address not verified <sender>".
    calls = sends(ses)
    with pytest.raises(MailRefusedError) as refused:
        mailer(ses).send(to=GUEST, mail=MAIL)
    assert str(refused.value) == (
        f"SES refused the e-mail: the sender {SENDER} is not verified in SES (verify it "
        "there, or fix guests.from_address). Not sent.")
    assert calls == ["SendEmail"]
    assert sent() == []


def test_throttled_twice_then_accepted_is_one_mail(ses: Any) -> None:
    ses.create_email_identity(EmailIdentity=SENDER)
    faults = AwsFaults(ses.meta.events)
    faults.fail("sesv2", "SendEmail", times=2, answer=sesv2_error(
        "TooManyRequestsException", "Maximum sending rate exceeded.", status=429))
    calls, waits = sends(ses), []
    message_id = mailer(ses, waits).send(to=GUEST, mail=MAIL)
    assert faults.failed == ["sesv2:SendEmail"] * 2
    assert calls == ["SendEmail"] * 3
    assert [m.id for m in sent()] == [message_id]
    assert waits == [0.5, 1.0]


def test_throttled_to_the_end_is_not_sent_and_says_so(ses: Any) -> None:
    ses.create_email_identity(EmailIdentity=SENDER)
    faults = AwsFaults(ses.meta.events)
    faults.fail("sesv2", "SendEmail", answer=sesv2_error(
        "TooManyRequestsException", "Maximum sending rate exceeded.", status=429))
    waits: list[float] = []
    with pytest.raises(MailNotSentError, match="kept throttling the e-mail \\(5 tries\\)"):
        mailer(ses, waits).send(to=GUEST, mail=MAIL)
    assert len(faults.failed) == 5 and waits == [0.5, 1.0, 2.0, 4.0]
    assert sent() == []


def test_a_rejection_quoting_the_guest_is_named_with_the_address_masked(ses: Any) -> None:
    ses.create_email_identity(EmailIdentity=SENDER)
    faults = AwsFaults(ses.meta.events)
    faults.fail("sesv2", "SendEmail", answer=sesv2_error(
        "MessageRejected", "Email address is not verified. The following identities failed "
        f"the check in region US-WEST-2: {GUEST.upper()}"))
    calls = sends(ses)
    with pytest.raises(MailRefusedError) as refused:
        mailer(ses).send(to=GUEST, mail=MAIL)
    said = str(refused.value)
    assert "in the SES sandbox only verified recipients receive mail" in said
    assert "d•••@example.com" in said and GUEST not in said.lower()
    assert calls == ["SendEmail"]


def test_an_address_with_a_line_break_never_reaches_ses(ses: Any) -> None:
    ses.create_email_identity(EmailIdentity=SENDER)
    calls = sends(ses)
    with pytest.raises(MailRefusedError, match="holds a line break"):
        mailer(ses).send(to=f"{GUEST}\r\nBcc: everyone@example.com", mail=MAIL)
    assert calls == []
