"""Log lines never carry a secret, whichever the format, wherever it hides in the line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from bot.logging_setup import configure_logging
from common.log_context import change_id, request_id

SECRET = "s3cr3t-signing-value"


@pytest.fixture
def restore_root() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.mark.parametrize("log_format", ["json", None])
def test_a_secret_is_redacted_from_messages_arguments_and_tracebacks(
        log_format: str | None, restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(log_format=log_format, secrets=[SECRET, ""], stream=out)
    log = logging.getLogger("charter-test")
    log.info("signing with %s", SECRET)
    log.info("a token someone pasted: xoxb-123-456-abcdef")
    try:
        raise RuntimeError(f"rejected {SECRET}")
    except RuntimeError:
        log.exception("failed")
    text = out.getvalue()
    assert SECRET not in text and "xoxb-123" not in text
    assert text.count("[redacted]") == 3


def test_json_lines_name_the_request_and_the_change(restore_root: None) -> None:
    out = io.StringIO()
    configure_logging(log_format="json", secrets=[], stream=out)
    tokens = request_id.set("req123"), change_id.set("chg456")
    try:
        logging.getLogger("charter-test").warning("step done")
    finally:
        request_id.reset(tokens[0])
        change_id.reset(tokens[1])
    [line] = out.getvalue().splitlines()
    entry = json.loads(line)
    assert (entry["request_id"], entry["change_id"], entry["message"], entry["level"]) == \
        ("req123", "chg456", "step done", "WARNING")
