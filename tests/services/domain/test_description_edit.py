"""A swap edits the description's crew line and nothing else: plain text stays plain, and
HTML from Google's editor keeps its links, bold text and other lines."""

from __future__ import annotations

import pytest

from services.domain.calendar.description import parse_description, plain_text
from services.domain.calendar.description_edit import set_people

GOOGLE = ('<b>Guest:</b> Danika<br>Guests: 12<br>Captain: Gene<br>Mate: Ana<br>'
          'Crew: Bo<br><br>Parking: <a href="https://maps.example/dock-b">Dock B lot</a>'
          '<br><i>Bring sunscreen</i>')


def test_a_plain_description_is_edited_as_lines() -> None:
    edited = set_people("Guest: Danika\nCaptain: Gene\nMate: Ana\nCrew: Bo\n\nNotes: none",
                        role="mate", names=["Tess"])
    assert edited == "Guest: Danika\nCaptain: Gene\nMate: Tess\nCrew: Bo\n\nNotes: none"


def test_html_keeps_its_links_and_formatting_and_only_the_crew_line_changes() -> None:
    edited = set_people(GOOGLE, role="mate", names=["Tess"])
    assert edited == GOOGLE.replace("Mate: Ana", "Mate: Tess")
    fields = parse_description(edited)
    assert (fields.captain, fields.mate, fields.crew) == ("Gene", "Tess", ("Bo",))


def test_a_bold_label_is_rewritten_as_plain_text_without_leaving_a_tag_open() -> None:
    text = "<p><b>Captain:</b> Gene</p><p><b>Mate:</b> Ana</p><p>Dock B</p>"
    edited = set_people(text, role="mate", names=["Tess"])
    assert edited == "<p><b>Captain:</b> Gene</p><p><b></b>Mate: Tess</p><p>Dock B</p>"


# Shapes Google's editor and people produce: headings, rules, lists, paragraphs left
# open, a bold run across two lines. Each must read back as the swap meant.
SHAPES = [
    "<h2>Crew</h2>Captain: Gene<br>Mate: Ana<br>Crew: Bo<br>Notes",
    "Guest: Dan<br>Guests: 4<hr>Captain: Gene<br>Mate: Ana<br>Crew: Bo",
    "<b>Guest:</b> Dan<br>Guests: 4<p>Captain: Gene</p><p>Mate: Ana</p>Crew: Bo",
    "<ul><li>Captain: Gene</li><li>Mate: Ana</li><li>Crew: Bo</li></ul>Bring hats",
    "<b>Captain: Gene<br>Mate: Ana</b><br>Crew: Bo<br>Notes",
    "Captain: Gene\r\nMate: Ana\r\nCrew: Bo<br><a href='https://x.example'>map</a>",
    "<p>Captain: <a href='mailto:gene@x.example'>Gene</a></p><p>Mate: Ana</p>",
]


@pytest.mark.parametrize("text", SHAPES)
@pytest.mark.parametrize(("role", "names"), [("captain", ["Tess"]), ("mate", ["Tess"]),
                                             ("crew", ["Tess", "Bo"]), ("crew", [])])
def test_every_shape_reads_back_as_the_swap_meant_with_its_tags_balanced(
        text: str, role: str, names: list[str]) -> None:
    edited = set_people(text, role=role, names=names)
    before, after = parse_description(text), parse_description(edited)
    want = {"captain": before.captain, "mate": before.mate, "crew": before.crew}
    want[role] = tuple(names) if role == "crew" else (names[0] if names else None)
    assert (after.captain, after.mate, after.crew) == (want["captain"], want["mate"],
                                                       want["crew"])
    assert after.problems == ()
    for tag in ("b", "a", "p", "li", "ul"):
        assert edited.count(f"<{tag}") - edited.count(f"<{tag}r") == edited.count(f"</{tag}>") \
            or text.count(f"<{tag}") != text.count(f"</{tag}>"), (tag, edited)


@pytest.mark.parametrize(("names", "expected"), [
    (["Tess"], GOOGLE.replace("Crew: Bo<br>", "Crew: Tess<br>")),
    ([], GOOGLE.replace("Crew: Bo<br>", "")),
])
def test_a_crew_line_is_replaced_or_removed_whole(names: list[str], expected: str) -> None:
    assert set_people(GOOGLE, role="crew", names=names) == expected


def test_a_missing_line_is_added_after_the_crew_block_with_a_break_of_its_own() -> None:
    text = "Captain: Gene<br><a href='https://x.example'>map</a>"
    edited = set_people(text, role="mate", names=["Tess"])
    assert edited == "Captain: Gene<br>Mate: Tess<br><a href='https://x.example'>map</a>"
    last = set_people("<b>Note</b><br>Captain: Gene", role="mate", names=["Tess"])
    assert last == "<b>Note</b><br>Captain: Gene<br>Mate: Tess"
    assert parse_description(last).mate == "Tess"


def test_a_name_with_markup_characters_is_escaped_not_taken_for_html() -> None:
    edited = set_people(GOOGLE, role="mate", names=["Tess <T&S>"])
    assert "Mate: Tess &lt;T&amp;S&gt;<br>" in edited
    assert "Mate: Tess <T&S>" in plain_text(edited)


def test_text_that_looks_like_markup_survives_an_edit() -> None:
    # Typed in Google's editor as '<!channel>': an edit must not turn it into a tag that
    # the next read drops, in the HTML edit or in the plain rewrite.
    text = "<b>Captain:</b> Gene<br>Mate: Ana<br>Crew: Bo, Mallory &lt;!channel&gt;"
    edited = set_people(text, role="mate", names=["Tess"])
    assert parse_description(edited).crew == ("Bo", "Mallory <!channel>")
    plain = set_people("Captain: Gene\nNotes: a & b <c>", role="mate", names=["Tess"])
    assert plain_text(plain) == "Captain: Gene\nMate: Tess\nNotes: a & b <c>"
