"""Charts for the trustees' report, drawn on the server as SVG by matplotlib and put inline in the page and the PDF.

The same markup goes into both, so the page and the PDF show the same chart, and its words stay text (found by a
screen reader on the page, and by a search in the PDF). matplotlib writes its styling as `style="..."` attributes
and one `<style>` element, which the app's content security policy refuses on a page (no inline style). Each
declaration is an SVG presentation attribute as well (fill, stroke, font-size...), so `_csp_safe` moves them into
attributes and drops the `<style>` element, setting its two rules on the root instead: the drawing is unchanged and
needs no exception to the policy. (An `<img>` with a data: URL would also pass the policy, but WeasyPrint's fetcher
here refuses data: URLs, and an image's words cannot be read or found.)

Only figures that are shown are drawn (R88): a hidden figure is a gap in a line, or a bar with the words "fewer
than 5" instead of a length. Each chart has a text alternative; the tables beside it hold the same figures.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 (parses only the SVG matplotlib has just written)
from dataclasses import dataclass

from django.utils.safestring import mark_safe

from .measures import GROUPS
from .report import DEADLINES, SAME_DAY, TRANSFERS_ON_TIME, Report, share_value
from .suppression import Figure

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

COLOURS = ("#0b3d62", "#c25e00", "#5b8c2a", "#7a4e9c")  # dark blue, amber, green, purple: distinct in greyscale too
TEXT = "#222222"
GRID = "#d0d0d0"
FONT = "DejaVu Sans"


@dataclass(frozen=True)
class Chart:
    title: str
    description: str  # the text alternative
    svg: str


def _pyplot_free_figure(width: float, height: float):
    """A matplotlib Figure with no GUI backend and no global state, safe in a threaded web server."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    matplotlib.rcParams.update(
        {
            "svg.fonttype": "none",  # words stay text
            "svg.hashsalt": "trustees-report",  # the same chart gives the same markup
            "font.family": "sans-serif",
            "font.sans-serif": [FONT],
            "font.size": 9,
            "axes.edgecolor": GRID,
            "axes.labelcolor": TEXT,
            "xtick.color": TEXT,
            "ytick.color": TEXT,
        }
    )
    figure = Figure(figsize=(width, height))
    return figure


def _csp_safe(svg_text: str, *, chart_id: str, title: str, description: str) -> str:
    """The SVG with every `style` attribute turned into presentation attributes and no `<style>` element, plus a
    title and description for assistive technology."""
    root = ET.fromstring(svg_text)  # noqa: S314 (our own output, no entities)
    for element in root.iter():
        style = element.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                if ":" not in declaration:
                    continue
                name, value = (part.strip() for part in declaration.split(":", 1))
                if name == "font-family":
                    value = f"{value}, sans-serif"
                element.set(name, value)
    for parent in list(root.iter()):
        for child in list(parent):
            if child.tag in (f"{{{SVG_NS}}}style", f"{{{SVG_NS}}}metadata"):
                parent.remove(child)
    # Plain names, not namespace prefixes: ElementTree's prefixes are global, and qrcode (the two-factor set-up page)
    # registers "svg:" for this namespace, which would make the chart an unknown element in HTML.
    for element in root.iter():
        element.tag = element.tag.split("}", 1)[-1]
        for name in [name for name in element.attrib if name.startswith("{")]:
            value = element.attrib.pop(name)
            element.set("href" if name == f"{{{XLINK_NS}}}href" else name.split("}", 1)[-1], value)
    root.set("xmlns", SVG_NS)
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    # Fits the width it is given, on the page and on A4.
    root.attrib.pop("width", None)
    root.attrib.pop("height", None)
    root.set("class", "report-chart-svg")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    title_element = ET.Element("title", {"id": f"{chart_id}-title"})
    title_element.text = title
    desc_element = ET.Element("desc", {"id": f"{chart_id}-desc"})
    desc_element.text = description
    root.insert(0, desc_element)
    root.insert(0, title_element)
    markup = ET.tostring(root, encoding="unicode")
    # Element ids must be unique on a page holding several charts.
    return re.sub(r'(id="|url\(#|href="#)([A-Za-z0-9_.]+)', lambda m: f"{m[1]}{chart_id}-{m[2]}", markup).replace(
        f"{chart_id}-{chart_id}-", f"{chart_id}-"
    )


