"""The one place that says who may see and do what.

Every view and every selector asks a function here; nothing else decides access. The functions are small and
pure over a person's memberships, so the role-by-URL matrix test (tests/test_access_matrix.py) can prove them.
Need to know is the rule (policy Section 5): a role sees a kind of record only where the table in
requirements.md part (c) gives it, and the IT administrator sees no safeguarding content at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from . import plugins
from .models import TRUST_ROLES, Membership, Role, School

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from .models import User

DSL_TEAM = frozenset({Role.DSL, Role.DEPUTY_DSL})

# Roles that can reach safeguarding content (records, case files, the audit log, adult cases) or administer the
# people who can: they sign in with a second factor (R86). Plain staff and trustees see only their own receipts,
# the contacts and anonymised reports.
TWO_FACTOR_ROLES = frozenset(
    {
        Role.DSL,
        Role.DEPUTY_DSL,
        Role.HEADTEACHER,
        Role.SENIOR_LEADER,
        Role.CHAIR,
        Role.DPO,
        Role.IT_ADMIN,
        Role.PASTORAL,
        Role.SENCO,
        Role.DESIGNATED_TEACHER_LAC,
        Role.MENTAL_HEALTH_LEAD,
        Role.TRUST_SAFEGUARDING_LEAD,
    }
)


# --- What the rules read of the apps' records -------------------------------------------------------------------
# The core does not import the feature apps, not even for types (tests/test_layering.py reads every import), so the
# functions below that are given an app's record say, as a Protocol, the little they read of it.


class _Exists(Protocol):
    def exists(self) -> bool: ...


class _Related(Protocol):
    """A reverse relation's manager (e.g. `concern.alerts`), asked whether a matching row exists."""

    def filter(self, *args: Any, **kwargs: Any) -> _Exists: ...


class ConcernRecord(Protocol):
    """What access.py reads of a concerns.models.Concern."""

    @property
    def withheld_from_id(self) -> int | None: ...
    @property
    def school(self) -> School: ...
    @property
    def alerts(self) -> _Related: ...


class ActionRecord(Protocol):
    """What access.py reads of a concerns.models.Action: a concern's action or a pupil-level task."""

    @property
    def owner_id(self) -> int | None: ...
    @property
    def school(self) -> School: ...


class PupilRecord(Protocol):
    """What access.py reads of a concerns.models.Pupil."""

    @property
    def school(self) -> School: ...


class AdultCaseRecord(Protocol):
    """What access.py reads of a staff_allegations.models.AdultCase."""

    @property
    def subject_user_id(self) -> int | None: ...
    @property
    def subject_is_head(self) -> bool: ...
    @property
    def case_manager_id(self) -> int: ...
    @property
    def school(self) -> School: ...
    @property
    def members(self) -> _Related: ...


# --- A person's roles ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """One role held at one place; what access decisions are made from."""

    role: str
    school_id: int | None
    trust_id: int | None


