"""The browser guard itself: it must catch what it promises to catch."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PROBE = "/__e2e_probe__"


def _serve(page, live_server, html, csp="script-src 'self'; style-src 'self'"):
    """Serve ``html`` at a path of the live server's origin, with the app's kind of CSP."""
    page.route(
        f"{live_server.url}{PROBE}",
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": csp},
            body=html,
        ),
    )
    page.goto(PROBE)


def test_guard_reports_a_csp_violation(page, live_server):
    _serve(page, live_server, "<!doctype html><p>x</p><script>document.title = 'ran'</script>")
    expect(page.locator("p")).to_have_text("x")
    assert page.title() == ""
    problems, page.guard.problems = page.guard.problems, []
    assert any(p.startswith("CSP violation: script-src") for p in problems), problems


def test_guard_blocks_and_reports_another_host(page, live_server):
    _serve(page, live_server, '<!doctype html><img src="https://example.org/pixel.png" alt="">')
    page.wait_for_load_state("load")
    problems, page.guard.problems = page.guard.problems, []
    assert "request to another host: https://example.org/pixel.png" in problems


def test_guard_reports_a_script_error(page, live_server):
    # Allowed by this probe's CSP (script from self), but it throws.
    page.route(
        f"{live_server.url}/__e2e_probe__.js",
        lambda route: route.fulfill(
            status=200, content_type="text/javascript", body="throw new Error('boom')"
        ),
    )
    _serve(page, live_server, '<!doctype html><script src="/__e2e_probe__.js"></script>')
    page.wait_for_load_state("load")
    problems, page.guard.problems = page.guard.problems, []
    assert any("boom" in p for p in problems), problems


def test_keyboard_scheme_on_the_counter_layout(page, login, make_user, live_server):
    login(page, make_user("clerk", username="gdv-phim"))
    assert page.locator("body").get_attribute("class") == "layout-counter"

    # Tab first reaches the skip link, which then shows on screen.
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    assert skip.bounding_box()["y"] >= 0

    page.locator("main h1").click()
    page.keyboard.press("?")
    expect(page.locator("#shortcut-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-help")).to_be_hidden()

    with page.expect_navigation():
        page.keyboard.press("Alt+KeyO")
    assert page.url == f"{live_server.url}/network/offices/"

    page.locator("main h1").click()
    page.keyboard.press("/")
    expect(page.locator("input[type=search]").first).to_be_focused()

    with page.expect_navigation():
        page.keyboard.press("Alt+KeyH")
    assert page.url == f"{live_server.url}/"
