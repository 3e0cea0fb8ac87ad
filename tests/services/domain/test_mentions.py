"""Slack's mentions read as the roster's people (services/domain/mentions.py)."""

from __future__ import annotations

import pytest

from common.errors import InputError
from services.domain.mentions import names_in_words, with_names
from services.domain.models import CrewMember
from services.domain.roster import Roster

ROSTER = Roster([CrewMember("Ana", ("mate",), "", "", slack_id="U0ANA"),
                 CrewMember("Gene Smith", ("captain",), "", "", slack_id="U0GENE"),
                 CrewMember("Gene Ortiz", ("captain",), "", "", slack_id="U0GENE2")])


def test_a_mention_with_or_without_a_label_is_the_member() -> None:
    assert with_names("swap danika <@U0ANA> <@U0ANA|whoever>", ROSTER) == "swap danika Ana Ana"


def test_a_first_name_shared_by_two_members_stays_whole() -> None:
    assert with_names("<@U0GENE> for <@U0GENE2>", ROSTER) == "Gene Smith for Gene Ortiz"


def test_someone_unknown_is_refused_by_name_or_named_by_id() -> None:
    with pytest.raises(InputError, match="@U0ZED is not in the roster"):
        with_names("swap danika <@U0ZED|zed> Ana", ROSTER)
    assert with_names("<@U0ZED> will cover", ROSTER, refuse_unknown=False) == "U0ZED will cover"


def test_channel_pings_and_links_are_left_as_they_are() -> None:
    text = "<!channel> see <https://example.com|this>"
    assert with_names(text, ROSTER) == text


def test_in_a_command_a_mention_is_one_word_even_when_the_name_has_two() -> None:
    words = names_in_words(["swap", "danika", "mate", "<@U0GENE2|gene>"], ROSTER)
    assert words == ["swap", "danika", "mate", "Gene Ortiz"]
    assert ROSTER.find(words[-1]) is not None and ROSTER.find(words[-1]).slack_id == "U0GENE2"
    with pytest.raises(InputError, match="@U0ZED is not in the roster"):
        names_in_words(["swap", "danika", "<@U0ZED>", "Ana"], ROSTER)
