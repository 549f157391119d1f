"""The trustees' termly report (R87–R89): a term's counts for a school or a whole trust, protected (R88) and laid
out for the page and the PDF.

The counts of all the schools of a trust are protected together, with the trust's own figures, whoever is reading:
a trustee of one school sees that school's column of the same protected table the trust's safeguarding lead sees
beside the others, so nothing hidden in one view can be read from another. Each term is protected on its own (a
comparison with last term shows last term's figures as its own report shows them); changes, shares and chart
points are worked out only from figures that are shown.

So a school's report counts every school of its trust: selectors.py does it in the same queries for all of them.
What is not protected with the counts, the median waits, is measured only for the column the reader is shown and
only for the three terms the report compares.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from safeguarding.models import AssuranceCheck, AssuranceKind, School, Trust

from . import suppression
from .concern_counts import waits
from .measures import (
    ALLEGATION_OUTCOMES,
    GROUPS,
    KEY_STAGE_UNKNOWN,
    KEY_STAGES,
    LA_OUTCOMES,
    LADO,
    OPEN_FLAGS,
    REFERRAL_TYPES,
    Median,
    TermCounts,
)
from .periods import Period, TermKey, periods_for
from .selectors import active_levels, schools_term_counts
from .staff_cases import open_at_start, staff_counts
from .suppression import Figure, Table

TRUST = "trust"
TREND_TERMS = 6

# R87: CP files out and in, and the share sent on time (R55, R58).
TRANSFER_MEASURES = (
    "transfers_sent",
    "transfers_sent_on_time",
    "transfers_sent_late",
    "transfers_received",
    "transfers_overdue",
)

# Counts that stand at a moment (not flows through the term) and so appear in two terms' reports: each is hidden by
# the same rule wherever it appears (see `_protect`).
STOCKS = ("allegations_open_at_end", "allegations_open_at_start")


@dataclass(frozen=True)
class Scope:
    """What one report covers: one school, or a trust's schools side by side with the trust's own figures."""

    schools: tuple[School, ...]
    trust: Trust | None = None

    @property
    def is_trust(self) -> bool:
        return self.trust is not None

    @property
    def column(self):
        return TRUST if self.is_trust else self.schools[0].pk

    @property
    def name(self) -> str:
        return f"{self.trust.name} (all its schools)" if self.is_trust else self.schools[0].name

    def protected_together(self) -> tuple[School, ...]:
        """The schools whose counts are protected as one table: the whole trust, whoever is reading."""
        trust_id = self.trust.pk if self.trust else self.schools[0].trust_id
        if trust_id is None:
            return self.schools
        return tuple(School.objects.filter(trust_id=trust_id).order_by("name"))


@dataclass
class TermFigures:
    """One term's protected figures for every school protected together (and the trust), by (column, measure)."""

    key: TermKey
    periods: dict[int, Period]
    counts: dict[int, TermCounts]
    figures: dict[tuple, Figure]
    medians: dict[tuple, Median]
    staff_available: bool

    def get(self, column, measure: str) -> Figure | None:
        return self.figures.get((column, measure))

    def has(self, column) -> bool:
        return column == TRUST and bool(self.periods) or column in self.periods


def _columns(counts: dict[int, TermCounts]) -> list:
    return list(counts) + ([TRUST] if counts else [])


def _measures(levels, staff_available: bool) -> list[str]:
    measures = [
        "concerns",
        "recorded_by_staff",
        "recorded_same_day",
        "recorded_late",
        "domestic_abuse_notifications",
        "opened_by_allegation",
        "child_on_child",
        "deadlines_due",
        "deadlines_met",
        "deadlines_missed",
        "overdue_actions",
        *TRANSFER_MEASURES,
        *(f"group:{code}" for code, _ in GROUPS),
        *(f"level:{code}" for code, _ in levels),
        "level:none",
        "level:other",
        *(f"ks:{code}" for code, _ in KEY_STAGES),
        f"ks:{KEY_STAGE_UNKNOWN}",
        *(f"open:{kind}" for kind, _ in OPEN_FLAGS),
        "la_decisions",
        *(f"la_outcome:{code}" for code, _ in LA_OUTCOMES),
    ]
    for kind in REFERRAL_TYPES:
        measures += [f"referral:{kind.code}:{part}" for part in ("referred", "answered", "awaiting", "not_referred")]
    if staff_available:
        measures += [
            "allegations_opened",
            "allegations_open_at_end",
            "allegations_open_at_start",
            "allegations_concluded",
            "low_level_concerns",
            "referral:lado:referred",
            *(f"allegation_outcome:{o}" for o in ALLEGATION_OUTCOMES),
        ]
    return measures


