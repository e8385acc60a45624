"""The API docs page: local assets only, no inline script (the CSP is enforced)."""

from html.parser import HTMLParser

import pytest
from django.contrib.staticfiles import finders


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.style_attrs: list[str] = []
        self._in_script: dict | None = None
        self._script_body: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("src", "href"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if "style" in attrs:
            self.style_attrs.append(tag)
        if tag == "style":
            self.style_attrs.append("<style>")
        if tag == "script":
            self._in_script, self._script_body = attrs, []

    def handle_data(self, data):
        if self._in_script is not None:
            self._script_body.append(data)

    def handle_endtag(self, tag):
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_body)))
            self._in_script = None


@pytest.fixture
def docs(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    collector = _Collector()
    collector.feed(response.content.decode())
    return response, collector


def test_docs_page_references_only_local_static_files(docs):
    response, page = docs
    assert page.urls == [
        "/static/ninja/swagger-ui.css",
        "/static/img/favicon.svg",
        "/static/ninja/swagger-ui-bundle.js",
        "/static/js/swagger-init.js",
    ]
    for url in page.urls:
        assert finders.find(url.removeprefix("/static/")), f"{url} is not a static file"
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html


def test_docs_page_has_no_inline_script_or_style(docs):
    _, page = docs
    assert [(attrs.get("src"), body.strip()) for attrs, body in page.scripts] == [
        ("/static/ninja/swagger-ui-bundle.js", ""),
        ("/static/js/swagger-init.js", ""),
    ]
    assert page.style_attrs == []


def test_docs_page_is_served_under_the_site_csp(docs):
    response, _ = docs
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_docs_page_points_swagger_at_the_schema_without_the_online_validator(docs):
    response, _ = docs
    html = response.content.decode()
    assert "&quot;url&quot;: &quot;/api/v1/openapi.json&quot;" in html
    assert "&quot;validatorUrl&quot;: null" in html


@pytest.mark.django_db
def test_schema_is_served_as_json(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    assert schema["info"]["title"] == "PostOps API"
    assert "/api/v1/me" in schema["paths"]
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "http",
        "scheme": "bearer",
    }