def grants(user: User | AnonymousUser) -> tuple[Grant, ...]:
    """Every role the person holds, read once per request and cached on the user object."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    cached: tuple[Grant, ...] | None = getattr(user, "_access_grants", None)
    if cached is None:
        cached = tuple(
            Grant(role=m.role, school_id=m.school_id, trust_id=m.trust_id)
            for m in Membership.objects.filter(user=user).only("role", "school_id", "trust_id")
        )
        vars(user)["_access_grants"] = cached  # the cache is the user object's own, not a field of the model
    return cached


def forget_grants(user: User) -> None:
    """Drops what `grants` and `schools_for` cached on the user object, for code that has just changed the person's
    memberships and asks again with the same object."""
    vars(user)["_access_grants"] = None


def roles(user: User | AnonymousUser, school: School | None = None) -> frozenset[str]:
    """The roles the person holds at `school` (or anywhere, when no school is given)."""
    return frozenset(g.role for g in grants(user) if school is None or g.school_id == school.pk)


def has_any_role(user: User | AnonymousUser, wanted: Iterable[str], school: School | None = None) -> bool:
    return not roles(user, school).isdisjoint(wanted)


def schools_for(user: User | AnonymousUser) -> list[School]:
    """Schools whose shared information (the contacts directory) the person may read; cached like `grants`.

    In name order, except that the school the person chose to work in (`remember_chosen_school`) comes first: every
    page that works on "the person's school" takes the first of these where they may do what it does, so the choice
    in the menu carries to every page without each having to ask for it."""
    cached: list[School] | None = getattr(user, "_access_schools", None)
    if cached is None or getattr(user, "_access_grants", None) is None:
        school_ids = {g.school_id for g in grants(user) if g.school_id}
        trust_ids = {g.trust_id for g in grants(user) if g.trust_id}
        if not school_ids and not trust_ids:
            return []
        cached = list(School.objects.filter(Q(pk__in=school_ids) | Q(trust_id__in=trust_ids)).order_by("name"))
        vars(user)["_access_schools"] = cached
    chosen = getattr(user, "_chosen_school", None)
    return sorted(cached, key=lambda school: str(school.public_id) != chosen) if chosen else cached


# The session's key for the school a person at several chose to work in (ChosenSchoolMiddleware, choose_school).
CHOSEN_SCHOOL_SESSION_KEY = "chosen_school"


def remember_chosen_school(user: User | AnonymousUser, public_id: str | None) -> None:
    """For this request, puts the school the person chose first in `schools_for` (cached on the user object)."""
    vars(user)["_chosen_school"] = public_id


def schools_to_choose_from(user: User | AnonymousUser) -> list[School]:
    """The schools a person works in (holds a role at), for the menu's school switcher: empty unless several."""
    schools = [school for school in schools_for(user) if roles(user, school)]
    return schools if len(schools) > 1 else []


def current_school(user: User, requested_public_id: str | None = None) -> School | None:
    """The school a page is about: the one asked for, if the person belongs to it, else their first."""
    schools = schools_for(user)
    if requested_public_id:
        chosen = next((s for s in schools if str(s.public_id) == requested_public_id), None)
        if chosen:
            return chosen
    return next(iter(schools), None)


# --- Two-factor sign-in -------------------------------------------------------------------------------------


def requires_two_factor(user: User) -> bool:
    """R86: every role that can reach safeguarding content signs in with a second factor."""
    if not settings.TWO_FACTOR_REQUIRED:
        return False
    return bool(getattr(user, "is_superuser", False)) or has_any_role(user, TWO_FACTOR_ROLES)


# --- Key contacts (R90, R91) -----------------------------------------------------------------------------------


def can_view_contacts(user: User, school: School) -> bool:
    """Every signed-in person with a place at the school (or its trust) reads its published directory."""
    return any(s.pk == school.pk for s in schools_for(user))


def can_edit_contacts(user: User, school: School) -> bool:
    """R90: the DSL team keeps the directory up to date; everyone else reads it."""
    return has_any_role(user, DSL_TEAM, school)


# --- Audit log (R85) --------------------------------------------------------------------------------------------

AUDIT_READERS = DSL_TEAM | {Role.DPO}


def can_view_audit_log(user: User, school: School) -> bool:
    """R85: the DSL team and the DPO review who changed and who viewed what at their school."""
    return has_any_role(user, AUDIT_READERS, school)


def audit_schools_for(user: User) -> list[School]:
    return [s for s in schools_for(user) if can_view_audit_log(user, s)]


# --- Concerns about children (R1–R24) -------------------------------------------------------------------------

SENIOR_LEADERS = frozenset({Role.HEADTEACHER, Role.SENIOR_LEADER})
# Everyone who works in the school can raise a concern (R1), including supply, volunteers, contractors and
# trustees with an account; a trust-level role is not "in" a school.
RAISERS = frozenset(Role.values) - TRUST_ROLES


def can_raise_concern(user: User, school: School) -> bool:
    """R1: any adult with a place at the school raises a concern about a child there."""
    return has_any_role(user, RAISERS, school)


