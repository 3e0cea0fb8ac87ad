"""When CloudFront refuses the one invalidation of an apply, the summary says what reached
each system, and the next apply finishes the invalidation. The seed's weekend through the
CLI, CreateInvalidation answered with TooManyInvalidationsInProgress on the wire."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from tests.aws_faults import AwsFaults, cloudfront_error

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]


def test_a_refused_invalidation_is_reported_per_system_and_finished_next_time(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    aws_faults.fail("cloudfront", "CreateInvalidation", answer=cloudfront_error(
        "TooManyInvalidationsInProgress", "Your request contains too many invalidations."))
    assert main(["apply", "--all", *WINDOW]) == 1
    out = capsys.readouterr().out
    assert "0 of 9 applied" not in out
    assert "6 of 9 applied, 3 partly (what was written stays written); the rest is finished " \
           "by the next apply" in out
    assert "DynamoDB: 4 of 4 records written · S3: 3 of 3 pages uploaded · CloudFront: " \
           "invalidation not done (CloudFront invalidation failed: " in out
    assert "TooManyInvalidationsInProgress" in out
    partly = [line for line in out.splitlines() if line.strip().startswith("partly applied")]
    assert len(partly) == 3
    assert all("guest page written; CloudFront invalidation not done" in line
               for line in partly)
    assert aws_calls["PutItem"] == 2 and aws_calls["UpdateItem"] == 2
    assert aws_calls["PutObject"] == 3

    # What the summary says is what the systems hold.
    s3 = cli_sandbox.client("s3")
    html = s3.get_object(Bucket="sailjada-public",
                         Key="charters/guests/danika-guest.html")["Body"].read().decode()
    assert "3:00–7:00 PM" in html

    # CloudFront accepts again: the next apply resumes the change and invalidates once.
    aws_faults.clear()
    aws_calls.clear()
    assert main(["apply", "--all", *WINDOW]) == 0
    err = capsys.readouterr().err  # what was resumed is said beside the output, on stderr
    assert "resumed an interrupted change" in err and " done" in err
    assert aws_calls["CreateInvalidation"] == 1
    assert aws_calls["PutObject"] == aws_calls["PutItem"] == aws_calls["UpdateItem"] == 0
    cloudfront = cli_sandbox.client("cloudfront")
    distribution = cli_sandbox.config.pages.distribution_id
    items = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"][
        "Items"]
    batches = [cloudfront.get_invalidation(DistributionId=distribution, Id=i["Id"])[
        "Invalidation"]["InvalidationBatch"] for i in items]
    [ours] = [b for b in batches if b["CallerReference"].startswith("charter-ops-change-")]
    assert sorted(ours["Paths"]["Items"]) == ["/charters/guests/danika-guest.html",
                                              "/charters/guests/jonathan-may31.html",
                                              "/charters/guests/quinn-may30.html"]
    assert main(["reconcile", "--json", *WINDOW]) == 0
    assert json.loads(capsys.readouterr().out)["discrepancies"] == []
