"""The fakes refuse what the real systems refuse, with the adapters' own errors: a use
case tested on them meets the conflicts it would meet in production."""

from __future__ import annotations

import pytest

from common.errors import ConflictError
from tests.fakes import FakeCdn, FakePages, FakeRecords, md5_of


def test_a_record_is_updated_only_while_its_condition_holds() -> None:
    records = FakeRecords([{"eventId": "danika-may31", "mate": "Ana", "crew": ["Bo"]}])
    with pytest.raises(ConflictError, match="changed since it was read"):
        records.update("danika-may31", changes={"mate": "Tess"}, expected={"mate": "Angelia"})
    with pytest.raises(ConflictError, match="changed since it was read"):
        records.update("danika-may31", changes={"mate": "Tess"}, expected={"captain": None,
                                                                           "crew": None})
    with pytest.raises(ConflictError):
        records.update("nobody-jun1", changes={"mate": "Tess"}, expected={})
    with pytest.raises(ConflictError, match="created by someone else"):
        records.create({"eventId": "danika-may31"})
    assert records.items["danika-may31"] == {"eventId": "danika-may31", "mate": "Ana",
                                             "crew": ["Bo"]}

    records.update("danika-may31", changes={"mate": "Tess", "crew": None},
                   expected={"mate": "Ana", "captain": None})
    assert records.items["danika-may31"] == {"eventId": "danika-may31", "mate": "Tess"}
    assert records.writes == 5  # refused attempts are calls too


def test_a_caller_reference_is_one_invalidation_and_other_paths_are_refused() -> None:
    cdn = FakeCdn()
    first = cdn.invalidate(["charters/a.html"], caller_reference="change-1")
    assert cdn.invalidate(["/charters/a.html"], caller_reference="change-1") == first
    with pytest.raises(ConflictError, match="already used for other paths"):
        cdn.invalidate(["charters/b.html"], caller_reference="change-1")
    assert [i.paths for i in cdn.invalidations] == [("/charters/a.html",)]
    assert cdn.invalidate([], caller_reference="change-2") == ""


def test_a_page_is_known_by_the_md5_of_its_bytes() -> None:
    pages = FakePages({"charters/a.html": "<p>old</p>"})
    assert pages.current_md5("charters/a.html") == md5_of("<p>old</p>")
    uploaded = pages.upload("charters/a.html", "<p>new</p>")
    assert uploaded.content_md5 == pages.current_md5("charters/a.html") == md5_of("<p>new</p>")
    assert pages.current_md5("charters/b.html") is None
    assert (pages.writes, pages.fetch("charters/a.html")) == (1, "<p>new</p>")