def raise_schools_for(user: User) -> list[School]:
    return [s for s in schools_for(user) if can_raise_concern(user, s)]


def is_dsl_team(user: User, school: School) -> bool:
    return has_any_role(user, DSL_TEAM, school)


def can_record_for_others(user: User, school: School) -> bool:
    """R23, R24: the DSL team records a concern given verbally, and police domestic-abuse notifications."""
    return is_dsl_team(user, school)


def is_on_cover(user: User, school: School) -> bool:
    """R22: someone on the school's cover rota (now or to come) watches the queue for their shifts. The rota is the
    concerns app's record, asked through plugins.py; where no app keeps one, nobody is on cover."""
    return plugins.has_cover_shift(user=user, school=school, ending_after=timezone.now())


def can_view_queue(user: User, school: School) -> bool:
    """The alert queue: the DSL team; senior leaders and people on the cover rota for the concerns routed to
    them (R20–R22)."""
    return has_any_role(user, DSL_TEAM | SENIOR_LEADERS, school) or (
        has_any_role(user, RAISERS, school) and is_on_cover(user, school)
    )


def can_view_concern(user: User, concern: ConcernRecord) -> bool:
    """Need to know: the DSL team of the concern's school; anyone else only once it has been routed to them
    (a senior leader on escalation, someone on the cover rota): the alert is the record of that. The author reads
    their own receipt, not this page (R15). Never the adult an allegation is about, for the welfare concern it
    opened (R61, R64)."""
    if concern.withheld_from_id is not None and concern.withheld_from_id == getattr(user, "pk", None):
        return False
    if is_dsl_team(user, concern.school):
        return True
    return concern.alerts.filter(recipient=user).exists()


def can_acknowledge(user: User, concern: ConcernRecord) -> bool:
    return can_view_concern(user, concern)


def can_triage(user: User, school: School) -> bool:
    """R25–R27, R40: triage, decisions and closing are the DSL team's (a senior leader covering hands back)."""
    return is_dsl_team(user, school)


def can_complete_action(user: User, action: ActionRecord) -> bool:
    """R28, R38: an action (or a pupil-level task) is completed by its owner or by the DSL team of its school."""
    return action.owner_id == user.pk or can_triage(user, action.school)


# R51: staff who work with vulnerable pupils see that a file is held (never its content), to know to ask the DSL.
FILE_HELD_READERS = (
    DSL_TEAM
    | SENIOR_LEADERS
    | frozenset({Role.PASTORAL, Role.SENCO, Role.DESIGNATED_TEACHER_LAC, Role.MENTAL_HEALTH_LEAD})
)


def can_see_file_held(user: User, school: School) -> bool:
    return has_any_role(user, FILE_HELD_READERS, school)


def can_view_pupil_file(user: User, pupil: PupilRecord) -> bool:
    """R52: a child's CP file is for the DSL team of the child's school."""
    return is_dsl_team(user, pupil.school)


def can_set_own_availability(user: User, school: School) -> bool:
    """R21: the DSL and deputies say when they are away, so alerts go to the others. The Headteacher does too:
    allegations about staff then go to the DSL (policy Section 9, "if the Head is not available")."""
    return is_dsl_team(user, school) or has_any_role(user, {Role.HEADTEACHER}, school)


# --- Concerns about adults (R59–R77) -------------------------------------------------------------------------
# A walled-off register: a case is read by its case manager and the people they add, never by its subject,
# whatever role the subject holds (R61). Roles alone grant nothing here: the routing names the case manager.

ADULT_CASE_HOLDERS = frozenset({Role.HEADTEACHER, Role.CHAIR, Role.DSL})


def can_raise_adult_concern(user: User, school: School) -> bool:
    """R59, R18: anyone who works in or for the school reports a concern about an adult or about practice."""
    return can_raise_concern(user, school)


def is_adult_case_subject(user: User | AnonymousUser, case: AdultCaseRecord) -> bool:
    """The person the case is about; for a case about the Headteacher (a whistleblowing concern may name the Head
    without an account being chosen), whoever holds the Head's role at the school."""
    if case.subject_user_id is not None and case.subject_user_id == getattr(user, "pk", None):
        return True
    return case.subject_is_head and Role.HEADTEACHER in roles(user, case.school)


