"""A web worker stays small (issue 12): nothing heavy is loaded until a request needs it, and a PDF's layout runs in
a child process forked for it, so the megabytes WeasyPrint takes for a long file never stay in the worker."""

import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from safeguarding import pdf
from safeguarding.pdf import StaticOnlyURLFetcher, html_to_pdf

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("weasyprint", "matplotlib", "qrcode", "pydyf", "fontTools")


def test_a_web_worker_loads_no_pdf_chart_or_qr_library_until_asked(tmp_path):
    """The WSGI application with every view imported (as gunicorn's worker has it before its first request)."""
    script = (
        "import sys; from django.core.wsgi import get_wsgi_application; get_wsgi_application(); "
        "from django.urls import get_resolver; get_resolver().url_patterns; "
        f"print(','.join(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    )
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="safeguarding.settings", DEBUG="1", MPLCONFIGDIR=str(tmp_path))
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


class PidFetcher(StaticOnlyURLFetcher):
    """Notes the process that fetched each static file: the layout's process."""

    def __init__(self):
        super().__init__()
        self.pids: list[int] = []

    def fetch(self, url, headers=None):
        self.pids.append(os.getpid())
        return super().fetch(url, headers)


def page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="laid out in the worker where the system cannot fork")
def test_the_layout_runs_in_another_process_and_its_findings_come_back():
    fetcher = PidFetcher()
    made = html_to_pdf(
        page("<p>Fictional chronology</p>", '<link rel="stylesheet" href="/static/css/pdf.css">'), fetcher=fetcher
    )
    assert "Fictional chronology" in PdfReader(io.BytesIO(made)).pages[0].extract_text()
    assert fetcher.pids and os.getpid() not in fetcher.pids
    assert fetcher.refused == []


def test_what_the_child_logs_is_logged_by_the_worker(caplog):
    fetcher = StaticOnlyURLFetcher()
    with caplog.at_level(logging.WARNING, logger="safeguarding.pdf"):
        html_to_pdf(page('<img src="file:///etc/passwd">'), fetcher=fetcher)
    assert fetcher.refused == ["file:///etc/passwd"]
    ours = [r.getMessage() for r in caplog.records if r.name == "safeguarding.pdf"]
    assert ours == ["PDF rendering refused a file URL"]


def test_a_failure_in_the_layout_is_raised_in_the_worker(monkeypatch):
    def fails(html, fetcher):
        raise ValueError("the layout failed")

    monkeypatch.setattr(pdf, "_write_pdf", fails)
    with pytest.raises(ValueError, match="the layout failed"):
        html_to_pdf(page("<p>x</p>"))
