"""What the trustees' report counts, with the words it uses (R87): the kinds of concern, the key stages, the
agencies a concern is referred to and what answers them, the local authority's decisions (R30), the open plans and
statuses, the statutory deadlines (R29, R30, R32–R35) and the outcomes of allegations about adults; and the shapes
the counts come back in (`TermCounts`, `Median`). Nothing here reads the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from concerns import categories
from concerns.models import ActionKind, DecisionKind, FlagKind, LaOutcome

GROUPS = [(group.code, group.label) for group in categories.GROUPS]
CHILD_ON_CHILD_CODES = [c.code for g in categories.GROUPS if g.code == "child_on_child" for c in g.categories]

KEY_STAGES = [
    ("eyfs", "Early years (Reception)"),
    ("ks1", "Key stage 1 (Years 1 and 2)"),
    ("ks2", "Key stage 2 (Years 3 to 6)"),
    ("ks3", "Key stage 3 (Years 7 to 9)"),
    ("ks4", "Key stage 4 (Years 10 and 11)"),
    ("ks5", "Key stage 5 (Years 12 and 13)"),
]
KEY_STAGE_UNKNOWN = "unknown"


@dataclass(frozen=True)
class ReferralType:
    code: str
    label: str
    decisions: tuple[str, ...] = ()
    not_referred: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    answered_by: tuple[str, ...] = ()  # the actions whose completion records the agency's answer


REFERRAL_TYPES = (
    ReferralType(
        "csc",
        "Children's social care",
        decisions=(DecisionKind.REFER_CSC,),
        not_referred=(DecisionKind.NOT_REFER_CSC,),
        actions=(ActionKind.CSC_REFERRAL_PHONE, ActionKind.CSC_REFERRAL_ONLINE),
        answered_by=(ActionKind.CSC_DECISION_CHASE,),
    ),
    ReferralType(
        "early_help",
        "Early help",
        decisions=(DecisionKind.EARLY_HELP,),
        actions=(ActionKind.EHA_TAF, ActionKind.VCM_REQUEST),
        answered_by=(ActionKind.EHA_TAF, ActionKind.VCM_REQUEST),
    ),
    ReferralType(
        "police",
        "Police",
        decisions=(DecisionKind.REFER_POLICE,),
        not_referred=(DecisionKind.NOT_REFER_POLICE,),
        actions=(ActionKind.POLICE_EMERGENCY, ActionKind.POLICE_NON_EMERGENCY),
        answered_by=(ActionKind.POLICE_EMERGENCY, ActionKind.POLICE_NON_EMERGENCY),
    ),
    ReferralType(
        "prevent",
        "Prevent",
        decisions=(DecisionKind.REFER_PREVENT,),
        not_referred=(DecisionKind.NOT_REFER_PREVENT,),
        actions=(ActionKind.PREVENT_REFERRAL,),
        answered_by=(ActionKind.PREVENT_REFERRAL,),
    ),
    ReferralType(
        "fgm",
        "FGM: mandatory report to the police",
        actions=(ActionKind.FGM_REPORT,),
        answered_by=(ActionKind.FGM_REPORT,),
    ),
)
# LADO referrals are about adults: they come from staff_allegations.reporting.
LADO = ("lado", "LADO (allegations about adults)")
# R30: what the local authority decided about a referral to children's social care, in the words of its task.
LA_OUTCOMES = list(LaOutcome.choices)

OPEN_FLAGS = [
    (FlagKind.CHILD_PROTECTION, "Child protection plan"),
    (FlagKind.CHILD_IN_NEED, "Child in need plan"),
    (FlagKind.LOOKED_AFTER, "Looked after"),
    (FlagKind.PREVIOUSLY_LOOKED_AFTER, "Previously looked after"),
    (FlagKind.EARLY_HELP, "Early help"),
]

# The deadlines set by law, statutory guidance or the policy (R29, R30, R32–R35): created by rule, never by choice.
STATUTORY_DEADLINE_KINDS = (
    ActionKind.CSC_WRITTEN_FOLLOW_UP,
    ActionKind.CSC_DECISION_CHASE,
    ActionKind.FGM_REPORT,
    ActionKind.PREVENT_ADVICE,
    ActionKind.PRIVATE_FOSTERING_NOTIFICATION,
    ActionKind.RISK_ASSESSMENT_VICTIM,
    ActionKind.RISK_ASSESSMENT_PERPETRATOR,
    ActionKind.RISK_ASSESSMENT_OTHERS,
    ActionKind.SEPARATION,
)

ALLEGATION_OUTCOMES = ("Substantiated", "Malicious", "False", "Unsubstantiated", "Unfounded")


@dataclass(frozen=True)
class Median:
    """A median wait over `count` concerns (none when there were none)."""

    count: int
    value: timedelta | None


@dataclass
class TermCounts:
    """One school's counts for one period: `counts` by measure key, the staff-case figures (None until the register
    of concerns about adults can give them) and, where they were measured, the two medians."""

    counts: dict[str, int]
    staff: dict | None
    levels: list[tuple[str, str]]
    acknowledgement: Median | None = None
    triage: Median | None = None