def _relate_column(table: Table, column, levels, staff_available: bool) -> None:
    """The ways a column's figures add up, each of which could give a hidden figure away."""

    def k(measure):
        return (column, measure)

    table.at_least(k("concerns"), [k(f"group:{code}") for code, _ in GROUPS])
    table.total(k("concerns"), [k(f"level:{code}") for code, _ in levels] + [k("level:none"), k("level:other")])
    table.total(k("concerns"), [k(f"ks:{code}") for code, _ in KEY_STAGES] + [k(f"ks:{KEY_STAGE_UNKNOWN}")])
    # Every concern is a person's own account, a police notification or one an allegation about an adult opened.
    table.total(k("concerns"), [k("recorded_by_staff"), k("domestic_abuse_notifications"), k("opened_by_allegation")])
    table.total(k("recorded_by_staff"), [k("recorded_same_day"), k("recorded_late")])
    table.at_least(k("child_on_child"), [k("concerns")])
    table.at_least(k("group:child_on_child"), [k("child_on_child")])
    table.total(k("deadlines_due"), [k("deadlines_met"), k("deadlines_missed")])
    # Sent on time is part of sent (so never more than it): the rest were sent late.
    table.total(k("transfers_sent"), [k("transfers_sent_on_time"), k("transfers_sent_late")])
    for kind in REFERRAL_TYPES:
        code = kind.code
        table.total(k(f"referral:{code}:referred"), [k(f"referral:{code}:answered"), k(f"referral:{code}:awaiting")])
    table.total(k("la_decisions"), [k(f"la_outcome:{code}") for code, _ in LA_OUTCOMES])
    if staff_available:
        table.total(k("allegations_concluded"), [k(f"allegation_outcome:{o}") for o in ALLEGATION_OUTCOMES])
        # Open at the start, plus opened, is concluded plus open at the end.
        table.equal(
            [k("allegations_open_at_start"), k("allegations_opened")],
            [k("allegations_concluded"), k("allegations_open_at_end")],
        )


def _protect(counts: dict[int, TermCounts], levels, staff_available: bool) -> dict[tuple, Figure]:
    measures = _measures(levels, staff_available)
    table = Table()
    schools = list(counts)
    for school_id in schools:
        for measure in measures:
            value = counts[school_id].counts.get(measure, 0)
            table.add((school_id, measure), value, keep=measure == "concerns", locked=measure in STOCKS)
    for measure in measures:
        total = sum(counts[s].counts.get(measure, 0) for s in schools)
        if measure in STOCKS:
            # A stock is hidden the same way in every report it appears in: at the trust level, whenever any
            # school's is hidden, so the trust's figure never gives a school's away.
            hide = suppression.is_small(total) or any(suppression.is_small(counts[s].counts[measure]) for s in schools)
            table.add((TRUST, measure), total, locked=True, hide=hide)
        else:
            table.add((TRUST, measure), total, keep=measure == "concerns")
        table.total((TRUST, measure), [(s, measure) for s in schools])
    for column in _columns(counts):
        _relate_column(table, column, levels, staff_available)
    return table.protect()


def term_figures(key: TermKey, schools: tuple[School, ...], *, today: date, levels) -> TermFigures:
    """Every school's counts for the term, protected together. The medians are not measured here: a report measures
    only the ones it shows (`measure_waits`)."""
    periods = periods_for(list(schools), key, today=today)
    counts = schools_term_counts(periods=list(periods.values()), levels=levels, today=today)
    staff_available = bool(counts) and all(c.staff is not None for c in counts.values())
    if staff_available:
        for school_id, open_then in open_at_start(list(periods.values())).items():
            counts[school_id].counts["allegations_open_at_start"] = open_then
    figures = _protect(counts, levels, staff_available) if counts else {}
    return TermFigures(
        key=key, periods=periods, counts=counts, figures=figures, medians={}, staff_available=staff_available
    )


