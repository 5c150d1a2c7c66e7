from django.db import connection


def test_database_is_postgresql(db):
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 15


def test_home_page_shows_programme_in_french(client, db):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response.status_code == 200
    assert "Le programme en chiffres" in response.content.decode()


def test_csrf_failure_page_is_french_and_explains(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post("/compte/connexion/", {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="fr")

    assert response.status_code == 403
    import html

    text = html.unescape(response.content.decode())
    assert "Le formulaire n'a pas pu être envoyé" in text
    assert "style=" not in text  # the strict CSP forbids inline styles (Django's own page has one)
