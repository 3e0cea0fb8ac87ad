"""Reading '/charter audit danika by Gene' and who a person may be recorded as."""

from __future__ import annotations

import pytest

from common.errors import InputError
from services.domain.models import CrewMember
from services.domain.roster import Roster
from services.usecases.audit_history import AuditQuery, actor_ids, parse_query

ROSTER = Roster([CrewMember("Gene", ("captain",), "", "gene@x.com", "U0GENE")])


@pytest.mark.parametrize(("text", "query"), [
    ("", AuditQuery()),
    ("Danika", AuditQuery(event="danika")),
    ("danika-may31 by Gene", AuditQuery(event="danika-may31", actor="Gene")),
    ("--actor U0NOBODY", AuditQuery(actor="U0NOBODY")),
    ("by <@U0GENE|gene> quinn", AuditQuery(event="quinn", actor="<@U0GENE|gene>")),
    ("<@U0GENE>", AuditQuery(actor="<@U0GENE>")),
])
def test_the_audit_query(text: str, query: AuditQuery) -> None:
    assert parse_query(text) == query


@pytest.mark.parametrize(("text", "message"), [
    ("danika quinn", "Name one charter, not `danika quinn`"),
    ("danika by", "Say whose decisions after `by`"),
])
def test_an_unclear_audit_query_is_refused(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_query(text)


def test_a_person_is_found_by_roster_name_slack_id_mention_or_cli_user() -> None:
    assert "U0GENE" in actor_ids("gene", ROSTER)
    assert actor_ids("<@U0GENE|gene>", ROSTER) == ("U0GENE",)
    assert "cli:alice" in actor_ids("alice", ROSTER)
    assert "U0NOBODY" in actor_ids("u0nobody", ROSTER)