def measure_waits(figures: TermFigures, column) -> None:
    """R19–R20, R25: the two medians of one column (a school's, or the trust's over all its schools' concerns), for
    a report that shows them. A median is not protected with the counts (rule 3 is about its own count), so a
    school's report needs no other school's, and none is measured for a term the report only charts."""
    if column == TRUST:
        periods = list(figures.periods.values())
    else:
        periods = [figures.periods[column]] if column in figures.periods else []
    if periods and (column, "acknowledgement") not in figures.medians:
        figures.medians[(column, "acknowledgement")], figures.medians[(column, "triage")] = waits(periods)


# --- Laying the report out ------------------------------------------------------------------------------------


def format_wait(median: Median | None) -> str:
    """A median wait in words, or why it is not shown (rule 3: over fewer than 5 concerns, never)."""
    if median is None or median.count == 0:
        return "none to measure"
    if median.count < suppression.MIN_SHOWN_MEDIAN_COUNT:
        return "too few to show"
    minutes = round(median.value.total_seconds() / 60)
    if minutes < 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        text = f"{hours} hour{'s' if hours != 1 else ''}"
        return text + (f" {minutes} minute{'s' if minutes != 1 else ''}" if minutes else "")
    days = round(hours / 24)
    return f"{days} days"


def describe_change(difference: int | None) -> str:
    if difference is None:
        return "–"
    if difference == 0:
        return "no change"
    return f"{difference:+,}"


@dataclass
class Row:
    """One measure across the three terms compared."""

    measure: str
    label: str
    now: Figure
    previous: Figure | None
    year_before: Figure | None

    @property
    def since_previous(self) -> int | None:
        return suppression.change(self.now, self.previous) if self.previous else None

    @property
    def since_year_before(self) -> int | None:
        return suppression.change(self.now, self.year_before) if self.year_before else None

    @property
    def since_previous_text(self) -> str:
        return describe_change(self.since_previous)

    @property
    def since_year_before_text(self) -> str:
        return describe_change(self.since_year_before)

    @property
    def is_zero_throughout(self) -> bool:
        return all(f is None or (f.shown and f.value == 0) for f in (self.now, self.previous, self.year_before))


@dataclass
class ShareRow:
    label: str
    now: str
    previous: str
    year_before: str
    target: str = ""


@dataclass
class Question:
    text: str


@dataclass
class AssuranceLine:
    school: School
    kind_label: str
    done_on: date | None
    next_due: date | None
    overdue: bool


@dataclass
class SideBySideRow:
    label: str
    cells: list[Figure | None]


@dataclass
class Report:
    scope: Scope
    key: TermKey
    today: date
    current: TermFigures
    previous: TermFigures
    year_before: TermFigures
    trend: list[TermFigures]
    levels: list[tuple[str, str]]
    sections: dict[str, list[Row]] = field(default_factory=dict)
    referrals: list[dict] = field(default_factory=list)
    la_decisions: list[Row] = field(default_factory=list)
    timeliness: list[ShareRow] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    assurance: list[AssuranceLine] = field(default_factory=list)
    side_by_side: list[SideBySideRow] = field(default_factory=list)
    side_by_side_columns: list[str] = field(default_factory=list)

    @property
    def column(self):
        return self.scope.column

    @property
    def periods(self) -> list[Period]:
        return [self.current.periods[s.pk] for s in self.scope.schools if s.pk in self.current.periods]

    @property
    def in_progress(self) -> bool:
        return any(p.in_progress for p in self.periods)

    @property
    def schools_without_term(self) -> list[School]:
        return [s for s in self.scope.schools if s.pk not in self.current.periods]

    @property
    def staff_available(self) -> bool:
        return self.current.staff_available

    def figure(self, measure: str, figures: TermFigures | None = None) -> Figure | None:
        return (figures or self.current).get(self.column, measure)

    @property
    def headline(self) -> list[tuple[str, Figure]]:
        items = [
            ("Concerns recorded", self.figure("concerns")),
            ("Child-on-child incidents", self.figure("child_on_child")),
            ("Domestic abuse notifications", self.figure("domestic_abuse_notifications")),
            ("Children on a child protection plan at the end of term", self.figure("open:child_protection")),
            ("Overdue actions at the end of term", self.figure("overdue_actions")),
        ]
        return [(label, figure) for label, figure in items if figure is not None]


