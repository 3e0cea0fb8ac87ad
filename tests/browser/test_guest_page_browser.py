"""The guest page as a guest's phone shows it: rendered by the product's renderer (the
shipped template and an operator's own), served from loopback and opened in headless
Chromium (Debian's chromium and chromium-driver, driven by Selenium) at a phone's width and
a desktop's. What a guest needs is in the first screen, nothing scrolls sideways, the
waiver and the photo form work, the phone links dial and axe-core finds nothing serious.

A screenshot of each page and width is kept under $CHARTER_OPS_ARTIFACTS/screenshots
(/tmp/charter-ops-ci by default, where CI keeps its output). One browser serves the whole
module. Select these tests with ``-m browser``; they skip, saying what is missing, on a
machine without Chromium, chromedriver, Selenium or axe-core (``npm ci`` in tests/browser),
and fail there instead when CHARTER_OPS_BROWSER_REQUIRED is set, as .ci/run sets it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from bot.config import load_config
from bot.sandbox.scenario import seed_weekend
from services.domain.pages.own_template import check_page_template
from services.domain.pages.rendering import GuestPage, PageRenderer
from tests.conftest import ROOT, SEED_SATURDAY

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.remote.webelement import WebElement

# One worker takes them all (pyproject's --dist loadgroup), so one Chromium serves them.
pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
OWN_TEMPLATE = HERE / "data" / "own_guest_page.html.j2"
# The network is closed: without these, Chromium's own background connections are refused
# and it waits on them.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync")
VIEWPORTS = {"phone": (390, 844, True), "desktop": (1280, 800, False)}
TEMPLATES = {"shipped": None, "own": OWN_TEMPLATE}
# A name pasted with a whole message in it, with no space to break at; and two names
# written right to left.
LONG_NAME = "Danika" * 500
GUESTS = {"seed": None, "long": LONG_NAME, "arabic": "نورة بنت عبدالله الشمري",
          "hebrew": "שירה בת-אל כהן"}
WAIVER_PAGE = ("<!doctype html><html lang='en'><head><title>Waiver</title></head><body>"
               "<h1>Waiver</h1><label for='sig'>Your name</label><input id='sig'>"
               "</body></html>")


def _artifacts() -> Path:
    base = Path(os.environ.get("CHARTER_OPS_ARTIFACTS", "/tmp/charter-ops-ci"))
    shots = base / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    return shots


class _Site:
    """A loopback HTTP server answering rendered pages by path, and the waiver endpoint."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                body = WAIVER_PAGE if path == "/charters/waiver" else pages.get(path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass  # the test's output is the assertions, not an access log

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="module")
def site() -> Iterator[_Site]:
    served = _Site()
    yield served
    served.close()


@pytest.fixture(scope="module")
def seed_page(site: _Site) -> GuestPage:
    """Danika's page from the seed's weekend, its waiver and photo form on ``site``."""
    config = load_config(ROOT / "app.yaml")
    roster = config.roster
    scenario = seed_weekend(
        SEED_SATURDAY, waiver_base=f"{site.base}/charters/waiver", prefix=config.pages.prefix,
        phones={m.name: m.phone for m in roster}, emails={m.name: m.email for m in roster},
        photo_url=f"{site.base}/charters/photos")
    return scenario.pages[f"{config.pages.prefix}danika-guest.html"]


