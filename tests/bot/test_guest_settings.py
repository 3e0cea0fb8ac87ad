"""The ``guests:`` settings and the correction e-mail's templates: each bad value refused at
load naming its key, an operator's template with a missing variable or a syntax error
refused at start naming the file and the line, and the HTML part escaping what it shows."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config, parse_config
from common.errors import ConfigError
from services.domain.guests.facts import FactChange, GuestFacts
from services.domain.guests.mail import SAMPLE, Correction, MailTemplates
from services.domain.pages.own_template import SAMPLE as SAMPLE_PAGE
from services.domain.pages.rendering import PageRenderer

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = (ROOT / "app.yaml").read_text(encoding="utf-8")


def with_guests(lines: str) -> str:
    """The shipped settings with their guests: section made of ``lines`` alone."""
    start, end = SHIPPED.index("\n# Telling guests"), SHIPPED.index("\n# The roster")
    return f"{SHIPPED[:start]}\nguests:\n{lines}{SHIPPED[end:]}"


def refusal(text: str, *, base: Path | None = None) -> str:
    with pytest.raises(ConfigError) as error:
        parse_config(text, base=base)
    return str(error.value)


def test_the_shipped_settings_tell_guests_when_asked_of_the_four_facts() -> None:
    guests = load_config(ROOT / "app.yaml").guests
    assert (guests.notify, guests.tell_on) == ("ask", ("date", "arrival", "location", "boat"))
    assert str(guests.quiet) == "21:00-08:00"
    assert guests.email_attribute == "guestEmail"


@pytest.mark.parametrize(("lines", "said"), [
    ("  notify: sometimes\n", "guests.notify: 'sometimes' is not a policy; use ask, auto or off"),
    ("  tell_on: [arrival, crew]\n", "guests.tell_on: crew: not a fact a guest is told"),
    ("  tell_on: [arrival, arrival]\n", "guests.tell_on: arrival listed twice"),
    ("  tell_on: []\n", "guests.tell_on: is empty; to tell guests nothing, set notify: off"),
    ("  from_address: bookings.sailjada.com\n",
     "guests.from_address: 'bookings.sailjada.com' has no @"),
    ("  notify: auto\n", "guests.from_address: missing; notify: auto sends e-mail"),
    ("  quiet_hours: 9pm-8am\n",
     "guests.quiet_hours: '9pm-8am' is not a span of local times like 21:00-08:00"),
    ("  email_attribute: ''\n", "guests.email_attribute: String should have at least 1"),
    ("  colour: blue\n", "guests.colour: unknown key"),
])
def test_a_bad_guests_setting_is_refused_naming_its_key(lines: str, said: str) -> None:
    assert said in refusal(with_guests(lines))


def test_notify_off_unquoted_is_the_word_off() -> None:
    # YAML 1.1 reads a bare off as false.
    assert parse_config(with_guests("  notify: off\n")).guests.notify == "off"


# -- the e-mail ----------------------------------------------------------------

def correction(guest_name: str) -> Correction:
    old = GuestFacts("Saturday, May 30, 2026", "2:00–6:00 PM", "Harbor Dock 3", "Queen")
    return Correction(operator_name="Queen of San Diego", guest_name=guest_name,
                      changes=(FactChange("arrival", "2:00–6:00 PM", "3:00–7:00 PM"),),
                      old=old, new=GuestFacts(old.date, "3:00–7:00 PM", old.location,
                                              old.boat))


def test_the_shipped_mail_tells_the_old_and_the_new_window_in_both_parts() -> None:
    mail = MailTemplates().render(correction("Danika"))
    assert mail.subject == ("A change to your charter with Queen of San Diego: "
                            "the arrival time")
    assert "Hello Danika," in mail.text
    assert "now 3:00–7:00 PM (was 2:00–6:00 PM)" in mail.text
    assert "<strong>3:00–7:00 PM</strong>" in mail.html and "<s>2:00–6:00 PM</s>" in mail.html


def test_a_guest_named_script_is_text_in_the_html_part_and_plain_in_the_text_part() -> None:
    mail = MailTemplates().render(correction("<script>alert(1)</script>"))
    assert "<script>" not in mail.html
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in mail.html
    assert "Hello <script>alert(1)</script>," in mail.text  # a text part shows it as typed


def test_a_subject_is_one_line_whatever_the_names_hold(tmp_path: Path) -> None:
    (tmp_path / "subject.txt.j2").write_text("{{ operator_name }}\nBcc: {{ guest_name }}\n")
    mail = MailTemplates(tmp_path).render(correction("Danika"))
    assert mail.subject == "Queen of San Diego Bcc: Danika"


def test_the_operators_own_templates_are_used_and_the_rest_are_the_products(
        tmp_path: Path) -> None:
    (tmp_path / "correction.html.j2").write_text(
        "<p>Ahoy {{ guest_name }}! {% for c in changes %}{{ c.sentence }}{% endfor %}</p>\n")
    text = with_guests("  template_dir: mail\n")
    (tmp_path / "mail").mkdir()
    (tmp_path / "mail" / "correction.html.j2").write_bytes(
        (tmp_path / "correction.html.j2").read_bytes())
    (tmp_path / "app.yaml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "app.yaml")  # relative to app.yaml's folder
    assert config.guests.template_dir == str(tmp_path / "mail")
    mail = MailTemplates(config.guests.template_dir).render(correction("Danika"))
    assert mail.html == "<p>Ahoy Danika! the arrival time 2:00–6:00 PM → 3:00–7:00 PM</p>\n"
    assert "Hello Danika," in mail.text  # not given: the product's


def test_a_template_naming_a_missing_variable_is_refused_at_start_naming_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    mail = tmp_path / "mail"
    mail.mkdir()
    (mail / "correction.txt.j2").write_text(
        "Hello {{ guest_name }},\n\nYour boat: {{ new.boat }}\nYour skipper: {{ skipper }}\n")
    (tmp_path / "app.yaml").write_text(with_guests("  template_dir: mail\n"),
                                       encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CHARTER_OPS_CONFIG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'audit.sqlite3'}")
    assert main(["audit"]) == 1
    err = capsys.readouterr().err
    assert (f"app.yaml: guests.template_dir: {mail / 'correction.txt.j2'}, line 4: "
            "'skipper' is undefined") in err
    assert "Traceback" not in err
    assert not (tmp_path / "audit.sqlite3").exists()


def test_a_template_that_does_not_parse_is_refused_naming_file_and_line(
        tmp_path: Path) -> None:
    (tmp_path / "correction.html.j2").write_text("<p>{{ guest_name }}</p>\n{% if new.captain %}\n")
    said = refusal(with_guests(f"  template_dir: {tmp_path}\n"))
    assert f"guests.template_dir: {tmp_path / 'correction.html.j2'}, line 2: " \
           "Unexpected end of template" in said


def test_a_template_folder_that_is_missing_or_holds_none_of_the_templates_is_refused(
        tmp_path: Path) -> None:
    said = refusal(with_guests("  template_dir: nowhere\n"), base=tmp_path)
    assert f"guests.template_dir: {tmp_path / 'nowhere'} is not a folder" in said
    (tmp_path / "Correction.HTML").write_text("<p>{{ guest_name }}</p>")
    said = refusal(with_guests(f"  template_dir: {tmp_path}\n"))
    assert "holds none of subject.txt.j2, correction.txt.j2, correction.html.j2" in said


def test_the_shipped_templates_pass_their_own_check() -> None:
    MailTemplates().check()
    assert "Your skipper" not in MailTemplates().render(SAMPLE).text


# -- the operator's own guest page ---------------------------------------------

PRODUCT_PAGE = (ROOT / "services/domain/pages/templates/guest_page.html.j2").read_text(
    encoding="utf-8")
PAGE_TEMPLATE = "  template: null\n"


def with_page_template(path: str) -> str:
    assert SHIPPED.count(PAGE_TEMPLATE) == 1
    return SHIPPED.replace(PAGE_TEMPLATE, f"  template: {path}\n", 1)


def test_the_operators_own_guest_page_is_loaded_relative_to_app_yaml(tmp_path: Path) -> None:
    own = PRODUCT_PAGE.replace("<h2>When and where</h2>", "<h2>Your day on the water</h2>")
    (tmp_path / "page.html").write_text(own, encoding="utf-8")
    (tmp_path / "app.yaml").write_text(with_page_template("page.html"), encoding="utf-8")
    config = load_config(tmp_path / "app.yaml")
    assert config.pages.template == str(tmp_path / "page.html")
    html = PageRenderer(config.pages.template).render(
        replace(SAMPLE_PAGE, guest_name="<script>alert(1)</script>"))
    assert "<h2>Your day on the water</h2>" in html
    assert "<script>alert(1)</script>" not in html  # autoescaped, whatever the file's name


def test_a_guest_page_naming_a_missing_variable_is_refused_naming_file_and_line(
        tmp_path: Path) -> None:
    own = PRODUCT_PAGE.replace("{{ arrival }}", "{{ arrival_time }}")
    line = next(n for n, text in enumerate(own.splitlines(), 1) if "arrival_time" in text)
    (tmp_path / "page.html").write_text(own, encoding="utf-8")
    said = refusal(with_page_template("page.html"), base=tmp_path)
    assert f"pages.template: {tmp_path / 'page.html'}, line {line}: 'arrival_time' is " \
           "undefined" in said


def test_a_guest_page_without_a_mark_status_reads_back_is_refused_naming_it(
        tmp_path: Path) -> None:
    own = PRODUCT_PAGE.replace(' data-field="arrival"', "").replace(' data-field="crew"', "")
    (tmp_path / "page.html").write_text(own, encoding="utf-8")
    said = refusal(with_page_template("page.html"), base=tmp_path)
    assert "pages.template: " in said
    assert "lacks the data-field marks arrival, crew, which status reads back" in said