def _row(report: Report, measure: str, label: str) -> Row:
    return Row(
        measure=measure,
        label=label,
        now=report.figure(measure),
        previous=report.previous.get(report.column, measure) if report.previous.has(report.column) else None,
        year_before=report.year_before.get(report.column, measure) if report.year_before.has(report.column) else None,
    )


def _share_text(figures: TermFigures, column, part: str, rest: str, whole: str) -> str:
    if not figures.has(column) or figures.get(column, whole) is None:
        return "–"
    whole_figure = figures.get(column, whole)
    if whole_figure.shown and whole_figure.value == 0:
        return {"deadlines_due": "none due", "transfers_sent": "none sent"}.get(whole, "none recorded")
    value = suppression.share(figures.get(column, part), whole_figure, figures.get(column, rest))
    return "not shown (small numbers)" if value is None else f"{value}%"


def share_value(figures: TermFigures, column, part: str, rest: str, whole: str) -> int | None:
    if not figures.has(column) or figures.get(column, whole) is None:
        return None
    return suppression.share(figures.get(column, part), figures.get(column, whole), figures.get(column, rest))


SAME_DAY = ("recorded_same_day", "recorded_late", "recorded_by_staff")
DEADLINES = ("deadlines_met", "deadlines_missed", "deadlines_due")
TRANSFERS_ON_TIME = ("transfers_sent_on_time", "transfers_sent_late", "transfers_sent")


def _lay_out(report: Report) -> None:
    column = report.column
    report.sections["Concerns by kind"] = [_row(report, f"group:{code}", label) for code, label in GROUPS]
    levels = [_row(report, f"level:{code}", label) for code, label in report.levels]
    levels.append(_row(report, "level:none", "Not yet triaged"))
    other = _row(report, "level:other", "A level no longer in use")
    report.sections["Concerns by level of need"] = levels + ([] if other.is_zero_throughout else [other])
    stages = [_row(report, f"ks:{code}", label) for code, label in KEY_STAGES]
    stages.append(_row(report, f"ks:{KEY_STAGE_UNKNOWN}", "Key stage not known"))
    report.sections["Concerns by key stage"] = [row for row in stages if not row.is_zero_throughout]
    report.sections["Children open at the end of term"] = [
        _row(report, f"open:{kind}", label) for kind, label in OPEN_FLAGS
    ]
    report.sections["Domestic abuse and child-on-child"] = [
        _row(report, "domestic_abuse_notifications", "Police domestic abuse notifications"),
        _row(report, "child_on_child", "Child-on-child incidents"),
    ]
    for kind in REFERRAL_TYPES:
        report.referrals.append(
            {
                "label": kind.label,
                "referred": _row(report, f"referral:{kind.code}:referred", kind.label),
                "answered": report.figure(f"referral:{kind.code}:answered"),
                "awaiting": report.figure(f"referral:{kind.code}:awaiting"),
                "not_referred": report.figure(f"referral:{kind.code}:not_referred") if kind.not_referred else None,
            }
        )
    report.la_decisions = [_row(report, "la_decisions", "Decisions recorded this term")] + [
        _row(report, f"la_outcome:{code}", f"… of which {label[0].lower()}{label[1:]}") for code, label in LA_OUTCOMES
    ]
    if report.staff_available:
        report.referrals.append(
            {
                "label": LADO[1],
                "referred": _row(report, "referral:lado:referred", LADO[1]),
                "answered": None,
                "awaiting": None,
                "not_referred": None,
            }
        )
        report.sections["Concerns and allegations about adults"] = [
            _row(report, "allegations_opened", "Allegations made this term"),
            _row(report, "allegations_open_at_end", "Allegations still open at the end of term"),
            _row(report, "allegations_concluded", "Allegations concluded this term"),
            *(_row(report, f"allegation_outcome:{o}", f"… of which {o.lower()}") for o in ALLEGATION_OUTCOMES),
            _row(report, "low_level_concerns", "Low-level concerns recorded"),
        ]
    three = (report.current, report.previous, report.year_before)
    report.timeliness = [
        ShareRow(
            "Concerns recorded on the day they happened", *(_share_text(f, column, *SAME_DAY) for f in three), "100%"
        ),
        ShareRow(
            "Median time from raising a concern to its acknowledgement",
            *(format_wait(f.medians.get((column, "acknowledgement"))) for f in three),
        ),
        ShareRow(
            "Median time from raising a concern to its triage",
            *(format_wait(f.medians.get((column, "triage"))) for f in three),
        ),
        ShareRow("Statutory deadlines met", *(_share_text(f, column, *DEADLINES) for f in three), "100%"),
        ShareRow(
            "CP files sent to the next school on time",
            *(_share_text(f, column, *TRANSFERS_ON_TIME) for f in three),
            "100%",
        ),
    ]
    report.sections["Deadlines and actions"] = [
        _row(report, "deadlines_due", "Statutory deadlines that fell this term"),
        _row(report, "deadlines_missed", "Statutory deadlines missed"),
        _row(report, "overdue_actions", "Actions overdue at the end of term"),
    ]
    report.sections["CP files between schools"] = [
        _row(report, "transfers_sent", "CP files sent to the next school"),
        _row(report, "transfers_sent_on_time", "… of which sent on time (within 5 school days)"),
        _row(report, "transfers_received", "CP files received from the previous school"),
        _row(report, "transfers_overdue", "CP files not sent and overdue at the end of term"),
    ]


