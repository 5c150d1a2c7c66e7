import html

import pytest
from axes.utils import reset as axes_reset
from django.urls import reverse


def text(response) -> str:
    return html.unescape(response.content.decode())


def login(client, email, password, **extra):
    return client.post(reverse("accounts:login"), {"username": email, "password": password}, **extra)


@pytest.fixture
def axes(settings, db):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_IP_FAILURE_LIMIT = 20
    axes_reset()
    yield
    axes_reset()
