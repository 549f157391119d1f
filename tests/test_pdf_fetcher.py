"""safeguarding/pdf.py: the URL fetcher every PDF goes through serves the app's static files and opens nothing else."""

import base64
import http.server
import threading

import pytest
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from safeguarding.pdf import PDF_BASE_URL, RefusedURL, StaticOnlyURLFetcher, html_to_pdf, render_pdf

from .factories import SchoolFactory

# A 1×1 transparent PNG, so a fetch that did happen would have a real image to draw.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


class RecordingFetcher(StaticOnlyURLFetcher):
    """The app's fetcher, also noting what it served, so a test can tell "served" from "never asked for"."""

    def __init__(self):
        super().__init__()
        self.served: list[str] = []

    def fetch(self, url, headers=None):
        response = super().fetch(url, headers)
        self.served.append(url)
        return response


def _page(body: str, head: str = "") -> str:
    return f"<!doctype html><html><head>{head}</head><body><p>Text</p>{body}</body></html>"


@pytest.fixture
def loopback_server():
    """A real HTTP server on a free loopback port that counts every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the name http.server calls)
            hits.append(self.path)
            if self.path.startswith("/redirect"):
                self.send_response(302)
                self.send_header("Location", "/x.png")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PNG)))
            self.end_headers()
            self.wfile.write(PNG)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", hits
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def no_proxy(monkeypatch):
    """Without proxy settings, WeasyPrint's own fetcher would call the loopback server directly."""
    for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def test_a_file_url_is_refused():
    """A document naming a file on the server gets nothing: the file: URL is refused."""
    fetcher = StaticOnlyURLFetcher()
    pdf = html_to_pdf(_page('<img src="file:///etc/hostname">'), fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert "file:///etc/hostname" in fetcher.refused


def test_the_loopback_server_counts_what_weasyprint_fetches_by_default(loopback_server, no_proxy):
    """WeasyPrint's own fetcher would call the loopback server and follow its redirect, so the hit count is real."""
    base, hits = loopback_server
    html = _page(f'<img src="{base}/redirect">')
    HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=URLFetcher()).write_pdf()
    assert hits == ["/redirect", "/x.png"]


def test_a_loopback_http_url_is_refused_without_being_opened(loopback_server, no_proxy):
    """An image on a service of the server's network is refused and the service never hears a request."""
    base, hits = loopback_server
    fetcher = StaticOnlyURLFetcher()
    html_to_pdf(_page(f'<img src="{base}/x.png">'), fetcher=fetcher)
    assert f"{base}/x.png" in fetcher.refused
    assert hits == []


def test_a_redirect_is_never_followed(loopback_server, no_proxy):
    """A URL that would redirect is refused before any request, so no redirect is ever followed."""
    base, hits = loopback_server
    fetcher = StaticOnlyURLFetcher()
    html_to_pdf(_page(f'<img src="{base}/redirect"><img src="{base}/x.png">'), fetcher=fetcher)
    assert f"{base}/redirect" in fetcher.refused
    assert hits == []


def test_a_static_stylesheet_is_served():
    """The app's own stylesheet under /static/ is served to the renderer."""
    fetcher = RecordingFetcher()
    html_to_pdf(_page("", head='<link rel="stylesheet" href="/static/css/pdf.css">'), fetcher=fetcher)
    assert fetcher.refused == []
    assert fetcher.served == [f"{PDF_BASE_URL}static/css/pdf.css"]


def test_a_path_traversal_out_of_static_is_refused():
    """A /static/ path climbing out of the static folder is refused, and nothing is served."""
    fetcher = RecordingFetcher()
    html_to_pdf(_page("", head='<link rel="stylesheet" href="/static/../settings.py">'), fetcher=fetcher)
    assert fetcher.served == []
    assert [url for url in fetcher.refused if url.endswith("settings.py")]


@pytest.mark.parametrize(
    "url",
    [
        f"{PDF_BASE_URL}static/../safeguarding/settings.py",
        f"{PDF_BASE_URL}static/%2e%2e/safeguarding/settings.py",
        f"{PDF_BASE_URL}static/css/%2e%2e/%2e%2e/pyproject.toml",
        f"{PDF_BASE_URL}static//etc/hostname",
        f"{PDF_BASE_URL}static/",
        f"{PDF_BASE_URL}static/css/missing.css",
        "https://example.com/static/css/pdf.css",
        "http://app-static.invalid/static/css/pdf.css",
    ],
)
def test_only_existing_files_under_static_on_the_app_base_are_resolved(url):
    """Encoded traversal, absolute paths, missing files and other hosts or schemes are all refused."""
    with pytest.raises(RefusedURL):
        StaticOnlyURLFetcher.static_path(url)


def test_a_data_url_is_refused():
    """A data: URL is refused like any other URL that is not the app's static files."""
    fetcher = RecordingFetcher()
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    html_to_pdf(_page(f'<img src="{data_url}">'), fetcher=fetcher)
    assert data_url in fetcher.refused
    assert fetcher.served == []


def test_the_poster_template_refuses_nothing():
    """Everything the poster template names comes from the static files: its stylesheet is served, nothing refused."""
    fetcher = RecordingFetcher()
    school = SchoolFactory.build(name="Test School")
    pdf = render_pdf("contacts/poster_pdf.html", {"school": school, "team": [], "numbers": []}, fetcher=fetcher)
    assert pdf.startswith(b"%PDF")
    assert fetcher.refused == []
    assert fetcher.served == [f"{PDF_BASE_URL}static/css/pdf.css"]
