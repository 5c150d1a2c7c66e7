import pytest

from tests.archive.helpers import make_communes


@pytest.fixture
def communes(db):
    make_communes()
