"""The trustees' termly report (R87–R89), laid out for the page and the PDF from a term's protected figures
(figures.py): the sections of rows compared with last term and the same term a year before, the timeliness shares
against their targets, the three questions trustees should ask, the annual assurance dates (R89) and, for a trust,
its schools side by side. The charts are drawn from it in charts.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from safeguarding.models import AssuranceCheck, AssuranceKind, School

from . import suppression
from .figures import TRUST, Scope, TermFigures, measure_waits, term_figures
from .measures import (
    ALLEGATION_OUTCOMES,
    GROUPS,
    KEY_STAGE_UNKNOWN,
    KEY_STAGES,
    LA_OUTCOMES,
    LADO,
    OPEN_FLAGS,
    REFERRAL_TYPES,
)
from .periods import Period, TermKey
from .rows import AssuranceLine, Question, Row, ShareRow, SideBySideRow, format_wait
from .selectors import active_levels
from .suppression import Figure

TREND_TERMS = 6


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
    now = report.figure(measure)
    # The report is built for a term the scope has entered (the view's 404 otherwise), so this term has every
    # measure of the column; only the terms compared with it may have none.
    assert now is not None, f"{measure} is not among this term's figures"
    return Row(
        measure=measure,
        label=label,
        now=now,
        previous=report.previous.get(report.column, measure) if report.previous.has(report.column) else None,
        year_before=report.year_before.get(report.column, measure) if report.year_before.has(report.column) else None,
    )


def _share_text(figures: TermFigures, column, part: str, rest: str, whole: str) -> str:
    whole_figure = figures.get(column, whole)
    if not figures.has(column) or whole_figure is None:
        return "–"
    if whole_figure.shown and whole_figure.value == 0:
        return {"deadlines_due": "none due", "transfers_sent": "none sent"}.get(whole, "none recorded")
    # The part and the rest are measures of the same column as the whole, so the term has them too.
    value = suppression.share(figures.figures[column, part], whole_figure, figures.figures[column, rest])
    return "not shown (small numbers)" if value is None else f"{value}%"


def share_value(figures: TermFigures, column, part: str, rest: str, whole: str) -> int | None:
    whole_figure = figures.get(column, whole)
    if not figures.has(column) or whole_figure is None:
        return None
    return suppression.share(figures.figures[column, part], whole_figure, figures.figures[column, rest])


def _share_texts(report: Report, part: str, rest: str, whole: str) -> tuple[str, str, str]:
    """A share's words this term, last term and the same term a year before: a ShareRow's three columns."""
    column = report.column
    return (
        _share_text(report.current, column, part, rest, whole),
        _share_text(report.previous, column, part, rest, whole),
        _share_text(report.year_before, column, part, rest, whole),
    )


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
        ShareRow("Concerns recorded on the day they happened", *_share_texts(report, *SAME_DAY), "100%"),
        ShareRow(
            "Median time from raising a concern to its acknowledgement",
            *(format_wait(f.medians.get((column, "acknowledgement"))) for f in three),
        ),
        ShareRow(
            "Median time from raising a concern to its triage",
            *(format_wait(f.medians.get((column, "triage"))) for f in three),
        ),
        ShareRow("Statutory deadlines met", *_share_texts(report, *DEADLINES), "100%"),
        ShareRow("CP files sent to the next school on time", *_share_texts(report, *TRANSFERS_ON_TIME), "100%"),
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
    for done in AssuranceCheck.objects.filter(school__in=report.scope.schools).order_by("-done_on", "-pk"):
        latest.setdefault((done.school_id, done.kind), done)
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
        for difference, earlier, when in (
            (row.since_previous, row.previous, f"the {report.key.previous().label}"),
            (row.since_year_before, row.year_before, f"the {report.key.year_before().label}"),
        ):
            if difference and earlier is not None:  # a difference is only ever taken from a figure
                candidates.append((abs(difference), row.label, earlier.value, row.now.value, when, difference))
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
    columns: list[School | str] = [s for s in report.scope.schools] + [TRUST]
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
        cells = [report.current.get(c.pk if isinstance(c, School) else c, measure) for c in columns]
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
