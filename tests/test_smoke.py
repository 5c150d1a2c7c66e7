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
