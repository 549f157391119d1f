"""Who handles a concern about an adult (policy Section 9, R60, R71, R73, R18).

Kept apart from the services so the rules read as the policy does and the tests can walk every answer set:

- an allegation goes to the Headteacher as case manager; to the DSL when the Head is away; to the Chair of
  Trustees when it is about the Head;
- a reporter with a conflict of interest reports straight to the LADO; the record is then held by the Chair;
- a low-level concern goes to the school's decision maker (the Head unless the school chose the DSL); one about
  the DSL goes to the Head, one about the Head to the Chair;
- a concern about practice (whistleblowing) goes to the Head, or to the Chair when it names the Head;
- nobody ever manages a case about themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from safeguarding.models import Membership, Role, School, User

from .models import AdultCaseSettings, CaseKind, DecisionMaker, Route


class NoCaseManager(Exception):
    """Nobody holds the role the report must go to: the IT administrator must add the Head or the Chair."""


@dataclass(frozen=True)
class Routing:
    route: str
    case_manager: User
    reason: str
    to_lado: bool = False


def holder(school: School, role: str) -> User | None:
    """The active person holding `role` at the school (for the Chair, at the school or at its trust)."""
    places = Q(school=school)
    if role == Role.CHAIR and school.trust_id:
        places |= Q(trust_id=school.trust_id)
    membership = (
        Membership.objects.filter(places, role=role, user__is_active=True).select_related("user").order_by("pk").first()
    )
    return membership.user if membership else None


def subject_roles(school: School, subject: User | None) -> set[str]:
    if subject is None:
        return set()
    return set(Membership.objects.filter(user=subject, school=school).values_list("role", flat=True))


def route_case(
    *,
    school: School,
    kind: str,
    subject: User | None,
    subject_is_head: bool,
    subject_is_dsl: bool,
    conflict_of_interest: bool = False,
) -> Routing:
    head, chair, dsl = holder(school, Role.HEADTEACHER), holder(school, Role.CHAIR), holder(school, Role.DSL)
    from concerns.selectors import is_away

    head_available = head is not None and not is_away(user=head, school=school)

    def choose(*candidates: tuple[str, User | None, str], to_lado: bool = False) -> Routing:
        for route, person, reason in candidates:
            if person is not None and (subject is None or person.pk != subject.pk):
                return Routing(route=route, case_manager=person, reason=reason, to_lado=to_lado)
        raise NoCaseManager(
            "Nobody in the app holds the role this report must go to (the Headteacher or the Chair of Trustees). "
            "Tell the Headteacher or the Chair in person today, and ask the IT administrator to add them."
        )

    to_chair = (Route.CHAIR, chair, "It is about the Headteacher, so it goes to the Chair of Trustees.")

    if kind == CaseKind.PRACTICE:
        if subject_is_head:
            return choose((Route.CHAIR, chair, "It names the Headteacher, so it goes to the Chair of Trustees."))
        return choose(
            (Route.HEAD, head, "Concerns about safeguarding practice go to the Headteacher."),
            (Route.CHAIR, chair, "There is no Headteacher in the app, so it goes to the Chair of Trustees."),
        )

    if subject_is_head:
        return choose(to_chair, to_lado=conflict_of_interest and kind == CaseKind.ALLEGATION)

    if conflict_of_interest:
        if kind == CaseKind.ALLEGATION:
            return choose(
                (
                    Route.CHAIR,
                    chair,
                    "You declared a conflict of interest in reporting to the Headteacher: your report goes directly "
                    "to the LADO, and the Chair of Trustees holds the school's record.",
                ),
                (Route.HEAD, head, "The report goes directly to the LADO; the Headteacher holds the record."),
                to_lado=True,
            )
        return choose(
            (
                Route.CHAIR,
                chair,
                "You declared a conflict of interest in sharing it with the Headteacher, so the Chair of Trustees "
                "decides it.",
            ),
            (Route.HEAD, head, "Low-level concerns are decided by the Headteacher."),
        )

    if kind == CaseKind.ALLEGATION:
        if head_available:
            return choose((Route.HEAD, head, "Allegations about staff go to the Headteacher as case manager."))
        if subject_is_dsl:
            return choose(
                (Route.CHAIR, chair, "The Headteacher is away and it is about the DSL, so it goes to the Chair."),
                (Route.HEAD, head, "Allegations about staff go to the Headteacher as case manager."),
            )
        return choose(
            (Route.DSL, dsl, "The Headteacher is away, so it goes to the Designated Safeguarding Lead."),
            (Route.HEAD, head, "Allegations about staff go to the Headteacher as case manager."),
            (Route.CHAIR, chair, "There is no Headteacher or DSL in the app, so it goes to the Chair of Trustees."),
        )

    # A low-level concern (R71, R73; decision 4).
    settings = AdultCaseSettings.for_school(school)
    if settings.low_level_decision_maker == DecisionMaker.DSL and not subject_is_dsl:
        return choose(
            (Route.DSL, dsl, "This school's low-level concerns are decided by the Designated Safeguarding Lead."),
            (Route.HEAD, head, "Low-level concerns are decided by the Headteacher."),
        )
    if head_available:
        reason = (
            "It is about the DSL, so the Headteacher decides it."
            if subject_is_dsl
            else "Low-level concerns are decided by the Headteacher."
        )
        return choose((Route.HEAD, head, reason))
    if subject_is_dsl:
        return choose(
            (Route.CHAIR, chair, "The Headteacher is away and it is about the DSL, so the Chair decides it."),
            (Route.HEAD, head, "Low-level concerns are decided by the Headteacher."),
        )
    return choose(
        (Route.DSL, dsl, "The Headteacher is away, so it is shared with the Designated Safeguarding Lead."),
        (Route.HEAD, head, "Low-level concerns are decided by the Headteacher."),
        (Route.CHAIR, chair, "There is no Headteacher or DSL in the app, so it goes to the Chair of Trustees."),
    )