def can_view_adult_case(user: User | AnonymousUser, case: AdultCaseRecord) -> bool:
    """R61: the subject never; then the case manager and the colleagues they added, while they still work at the
    case's school."""
    if not getattr(user, "is_authenticated", False) or is_adult_case_subject(user, case):
        return False
    if not roles(user, case.school):
        return False
    if case.case_manager_id == user.pk:
        return True
    return case.members.filter(user=user).exists()


def can_manage_adult_case(user: User | AnonymousUser, case: AdultCaseRecord) -> bool:
    """The case manager records decisions, tasks, the outcome and who else may read the case."""
    return (
        getattr(user, "is_authenticated", False)
        and not is_adult_case_subject(user, case)
        and case.case_manager_id == user.pk
        and bool(roles(user, case.school))
    )


def can_mark_head_away(user: User, school: School) -> bool:
    return has_any_role(user, {Role.HEADTEACHER}, school)


# Who a case manager may share a case with (R73): they then find it on /staff-concerns/ too.
ADULT_CASE_SHARES = ADULT_CASE_HOLDERS | DSL_TEAM | SENIOR_LEADERS


def can_use_adult_register(user: User, school: School) -> bool:
    """/staff-concerns/ is open to the roles that can hold or be shared cases; each sees only their own cases."""
    return has_any_role(user, ADULT_CASE_SHARES, school)


def can_log_records_review(user: User, school: School) -> bool:
    """R76: the people who decide low-level concerns log that the records were reviewed."""
    return has_any_role(user, ADULT_CASE_HOLDERS, school)


# --- Trustees' reports (R87–R89) -------------------------------------------------------------------------------
# Anonymised counts only: reading a report reaches no record (R88). A school's report is read by its DSL team, its
# Head, its Chair and its trustees; a trust's safeguarding lead and trust trustees read every school of the trust
# and the trust's own view.

REPORT_READERS = DSL_TEAM | frozenset({Role.HEADTEACHER, Role.CHAIR, Role.TRUSTEE})
ASSURANCE_RECORDERS = DSL_TEAM | frozenset({Role.HEADTEACHER})


def can_view_school_report(user: User, school: School) -> bool:
    if has_any_role(user, REPORT_READERS, school):
        return True
    return school.trust_id is not None and any(
        g.role in TRUST_ROLES and g.trust_id == school.trust_id for g in grants(user)
    )


def report_schools_for(user: User) -> list[School]:
    return [s for s in schools_for(user) if can_view_school_report(user, s)]


def report_trust_ids_for(user: User) -> list[int]:
    """The trusts whose whole-trust view the person reads (R87 across a trust): trust roles only."""
    return sorted({g.trust_id for g in grants(user) if g.role in TRUST_ROLES and g.trust_id})


def can_view_any_report(user: User) -> bool:
    return bool(report_schools_for(user))


def can_record_assurance(user: User, school: School) -> bool:
    """R89: the DSL team or the Head records the annual assurance checks."""
    return has_any_role(user, ASSURANCE_RECORDERS, school)


def can_remake_school_report(user: User, school: School) -> bool:
    """Issue 12: the school's DSL team asks for a term's stored figures to be made again (a record entered late, a
    correction). Readers who only read the pack (the Head, the Chair, trustees) cannot."""
    return has_any_role(user, DSL_TEAM, school)


def can_remake_trust_report(user: User, trust_id: int) -> bool:
    """The trust's safeguarding lead asks for the whole trust's stored figures to be made again; trust trustees
    only read them."""
    return any(g.role == Role.TRUST_SAFEGUARDING_LEAD and g.trust_id == trust_id for g in grants(user))


def is_chair_of(user: User, school: School) -> bool:
    """R88: only the Chair is told that cases about the Head are left out of the pack."""
    return has_any_role(user, {Role.CHAIR}, school)