def _render(figure, *, chart_id: str, title: str, description: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    markup = _csp_safe(buffer.getvalue(), chart_id=chart_id, title=title, description=description)
    # Safe to print unescaped: ElementTree wrote every text and attribute (labels, school names, the title) escaped,
    # and _csp_safe removed <style>; tests/reports/test_charts.py sends markup through a label to prove it.
    return Chart(title, description, mark_safe(markup))  # noqa: S308


def _tidy(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="y", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def trend_chart(*, chart_id: str, title: str, term_labels: list[str], series: list[tuple[str, list[int | None]]]):
    """Lines across terms. A hidden figure (None) leaves a gap: it is never drawn, even as a point."""
    figure = _pyplot_free_figure(7.2, 2.8)
    axes = figure.subplots()
    positions = list(range(len(term_labels)))
    for index, (label, values) in enumerate(series):
        points = [float("nan") if v is None else v for v in values]
        axes.plot(positions, points, marker="o", linewidth=2, color=COLOURS[index % len(COLOURS)], label=label)
    axes.set_xticks(positions, term_labels)
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)
    _tidy(axes)
    axes.legend(frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    parts = []
    for label, values in series:
        shown = [
            f"{t}: {'fewer than 5 or not shown' if v is None else v}" for t, v in zip(term_labels, values, strict=True)
        ]
        parts.append(f"{label}: " + "; ".join(shown))
    description = "Line chart by term. " + ". ".join(parts) + "."
    return _render(figure, chart_id=chart_id, title=title, description=description)


def bar_chart(
    *, chart_id: str, title: str, labels: list[str], series: list[tuple[str, list[int | None]]], unit: str = ""
):
    """Horizontal bars, one group per label; a hidden figure is written as words, with no bar."""
    height = 0.9 + 0.32 * len(labels) * max(1, len(series))
    figure = _pyplot_free_figure(7.2, height)
    axes = figure.subplots()
    bar_height = 0.8 / len(series)
    largest = max([v for _, values in series for v in values if v is not None] + [1])
    for index, (name, values) in enumerate(series):
        offsets = [i + (index - (len(series) - 1) / 2) * bar_height for i in range(len(labels))]
        lengths = [0 if v is None else v for v in values]
        axes.barh(offsets, lengths, height=bar_height * 0.9, color=COLOURS[index % len(COLOURS)], label=name)
        for y, value in zip(offsets, values, strict=True):
            words = "fewer than 5 or not shown" if value is None else f"{value}{unit}"
            axes.text((0 if value is None else value) + largest * 0.01, y, words, va="center", fontsize=8, color=TEXT)
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, largest * 1.25)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.grid(axis="x", color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)
    if len(series) > 1:
        axes.legend(frameon=False, loc="lower right")
    parts = []
    for name, values in series:
        shown = [
            f"{lab}: {'fewer than 5 or not shown' if v is None else f'{v}{unit}'}"
            for lab, v in zip(labels, values, strict=True)
        ]
        parts.append(f"{name}: " + "; ".join(shown))
    description = "Bar chart. " + ". ".join(parts) + "."
    return _render(figure, chart_id=chart_id, title=title, description=description)


def target_chart(
    *, chart_id: str, title: str, labels: list[str], terms: list[str], values: list[list[int | None]], target: int
):
    """Percentages against a target line: one bar per term for each measure."""
    figure = _pyplot_free_figure(7.2, 0.9 + 0.45 * len(labels) * len(terms))
    axes = figure.subplots()
    bar_height = 0.8 / len(terms)
    for index, term in enumerate(terms):
        offsets = [i + (index - (len(terms) - 1) / 2) * bar_height for i in range(len(labels))]
        row = [values[m][index] for m in range(len(labels))]
        axes.barh(
            offsets,
            [0 if v is None else v for v in row],
            height=bar_height * 0.9,
            color=COLOURS[index % len(COLOURS)],
            label=term,
        )
        for y, value in zip(offsets, row, strict=True):
            axes.text(
                1 if value is None else value + 1,
                y,
                "not shown" if value is None else f"{value}%",
                va="center",
                fontsize=8,
                color=TEXT,
            )
    axes.axvline(target, color="#b10e1e", linestyle="--", linewidth=1.2)
    axes.text(target + 1, len(labels) - 0.45, f"target {target}%", ha="left", va="top", fontsize=8, color="#b10e1e")
    axes.set_yticks(range(len(labels)), labels)
    axes.invert_yaxis()
    axes.set_xlim(0, 125)
    axes.set_xlabel("per cent")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(frameon=False, loc="lower left", bbox_to_anchor=(0, 1.02), ncols=len(terms))
    parts = []
    for m, label in enumerate(labels):
        shown = [f"{t}: {'not shown' if v is None else f'{v}%'}" for t, v in zip(terms, values[m], strict=True)]
        parts.append(f"{label} (target {target}%): " + "; ".join(shown))
    description = "Bar chart against a target. " + ". ".join(parts) + "."
    return _render(figure, chart_id=chart_id, title=title, description=description)


# --- The report's charts ----------------------------------------------------------------------------------------


def charts_for(report: Report) -> dict:
    """The report's three charts, drawn only from shown figures (R88)."""
    column = report.column
    with_data = [f for f in report.trend if f.has(column)]
    trend = trend_chart(
        chart_id="chart-trend",
        title="Concerns, child-on-child incidents and domestic abuse notifications by term",
        term_labels=[f.key.short_label for f in with_data],
        series=[
            (label, [_shown_value(f.get(column, measure)) for f in with_data])
            for measure, label in (
                ("concerns", "Concerns recorded"),
                ("child_on_child", "Child-on-child incidents"),
                ("domestic_abuse_notifications", "Domestic abuse notifications"),
            )
        ],
    )
    compared = [(report.key.label, report.current)]
    if report.previous.has(column):
        compared.append((report.key.previous().label, report.previous))
    categories = bar_chart(
        chart_id="chart-categories",
        title="Concerns by kind, this term and last",
        labels=[label for _, label in GROUPS],
        series=[
            (name, [_shown_value(figures.get(column, f"group:{code}")) for code, _ in GROUPS])
            for name, figures in compared
        ],
    )
    terms = [(report.key.label, report.current)]
    for key, figures in ((report.key.previous(), report.previous), (report.key.year_before(), report.year_before)):
        if figures.has(column):
            terms.append((key.label, figures))
    timeliness = target_chart(
        chart_id="chart-timeliness",
        title="Timeliness against target",
        labels=["Concerns recorded on the day", "Statutory deadlines met", "CP files sent on time"],
        terms=[name for name, _ in terms],
        values=[
            [share_value(figures, column, *SAME_DAY) for _, figures in terms],
            [share_value(figures, column, *DEADLINES) for _, figures in terms],
            [share_value(figures, column, *TRANSFERS_ON_TIME) for _, figures in terms],
        ],
        target=100,
    )
    return {"trend": trend, "categories": categories, "timeliness": timeliness}


def _shown_value(figure: Figure | None) -> int | None:
    return figure.value if figure is not None and figure.shown else None
