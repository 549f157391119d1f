"""Every PDF the app makes goes through `render_pdf`, whose URL fetcher reaches only the app's own static files.

WeasyPrint, left to itself, fetches any URL a document names (file://, http(s)://, following redirects). A PDF
built from records could then be made to read files from the server or call services on its network. The
fetcher here opens nothing: it answers `/static/...` from Django's staticfiles finders (or the collected static
root) and refuses everything else, including data: and file: URLs.

Memory (issue 12): WeasyPrint is imported only when a PDF is first asked for, so a web worker that never makes one
never loads it; and the layout itself, which takes tens of megabytes for a long chronology and which the
allocator then keeps, runs in a child forked for that one PDF (`html_to_pdf`). The worker keeps only the bytes.
"""

from __future__ import annotations

import functools
import logging
import mimetypes
import os
import pickle
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

# A base URL no network can answer; only paths under STATIC_URL on it are served, from disk, by the fetcher.
PDF_BASE_URL = "https://app-static.invalid/"


class RefusedURL(ValueError):
    """A document asked for something other than the app's own static files. Its message never names the URL:
    WeasyPrint logs the message, and a URL could carry something sensitive. The URL is kept in `url`."""

    def __init__(self, url: str) -> None:
        super().__init__("not one of the app's static files")
        self.url = url


@functools.cache
def _fetcher_class() -> type[URLFetcher]:
    """The fetcher's class, made on first use: it subclasses WeasyPrint's, and importing WeasyPrint costs a web
    worker about 30 MB that most requests never need."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyURLFetcher(URLFetcher):
        """Serves the app's static files to WeasyPrint and refuses every other URL without opening it."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols=("https",), allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            try:
                path = self.static_path(url)
            except RefusedURL:
                self.refused.append(url)
                # Only the scheme goes to the log: a URL could carry something sensitive.
                logger.warning("PDF rendering refused a %s URL", urlsplit(url).scheme or "relative")
                raise
            mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url=url, body=path.read_bytes(), headers={"Content-Type": mime_type})

        @staticmethod
        def static_path(url: str) -> Path:
            parts = urlsplit(url)
            base = urlsplit(PDF_BASE_URL)
            on_base = parts.scheme == base.scheme and parts.netloc == base.netloc
            if not on_base or not parts.path.startswith(settings.STATIC_URL):
                raise RefusedURL(url)
            relative = unquote(parts.path[len(settings.STATIC_URL) :])
            if not relative or ".." in Path(relative).parts or relative.startswith("/"):
                raise RefusedURL(url)
            found = finders.find(relative)
            if not found and settings.STATIC_ROOT:
                candidate = Path(settings.STATIC_ROOT) / relative
                found = str(candidate) if candidate.is_file() else None
            if not found:
                raise RefusedURL(url)
            return Path(found)

    return StaticOnlyURLFetcher


def __getattr__(name: str) -> Any:
    """`from safeguarding.pdf import StaticOnlyURLFetcher` works as for any class, importing WeasyPrint then."""
    if name == "StaticOnlyURLFetcher":
        return _fetcher_class()
    raise AttributeError(name)


def render_pdf(template_name: str, context: dict, *, fetcher: Any = None) -> bytes:
    """Renders a template to PDF bytes; its stylesheets and images may come only from the app's static files."""
    html = render_to_string(template_name, context)
    return html_to_pdf(html, fetcher=fetcher)


def html_to_pdf(html: str, *, fetcher: Any = None) -> bytes:
    """The PDF of `html`, laid out in a child process forked for it where the system can fork (Linux, macOS).

    The template is rendered before, in the worker, with its database connection; the child only lays out the
    HTML and reads static files, then leaves with os._exit, so it never touches the parent's connection or files.
    It sends back the PDF, the fetcher's lists (what it served and refused, which tests read) and its log records,
    which are logged here as if the worker had made them."""
    fetcher = fetcher or _fetcher_class()()
    if not hasattr(os, "fork"):  # Windows: laid out here
        return _write_pdf(html, fetcher)
    from weasyprint import HTML  # noqa: F401 (imported once here, so every child has it without importing)

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: lay out, answer, leave
        os.close(read)
        _child(html, fetcher, write)
    os.close(write)
    with os.fdopen(read, "rb") as answer:
        data = answer.read()
    os.waitpid(pid, 0)
    if not data:
        raise RuntimeError("The PDF could not be made: its process ended without an answer.")
    # Unpickled from the child forked above, over a pipe only it holds: nothing else can write to it.
    outcome, value, lists, records = pickle.loads(data)  # noqa: S301
    for name, items in lists.items():
        getattr(fetcher, name).extend(items)
    for record in records:
        logging.getLogger(record.name).handle(record)
    if outcome == "error":
        raise value
    return value


def _child(html: str, fetcher: Any, write: int) -> None:
    status = 1
    try:
        records: list[logging.LogRecord] = []
        _collect_logs(records)
        before = {name: len(v) for name, v in vars(fetcher).items() if isinstance(v, list)}
        value: bytes | Exception
        try:
            outcome, value = "pdf", _write_pdf(html, fetcher)
        except Exception as error:  # sent to the worker, which raises it
            outcome, value = "error", _picklable(error)
        lists = {name: getattr(fetcher, name)[count:] for name, count in before.items()}
        for record in records:
            record.args, record.msg, record.exc_info = None, record.getMessage(), None
        with os.fdopen(write, "wb") as answer:
            answer.write(pickle.dumps((outcome, value, lists, records)))
        status = 0
    finally:
        os._exit(status)


class _Collector(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__()
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _collect_logs(records: list[logging.LogRecord]) -> None:
    """In the child: every log record is kept for the worker, and none is written here (the worker writes them)."""
    loggers = [logging.getLogger(), *(logging.getLogger(name) for name in logging.root.manager.loggerDict)]
    for each in loggers:
        for handler in list(each.handlers):
            each.removeHandler(handler)
    logging.getLogger().addHandler(_Collector(records))


def _picklable(error: Exception) -> Exception:
    try:
        pickle.loads(pickle.dumps(error))  # noqa: S301 (our own bytes, just made)
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def _write_pdf(html: str, fetcher: Any) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher).write_pdf()