def _assurance(report: Report) -> None:
    """R89: the latest date of each annual check, and when the next is due."""
    latest: dict[tuple[int, str], AssuranceCheck] = {}
    for check in AssuranceCheck.objects.filter(school__in=report.scope.schools).order_by("-done_on", "-pk"):
        latest.setdefault((check.school_id, check.kind), check)
    for school in report.scope.schools:
        for kind in AssuranceKind:
            check = latest.get((school.pk, kind.value))
            report.assurance.append(
                AssuranceLine(
                    school=school,
                    kind_label=kind.label,
                    done_on=check.done_on if check else None,
                    next_due=check.next_due if check else None,
                    overdue=bool(check and check.next_due and check.next_due < report.today),
                )
            )


def _questions(report: Report) -> None:
    """The three things trustees should ask about: a missed statutory deadline first, then the largest changes."""
    questions: list[Question] = []
    missed = report.figure("deadlines_missed")
    if missed is not None and report.current.counts and (not missed.shown or missed.value):
        how_many = "Some" if missed.hidden == suppression.SECONDARY else str(missed).capitalize()
        questions.append(
            Question(
                f"{how_many} statutory deadline{'s' if missed.value != 1 else ''} "
                f"{'were' if missed.value != 1 else 'was'} missed this term. Which were they, and what has changed "
                "so that it does not happen again?"
            )
        )
    candidates = []
    # The breakdowns that say something of their own: not key stages, which mostly repeat the total.
    rows = [
        row
        for title, rows in report.sections.items()
        if title != "Concerns by key stage"
        for row in rows
        if row.measure
        not in ("deadlines_missed", "deadlines_due", "level:none", "level:other", "transfers_sent_on_time")
    ]
    rows += [_row(report, "concerns", "Concerns recorded")]
    rows += [item["referred"] for item in report.referrals]
    for row in rows:
        for difference, before, when in (
            (row.since_previous, row.previous, f"the {report.key.previous().label}"),
            (row.since_year_before, row.year_before, f"the {report.key.year_before().label}"),
        ):
            if difference:
                candidates.append((abs(difference), row.label, before.value, row.now.value, when, difference))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    seen = set()
    for _, label, before, now, when, difference in candidates:
        if len(questions) >= 3:
            break
        if label in seen:
            continue
        seen.add(label)
        direction = "rose" if difference > 0 else "fell"
        why = "What lies behind the rise?" if difference > 0 else "What lies behind the fall?"
        questions.append(Question(f"{label}: {direction} from {before:,} in {when} to {now:,} this term. {why}"))
    overdue_checks = [line for line in report.assurance if line.overdue]
    if len(questions) < 3 and overdue_checks:
        line = overdue_checks[0]
        questions.append(
            Question(
                f"{line.kind_label} at {line.school.name}: due by {line.next_due:%-d %B %Y}. When will it be done?"
            )
        )
    report.questions = questions[:3]