# --- Administration ------------------------------------------------------------------------------------------


def can_use_admin(user: User | AnonymousUser) -> bool:
    """The IT administrator manages people, schools and memberships in /admin/; the admin holds no narrative."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or Role.IT_ADMIN in roles(user)


def is_safeguarding_role(role: str) -> bool:
    """Issue 13: a role that reaches safeguarding content or administers the people who can (the roles that sign in
    with a second factor, R86), the DSL team, the Head and the Chair. A bulk import gives one only when the IT
    administrator confirms it, having seen who gets it."""
    return role in TWO_FACTOR_ROLES | DSL_TEAM | ADULT_CASE_HOLDERS


def can_import_staff(user: User | AnonymousUser, school: School) -> bool:
    """Issue 13: the school's IT administrator adds, updates and deactivates its staff from a CSV file. A trust
    role or a superuser without the role is not enough: the page works on one school's people."""
    return has_any_role(user, {Role.IT_ADMIN}, school)


def staff_import_schools_for(user: User) -> list[School]:
    return [s for s in schools_for(user) if can_import_staff(user, s)]


PUPIL_ROLL_KEEPERS = DSL_TEAM | frozenset({Role.IT_ADMIN})


def can_import_pupils(user: User | AnonymousUser, school: School) -> bool:
    """Issue 13: the school's DSL team or its IT administrator brings the pupil roll up to date from the information
    system's export. The IT administrator sees only the roll itself (names, UPNs, dates of birth, year and form),
    never a concern or a file; a trust role is not enough, as the page works on one school's roll."""
    return has_any_role(user, PUPIL_ROLL_KEEPERS, school)


def pupil_import_schools_for(user: User | AnonymousUser) -> list[School]:
    return [s for s in schools_for(user) if can_import_pupils(user, s)]


def home_url(user: User) -> str | None:
    """CONTRACT.md: staff to the raise page, the DSL team (and senior leaders, for escalated alerts) to the queue,
    the DPO to the audit log. Others (trustees, the IT administrator) get the home page until their own arrives."""
    if any(can_view_queue(user, s) for s in schools_for(user)):
        return reverse("concerns:queue")
    if audit_schools_for(user):
        return reverse("audit_log")
    if has_any_role(user, {Role.TRUSTEE, Role.CHAIR} | TRUST_ROLES) and can_view_any_report(user):
        return reverse("reports:index")
    if has_any_role(user, {Role.TRUSTEE, Role.CHAIR, Role.IT_ADMIN} | TRUST_ROLES):
        return None
    if raise_schools_for(user):
        return reverse("concerns:raise")
    return None


# --- Home and navigation --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    badge: int = 0
    poll_url: str = ""  # where static/js/live-alerts.js keeps the badge up to date, for a live badge


# The core's own links; the apps add theirs through plugins.py (which lists the whole menu's order).
CORE_MENU = (
    plugins.MenuEntry(
        60,
        "Audit log",
        "audit_log",
        lambda user: plugins.offered_if(any(can_view_audit_log(user, s) for s in schools_for(user))),
    ),
    plugins.MenuEntry(70, "Reports", "reports:index", lambda user: plugins.offered_if(can_view_any_report(user))),
    plugins.MenuEntry(80, "Administration", "admin:index", lambda user: plugins.offered_if(can_use_admin(user))),
)


def navigation(user: User | AnonymousUser) -> list[NavItem]:
    """What the person may use, in the order the navigation shows it: the apps' links and the core's, each offered
    only to whom the functions above allow, so nobody is offered a link they cannot open."""
    if not getattr(user, "is_authenticated", False):
        return []
    items: list[NavItem] = []
    for entry in sorted((*plugins.menu_entries(), *CORE_MENU), key=lambda entry: entry.position):
        badge = entry.offer(user)
        if badge is not None:
            poll_url = reverse(entry.poll_url_name) if entry.poll_url_name else ""
            items.append(NavItem(entry.label, reverse(entry.url_name), badge=badge, poll_url=poll_url))
    return items