def _without(reason: str) -> NoReturn:
    """Skip, saying why; in CI (.ci/run sets CHARTER_OPS_BROWSER_REQUIRED), fail instead."""
    if os.environ.get("CHARTER_OPS_BROWSER_REQUIRED"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    missing = [what for what, path in (("Chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER))
               if not os.access(path, os.X_OK)]
    if missing:
        _without(f"{' and '.join(missing)} not installed at {CHROMIUM} / {CHROMEDRIVER}: "
                    "apt-get install chromium chromium-driver (.ci/run does)")
    if not AXE.is_file():
        _without(f"axe-core not installed ({AXE} missing): run `npm ci` in {HERE}")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _without("selenium not installed: pip install -r requirements-dev.txt")
    profile = tempfile.mkdtemp(prefix="charter-ops-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _guest_page(seed: GuestPage, guest: str) -> GuestPage:
    name = GUESTS[guest]
    return seed if name is None else replace(seed, guest_name=name)


def open_page(browser: WebDriver, site: _Site, seed: GuestPage, *, template: str,
              viewport: str, guest: str = "seed") -> WebDriver:
    """Render the page with ``template``, serve it, open it at ``viewport``'s size (a phone
    emulated as one: its viewport meta read, as Chromium on a phone does)."""
    own = TEMPLATES[template]
    if own is not None:
        check_page_template(own)  # what the settings check at load: the test uses one they accept
    html = PageRenderer(own).render(_guest_page(seed, guest))
    path = f"/{template}-{guest}.html"
    site.pages[path] = html
    width, height, mobile = VIEWPORTS[viewport]
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})
    browser.get(site.base + path)
    return browser


def screenshot(browser: WebDriver, name: str) -> Path:
    path = _artifacts() / f"guest-page-{name}.png"
    browser.save_screenshot(str(path))
    print(f"screenshot: {path}")
    return path


# Where an element is, whether it is on the first screen, and whether it is what a finger at
# its centre touches (not hidden under something else).
_PLACE = """
const el = arguments[0], r = el.getBoundingClientRect();
const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width,
        height: r.height, innerWidth: innerWidth, innerHeight: innerHeight,
        touched: !!hit && (hit === el || el.contains(hit) || hit.contains(el))};
"""


def first_screen_trouble(browser: WebDriver, element: WebElement) -> str | None:
    place = browser.execute_script(_PLACE, element)
    inside = (place["width"] > 0 and place["height"] > 0 and place["top"] >= 0
              and place["left"] >= 0 and place["bottom"] <= place["innerHeight"]
              and place["right"] <= place["innerWidth"])
    if inside and place["touched"] and element.is_displayed():
        return None
    return json.dumps(place)


def sideways(browser: WebDriver) -> tuple[int, int]:
    return browser.execute_script(
        "return [document.documentElement.scrollWidth, innerWidth]")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def captains_link(browser: WebDriver, seed: GuestPage) -> WebElement:
    from selenium.webdriver.common.by import By

    captain = next(c for c in seed.crew if c.role == "Captain")
    assert captain.phone
    links = [a for a in browser.find_elements(By.CSS_SELECTOR, 'a[href^="tel:"]')
             if digits(a.get_attribute("href") or "") == digits(captain.phone)]
    assert len(links) == 1, f"the captain's tel: link ({captain.phone}) is not on the page"
    return links[0]


CASES = [(t, v, g) for t in TEMPLATES for v in VIEWPORTS for g in GUESTS]


@pytest.mark.parametrize(("template", "viewport", "guest"), CASES)
def test_the_first_screen_shows_when_where_and_whom_to_call_and_nothing_scrolls_sideways(
        browser: WebDriver, site: _Site, seed_page: GuestPage, template: str, viewport: str,
        guest: str) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, seed_page, template=template, viewport=viewport, guest=guest)
    screenshot(browser, f"{template}-{viewport}-{guest}")
    scroll_width, inner_width = sideways(browser)
    assert scroll_width <= inner_width, f"the page scrolls sideways: {scroll_width} > " \
                                        f"{inner_width}"
    shown = {field: browser.find_element(By.CSS_SELECTOR, f'[data-field="{field}"]')
             for field in ("arrival", "date", "location")}
    shown["captain's phone"] = captains_link(browser, seed_page)
    off = {what: trouble for what, element in shown.items()
           if (trouble := first_screen_trouble(browser, element)) is not None}
    assert off == {}, "not on the first screen, or covered"


@pytest.mark.parametrize(("template", "viewport"),
                         [(t, v) for t in TEMPLATES for v in VIEWPORTS])
def test_the_waiver_and_the_photo_form_are_there_and_usable(
        browser: WebDriver, site: _Site, seed_page: GuestPage, template: str,
        viewport: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    open_page(browser, site, seed_page, template=template, viewport=viewport)
    frame = browser.find_element(By.CSS_SELECTOR, 'iframe[data-field="waiver"]')
    src = frame.get_attribute("src") or ""
    assert src.startswith(f"{site.base}/charters/waiver?")
    assert "eventId=" in src and "isMinor=false" in src
    assert (frame.get_attribute("title") or "").strip(), "the waiver's iframe has no title"
    # The waiver itself loads in the frame, once the guest scrolls to it.
    browser.execute_script("arguments[0].scrollIntoView()", frame)
    assert frame.is_displayed() and frame.size["height"] > 200
    browser.switch_to.frame(frame)
    try:
        WebDriverWait(browser, 5).until(
            lambda b: b.find_elements(By.CSS_SELECTOR, "h1"))
        assert browser.find_element(By.CSS_SELECTOR, "h1").text == "Waiver"
    finally:
        browser.switch_to.default_content()

    form = browser.find_element(By.CSS_SELECTOR, 'form[enctype="multipart/form-data"]')
    assert form.get_attribute("action") == f"{site.base}/charters/photos"
    assert (form.get_attribute("method") or "").lower() == "post"
    assert form.find_element(By.NAME, "eventId").get_attribute("value") == seed_page.event_id
    photo = form.find_element(By.CSS_SELECTOR, 'input[type="file"]')
    assert photo.is_enabled() and photo.is_displayed()
    label = browser.execute_script(
        "return Array.from(arguments[0].labels || []).map(l => l.innerText).join(' ').trim()"
        " || arguments[0].getAttribute('aria-label') || ''", photo)
    assert label, "the photo input has no label: a screen reader says only 'file'"
    send = form.find_element(By.CSS_SELECTOR, 'button[type="submit"]')
    assert send.is_enabled() and send.is_displayed() and send.text.strip()


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_the_phone_links_dial(browser: WebDriver, site: _Site, seed_page: GuestPage,
                              template: str) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, seed_page, template=template, viewport="phone")
    links = browser.find_elements(By.CSS_SELECTOR, 'a[href^="tel:"]')
    listed = [c.phone for c in seed_page.crew if c.phone]
    assert sorted(digits(a.get_attribute("href") or "") for a in links) == \
        sorted(digits(p) for p in listed)
    for link in links:
        href = link.get_attribute("href") or ""
        assert re.fullmatch(r"tel:\+?\d+", href), f"{href} is not a number a phone dials"
        assert digits(link.text) == digits(href)
    assert captains_link(browser, seed_page).is_displayed()


# An audit takes most of a second: each template at each width, and the odd names at a phone's.
AUDITS = [(t, v, g) for t in TEMPLATES for v, g in
          (("phone", "seed"), ("desktop", "seed"), ("phone", "long"), ("phone", "arabic"))]


@pytest.mark.parametrize(("template", "viewport", "guest"), AUDITS)
def test_an_accessibility_audit_finds_nothing_serious(
        browser: WebDriver, site: _Site, seed_page: GuestPage, template: str, viewport: str,
        guest: str) -> None:
    open_page(browser, site, seed_page, template=template, viewport=viewport, guest=guest)
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    violations = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,"
        " help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))))"
        ".catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e),"
        " nodes: []}]));")
    serious = [v for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], json.dumps(serious, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("template", list(TEMPLATES))
@pytest.mark.parametrize("guest", ["arabic", "hebrew"])
def test_a_right_to_left_name_reads_right_to_left_in_the_english_greeting(
        browser: WebDriver, site: _Site, seed_page: GuestPage, template: str,
        guest: str) -> None:
    from selenium.webdriver.common.by import By

    open_page(browser, site, seed_page, template=template, viewport="phone", guest=guest)
    name = browser.find_element(By.CSS_SELECTOR, '[data-field="guest"]')
    assert name.text == GUESTS[guest]
    assert name.value_of_css_property("direction") == "rtl"
    assert browser.find_element(By.CSS_SELECTOR, "h1").value_of_css_property(
        "direction") == "ltr"
