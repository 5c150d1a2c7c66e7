"""Shared steps of the accompaniment, evaluation and reports journeys: log-in,
page visits, more people's browser contexts (guarded like ``page``), downloads,
small valid PDFs to upload, PDF text, and a real Celery worker for the reports.

Import the fixtures into a test module to use them (pytest finds fixtures in the
module's namespace).
"""

import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CSP_LISTENER

PASSWORD = "Parcours-Essaimage-AIS-2026"


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path}: {response and response.status}"
    return response


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """The log-in page, then the dashboard (where every role lands)."""
    visit(page, "/compte/connexion/")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/tableau-de-bord/")


def expect_success(page, text: str | None = None) -> None:
    """The page shows a success message (Bootstrap alert from ``messages``)."""
    alert = page.locator(".alert-success").first
    expect(alert).to_be_visible()
    if text:
        expect(alert).to_contain_text(text)


def pdf_bytes(title: str = "Document") -> bytes:
    """A small, plain, valid PDF (one blank page; no active content)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_file(tmp_path: Path, name: str, title: str = "Document") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf_bytes(title))
    return path


def pdf_text(data: bytes) -> str:
    """The text of a PDF, whitespace collapsed (the PDF breaks lines where it likes)."""
    from pypdf import PdfReader

    return " ".join(" ".join((p.extract_text() or "") for p in PdfReader(io.BytesIO(data)).pages).split())


def download(page, click, tmp_path: Path, name: str | None = None):
    """Run ``click`` (which starts a download); returns (suggested file name, bytes)."""
    with page.expect_download() as info:
        click()
    got = info.value
    target = tmp_path / (name or got.suggested_filename)
    got.save_as(target)
    return got.suggested_filename, target.read_bytes()


@pytest.fixture
def new_page(browser, live_server):
    """Opens more browser contexts (other people), guarded like ``page``: any console
    error, page error or CSP violation in them fails the test."""
    opened = []

    def make(who: str):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fr-FR")
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        other = context.new_page()
        errors = []
        other.on(
            "console",
            lambda m: errors.append(f"{who}: console.{m.type}: {m.text}") if m.type == "error" else None,
        )
        other.on("pageerror", lambda error: errors.append(f"{who}: page error: {error}"))
        other.console_errors = errors  # a test may take out an error it provoked on purpose
        opened.append((context, errors))
        return other

    yield make
    failures = []
    for context, errors in opened:
        context.close()
        failures += errors
    if failures:
        pytest.fail("Errors in the browser console:\n" + "\n".join(failures), pytrace=False)


@pytest.fixture
def celery_worker(transactional_db):
    """``start()`` runs a real Celery worker (solo pool, in a thread) on the test Redis:
    tasks queued by the live server then run as in production, against the test
    database. Started on demand, so that a test can first see a task waiting.

    ``transactional_db`` first: the worker stops before the tables are emptied."""
    from contextlib import ExitStack

    from celery.contrib.testing.worker import start_worker

    from ais.celery import app

    assert not app.conf.task_always_eager, "tasks must go through the broker for this journey"
    app.control.purge()  # nothing left over from earlier tests run without a worker
    hijack = app.conf.worker_hijack_root_logger
    app.conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    with ExitStack() as stack:
        stack.callback(setattr, app.conf, "worker_hijack_root_logger", hijack)

        def start():
            return stack.enter_context(start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30))

        yield start
