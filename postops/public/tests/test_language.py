"""Vietnamese by default, English on request (Django's set_language; locale/en)."""

import pytest

pytestmark = pytest.mark.django_db


def test_language_switch_to_english_and_back(make_user, verified_client):
    client = verified_client(make_user("clerk"))
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert 'id="lang-en"' in html

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert 'id="lang-vi"' in html
    assert '<h2 id="start-links-title">Your tools</h2>' in html
    assert "<strong>Post office network</strong>" in html

    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="vi">' in html
    assert '<h2 id="start-links-title">Chức năng của bạn</h2>' in html


def test_visitor_gets_vietnamese_by_default_even_when_the_browser_asks_for_french(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9").content.decode()
    assert '<html lang="vi">' in html


def test_an_english_browser_still_gets_vietnamese_by_default(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "vi"
    assert '<html lang="vi">' in response.content.decode()


def test_the_language_switch_cookie_wins_over_the_browser(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
