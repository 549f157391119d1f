"""Every PDF the app makes goes through `render_pdf`, whose URL fetcher reaches only the app's own static files.

WeasyPrint, left to itself, fetches any URL a document names (file://, http(s)://, following redirects). A PDF
built from records could then be made to read files from the server or call services on its network. The
fetcher here opens nothing: it answers `/static/...` from Django's staticfiles finders (or the collected static
root) and refuses everything else, including data: and file: URLs.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

# A base URL no network can answer; only paths under STATIC_URL on it are served, from disk, by the fetcher.
PDF_BASE_URL = "https://app-static.invalid/"


class RefusedURL(ValueError):
    """A document asked for something other than the app's own static files."""


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
        if parts.scheme != base.scheme or parts.netloc != base.netloc or not parts.path.startswith(settings.STATIC_URL):
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


def render_pdf(template_name: str, context: dict, *, fetcher: StaticOnlyURLFetcher | None = None) -> bytes:
    """Renders a template to PDF bytes; its stylesheets and images may come only from the app's static files."""
    html = render_to_string(template_name, context)
    return html_to_pdf(html, fetcher=fetcher)


def html_to_pdf(html: str, *, fetcher: StaticOnlyURLFetcher | None = None) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher or StaticOnlyURLFetcher()).write_pdf()