def _side_by_side(report: Report) -> None:
    if not report.scope.is_trust:
        return
    columns = [s for s in report.scope.schools] + [TRUST]
    report.side_by_side_columns = [s.name for s in report.scope.schools] + ["Whole trust"]
    measures = [
        ("concerns", "Concerns recorded"),
        *((f"group:{code}", label) for code, label in GROUPS),
        *((f"level:{code}", label) for code, label in report.levels),
        ("level:none", "Not yet triaged"),
        *((f"ks:{code}", label) for code, label in KEY_STAGES),
        *((f"referral:{kind.code}:referred", f"Referrals: {kind.label}") for kind in REFERRAL_TYPES),
        ("la_decisions", "Local authority decisions recorded"),
        *((f"la_outcome:{code}", f"Local authority decisions: {label}") for code, label in LA_OUTCOMES),
        *((f"open:{kind}", f"Open: {label}") for kind, label in OPEN_FLAGS),
        ("domestic_abuse_notifications", "Police domestic abuse notifications"),
        ("child_on_child", "Child-on-child incidents"),
        ("deadlines_missed", "Statutory deadlines missed"),
        ("overdue_actions", "Actions overdue at the end of term"),
        ("transfers_sent", "CP files sent"),
        ("transfers_received", "CP files received"),
        ("transfers_overdue", "CP files overdue at the end of term"),
    ]
    if report.staff_available:
        measures += [
            ("referral:lado:referred", "Referrals: LADO"),
            ("allegations_opened", "Allegations made"),
            ("allegations_open_at_end", "Allegations open at the end of term"),
            ("low_level_concerns", "Low-level concerns"),
        ]
    for measure, label in measures:
        # None: the school has not entered this term's dates.
        cells = [report.current.get(c if c == TRUST else c.pk, measure) for c in columns]
        if measure.startswith("ks:") and all(c.shown and c.value == 0 for c in cells if c is not None):
            continue
        report.side_by_side.append(SideBySideRow(label, cells))


def build_report(scope: Scope, key: TermKey, *, today: date | None = None) -> Report:
    today = today or timezone.localdate()
    levels = active_levels()
    together = scope.protected_together()
    cache: dict[TermKey, TermFigures] = {}

    def figures_for(term: TermKey) -> TermFigures:
        if term not in cache:
            cache[term] = term_figures(term, together, today=today, levels=levels)
        return cache[term]

    trend_keys = key.back(TREND_TERMS)
    for compared in (key, key.previous(), key.year_before()):
        measure_waits(figures_for(compared), scope.column)
    report = Report(
        scope=scope,
        key=key,
        today=today,
        current=figures_for(key),
        previous=figures_for(key.previous()),
        year_before=figures_for(key.year_before()),
        trend=[figures_for(k) for k in trend_keys],
        levels=levels,
    )
    _lay_out(report)
    _assurance(report)
    _questions(report)
    _side_by_side(report)
    return report


def head_cases_left_out(scope: Scope, key: TermKey, *, today: date | None = None) -> Figure | None:
    """R88: cases about the Head are left out of the pack; the Chair is told how many (small numbers hidden too)."""
    periods = periods_for(list(scope.schools), key, today=today or timezone.localdate())
    register = staff_counts(list(periods.values()))
    if register is None:
        return None
    total = sum(staff["left_out_about_head"] for staff in register.values())
    return suppression.small_only(total) if total else None


# --- Charts -----------------------------------------------------------------------------------------------------


def charts_for(report: Report) -> dict:
    """The report's three charts, drawn only from shown figures (R88)."""
    from . import charts

    column = report.column
    with_data = [f for f in report.trend if f.has(column)]
    trend = charts.trend_chart(
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
    categories = charts.bar_chart(
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
    timeliness = charts.target_chart(
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
