"""Shell pages stay inside the enforced CSP and load nothing from another host (item 8)."""

import re

import pytest

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
STYLE_ATTR = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HANDLER_ATTR = re.compile(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)\s*=", re.I)
EXTERNAL_URL = re.compile(r"""\b(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


def assert_clean(response):
    assert response.status_code == 200
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    html = response.content.decode()
    assert INLINE_SCRIPT.findall(html) == []
    assert STYLE_ELEMENT.findall(html) == []
    assert STYLE_ATTR.findall(html) == []
    assert HANDLER_ATTR.findall(html) == []
    assert EXTERNAL_URL.findall(html) == []
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


def test_landing_and_login(client):
    assert_clean(client.get("/"))
    assert_clean(client.get("/accounts/login/"))


@pytest.mark.parametrize("role", ["clerk", "postman", "manager", "auditor"])
def test_start_pages(make_user, verified_client, role):
    assert_clean(verified_client(make_user(role)).get("/"))


def test_totp_setup_page(client, make_user):
    client.force_login(make_user("supervisor"))
    assert_clean(client.get("/accounts/2fa/setup/"))


def test_htmx_requests_carry_the_csrf_token(make_user):
    """base.html puts the token in ``hx-headers`` on <body>; htmx sends it on every request."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("clerk"))
    html = client.get("/").content.decode()
    token = re.search(r"""hx-headers='\{"X-CSRFToken": "([^"]+)"\}'""", html).group(1)

    refused = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert refused.status_code == 403
    accepted = client.post(
        "/i18n/setlang/", {"language": "en", "next": "/"}, headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 302
