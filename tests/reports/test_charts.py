"""The charts: SVG drawn on the server that the strict CSP accepts inline, with words as text and a text
alternative, and never a hidden figure (R88)."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from safeguarding.pdf import StaticOnlyURLFetcher, render_pdf
from safeguarding.reports import charts
from safeguarding.reports.figures import Scope
from safeguarding.reports.periods import TermKey
from safeguarding.reports.snapshots import snapshot_make, stored_periods

from .helpers import at, concern


def test_the_svg_has_no_inline_style_and_says_what_it_shows():
    chart = charts.bar_chart(
        chart_id="chart-x", title="Concerns by kind", labels=["Neglect", "Bullying"], series=[("This term", [12, None])]
    )
    svg = chart.svg
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert not re.search(r"\sstyle=", svg) and "<style" not in svg and "<script" not in svg
    assert '<title id="chart-x-title">Concerns by kind</title>' in svg
    assert "Bullying: fewer than 5 or not shown" in chart.description
    assert ">12<" in svg and ">Neglect<" in svg  # words and numbers stay text


def test_the_markup_has_no_namespace_prefix_whatever_else_registered_one():
    """qrcode (the two-factor set-up page) registers an "svg:" prefix in ElementTree; the chart must not use it."""
    import qrcode
    import qrcode.image.svg

    qrcode.make("x", image_factory=qrcode.image.svg.SvgFragmentImage).to_string()
    chart = charts.trend_chart(chart_id="chart-t", title="Trend", term_labels=["Aut 25-26"], series=[("Concerns", [9])])
    svg = chart.svg
    assert "<svg:" not in svg and "ns0:" not in svg and svg.startswith("<svg ")


def test_a_hidden_figure_is_a_gap_never_a_point():
    chart = charts.trend_chart(
        chart_id="chart-t", title="Trend", term_labels=["A", "B", "C"], series=[("Concerns", [10, None, 12])]
    )
    assert "B: fewer than 5 or not shown" in chart.description


@pytest.mark.django_db
def test_the_pdf_fetches_nothing_but_its_stylesheet(school, dsl, terms):
    for i in range(8):
        concern(school=school, author=dsl, recorded_at=at(date(2025, 10, 1) + timedelta(days=i)), level="level_1")
    scope = Scope((school,))
    snapshot = snapshot_make(scope, TermKey("2025-26", "autumn"))
    assert snapshot is not None and "<svg" in snapshot.summary  # the charts are in what the PDF prints
    fetcher = StaticOnlyURLFetcher()
    periods, _ = stored_periods(snapshot)
    pdf = render_pdf(
        "reports/report_pdf.html",
        {
            "scope": scope,
            "key": TermKey("2025-26", "autumn"),
            "snapshot": snapshot,
            "periods": periods,
            "printed_at": timezone.now(),
        },
        fetcher=fetcher,
    )
    assert pdf.startswith(b"%PDF") and fetcher.refused == []


def test_markup_in_a_label_or_title_is_escaped_not_run():
    """The SVG is printed unescaped, so what reaches it as text (a school's name, a label) must come out as text."""
    chart = charts.bar_chart(
        chart_id="chart-y",
        title="<script>alert(1)</script>",
        labels=['<img src=x onerror="alert(2)">', "Neglect"],
        series=[("This term", [12, 9])],
    )
    svg = str(chart.svg)
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;script&gt;" in svg and "&lt;img" in svg
