"""Every URL of the app, for every role, against one table of expectations.

The table below is the whole access policy as a person meets it. A URL pattern added to the URLconf without a
row here fails `test_every_url_pattern_has_an_expectation`, so nobody can add a page without deciding who may
open it. Admin pages are checked per registered model in `test_admin_is_for_the_it_administrator_only`.
"""

import copy
import uuid
from datetime import date, timedelta
from functools import cache

import pytest
import time_machine
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from concerns.services.actions import action_add
from concerns.services.alerting import cover_shift_add
from safeguarding.models import ReportSnapshot, Role

from .conftest import kept_for_the_module, sign_in
from .conftest import person as make_person
from .factories import ContactFactory, SchoolFactory, raise_concern
from .reports.helpers import TODAY, terms_2025_26
from .staff_allegations.conftest import report as report_adult_concern

# Who is asked. "other_dsl" is the DSL of another school: they must reach nothing of this school's.
PEOPLE = {
    "anonymous": None,
    "staff": (Role.STAFF,),
    "dsl": (Role.DSL,),
    "deputy": (Role.DEPUTY_DSL, Role.ATTENDANCE_OFFICER),
    "head": (Role.HEADTEACHER, Role.SENIOR_LEADER),
    "chair": (Role.CHAIR, Role.TRUSTEE),
    "trustee": (Role.TRUSTEE,),
    "dpo": (Role.DPO,),
    "itadmin": (Role.IT_ADMIN,),
    "pastoral": (Role.PASTORAL,),
    "trust_lead": (Role.TRUST_SAFEGUARDING_LEAD,),
    "other_dsl": "other-school",
}

LOGIN = "login"  # redirected to the sign-in page
ALL_SIGNED_IN = {p: 200 for p in PEOPLE if p != "anonymous"}


@pytest.fixture(autouse=True, scope="module")
def clock():
    """The reports' today, a Thursday morning in term, after the terms of 2025-26 the reports are asked about: for
    the whole module, as its world is made once (below), and never moved."""
    with time_machine.travel(TODAY, tick=False) as traveller:
        yield traveller


def expect(default, **per_person):
    """Expected GET status per person: `default` for every signed-in person, anonymous sent to sign in."""
    table = {p: default for p in PEOPLE}
    table["anonymous"] = LOGIN
    table.update(per_person)
    return table


# The other school's DSL opens these pages for their own school; what they show is scoped (tests/test_audit_log.py).
DSL_TEAM_ONLY_PAGE = expect(403, dsl=200, deputy=200, other_dsl=200)
# Object pages answer 404 both for "missing" and "not allowed", so they never reveal what exists.
DSL_TEAM_ONLY_OBJECT = expect(404, dsl=200, deputy=200)
# Actions are POST only; the DSL team is sent back to the directory, anyone else gets 404.
DSL_TEAM_ONLY_POST = ("post", expect(404, dsl=302, deputy=302))

RAISERS = expect(200, trust_lead=403)
DSL_TEAM_PAGE = expect(403, dsl=200, deputy=200, other_dsl=200)
# Concern pages: the DSL team of the concern's school only (the head sees a concern only once routed to them).
CONCERN_OBJECT = expect(404, dsl=200, deputy=200)
CONCERN_POST = ("post", expect(404, dsl=302, deputy=302))

# An adult case: its case manager only; a bad or empty form is answered 400 with the case shown again.
ADULT_CASE_OBJECT = expect(404, chair=200)
ADULT_CASE_POST = ("post", expect(404, chair=400))

EXPECTATIONS = {
    # Each person is sent to their own home (CONTRACT.md); roles without one yet get the home page.
    "home": expect(302, itadmin=200),
    "healthz": expect(200, anonymous=200),
    "login": expect(302, anonymous=200),  # a signed-in person is sent on to their home
    "logout": expect(405, anonymous=405),  # sign-out is POST only
    "password_change": expect(200),
    "password_change_done": expect(200),
    # "Forgot your password?" and a link's page answer everyone alike; an unknown link says it no longer works.
    "password_reset": expect(200, anonymous=200),
    "password_reset_done": expect(200, anonymous=200),
    "password_reset_confirm": expect(200, anonymous=200),
    "invitation_accept": expect(200, anonymous=200),
    # Single sign-on (allauth's OpenID Connect client): a provider nobody set up is not found, whoever asks.
    "openid_connect_login": expect(404, anonymous=404),
    "openid_connect_callback": expect(404, anonymous=404),
    # The menu's school switcher: asked with no school, or one the person does not work in, it finds nothing.
    "choose_school": ("post", expect(404)),
    "two_factor_verify": expect(302),  # already verified: sent on
    "two_factor_setup": expect(302),
    # Backup codes: everyone who signs in with a second factor (access.requires_two_factor); nobody else has any.
    "two_factor_backup_codes": expect(
        200, staff=403, trustee=403, itadmin=200, dsl=200, deputy=200, head=200, chair=200, dpo=200, pastoral=200
    ),
    "contacts:directory": expect(200),
    "contacts:poster": expect(200),
    "contacts:create": DSL_TEAM_ONLY_PAGE,
    "contacts:retired": DSL_TEAM_ONLY_PAGE,
    "contacts:edit": DSL_TEAM_ONLY_OBJECT,
    "contacts:mark_reviewed": DSL_TEAM_ONLY_POST,
    "contacts:retire": DSL_TEAM_ONLY_POST,
    "contacts:restore": DSL_TEAM_ONLY_POST,
    "audit_log": expect(403, dsl=200, deputy=200, dpo=200, other_dsl=200),
    "concerns:raise": RAISERS,
    "concerns:pupil_search": ("post", RAISERS),
    # Saving a draft needs the form's key: without one it is refused as a bad request.
    "concerns:draft_save": ("post", expect(400, trust_lead=403)),
    "concerns:draft_discard": ("post", expect(404)),
    "concerns:record_verbal": DSL_TEAM_PAGE,
    "concerns:record_police_notification": DSL_TEAM_PAGE,
    "concerns:my_concerns": expect(200),
    # The receipt is the author's alone (R15).
    "concerns:receipt": expect(404, staff=200),
    # The pastoral officer is on the cover rota in this world, so watches the queue (R22).
    "concerns:queue": expect(403, dsl=200, deputy=200, head=200, pastoral=200, other_dsl=200),
    # The menu badge's count (issue 18, item 9), for everyone who watches a queue; signed out, a quiet 401 (no
    # redirect for the page's script to follow).
    "concerns:queue_poll": expect(403, dsl=200, deputy=200, head=200, pastoral=200, other_dsl=200, anonymous=401),
    # The Head marks themselves away too: allegations about staff then go to the DSL (staff_allegations.routing).
    "concerns:set_availability": ("post", expect(404, dsl=302, deputy=302, head=302, other_dsl=302)),
    "concerns:cover_rota": DSL_TEAM_PAGE,
    "concerns:cover_shift_end": CONCERN_POST,
    "concerns:detail": CONCERN_OBJECT,
    "concerns:acknowledge": CONCERN_POST,
    "concerns:assign": CONCERN_POST,
    "concerns:add_addendum": CONCERN_POST,
    # The author downloads only the files they attached (R11, R15): see test_a_file_the_dsl_team_added_is_theirs.
    "concerns:attachment_download": expect(404, dsl=200, deputy=200, staff=200),
    # Triage, decisions and closing are the DSL team's; an empty form is refused as a bad request.
    "concerns:triage": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:record_decision": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:close": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:add_action": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:add_attachment": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:add_record": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:add_staff_note": ("post", expect(404, dsl=400, deputy=400)),
    # No other child is named in this world's concern: 404 for everyone (tests/concerns/test_mirror_records.py).
    "concerns:decide_mirror": ("post", expect(404)),
    # An action: its owner (here the pastoral officer) or the DSL team; an empty form goes back with a message.
    "concerns:complete_action": ("post", expect(404, dsl=302, deputy=302, pastoral=302)),
    "concerns:reassign_action": ("post", expect(404, dsl=302, deputy=302)),
    "concerns:reopen": ("post", expect(404, dsl=400, deputy=400)),
    # A child's CP file: the DSL team of the child's school only (R52).
    "concerns:pupil_file": expect(404, dsl=200, deputy=200),
    # R51: staff who work with vulnerable pupils see whether a file is held; plain staff and trustees do not.
    "concerns:pupil_lookup": expect(403, dsl=200, deputy=200, head=200, pastoral=200, other_dsl=200),
    # Issue 13: the roll from a page is the DSL team's and the IT administrator's, each for their own school (the
    # other school's DSL imports their own). With no file uploaded yet, the preview, the confirmation and the result
    # page send them back to the upload (tests/concerns/test_pupil_roll_page.py).
    "concerns:pupil_import": expect(403, dsl=200, deputy=200, itadmin=200, other_dsl=200),
    "concerns:pupil_import_preview": expect(403, dsl=302, deputy=302, itadmin=302, other_dsl=302),
    "concerns:pupil_import_confirm": ("post", expect(403, dsl=302, deputy=302, itadmin=302, other_dsl=302)),
    "concerns:pupil_import_done": expect(403, dsl=302, deputy=302, itadmin=302, other_dsl=302),
    "concerns:pupil_file_pdf": expect(404, dsl=200, deputy=200),
    # Issue 12: the earlier chronology entries and concerns, after the newest the file shows.
    "concerns:pupil_file_chronology": expect(404, dsl=200, deputy=200),
    "concerns:pupil_file_concerns": expect(404, dsl=200, deputy=200),
    "concerns:add_profile": ("post", expect(404, dsl=400, deputy=400)),
    "concerns:end_flag": ("post", expect(404)),  # no flag in this world; tests/concerns/test_pupil_profile.py
    # Concerns about adults. The world's case is an allegation about the Head, so only the Chair (its case manager)
    # opens it: the Head, its subject, gets the same 404 as everyone else (R61).
    "staff_allegations:raise": RAISERS,
    "staff_allegations:raise_practice": RAISERS,
    "staff_allegations:sent": expect(404, staff=200),
    # As with a child's draft: no form and key is a bad request, and a discard without them finds nothing.
    "staff_allegations:draft_save": ("post", expect(400, trust_lead=403)),
    "staff_allegations:draft_discard": ("post", expect(404)),
    "staff_allegations:list": expect(403, dsl=200, deputy=200, head=200, chair=200, other_dsl=200),
    "staff_allegations:head_away": ("post", expect(404, head=302)),
    "staff_allegations:settings": ("post", expect(404, head=400)),  # an empty form is explained, not saved
    "staff_allegations:reviewed": ("post", expect(403, dsl=302, head=302, chair=302, other_dsl=302)),
    "staff_allegations:detail": ADULT_CASE_OBJECT,
    "staff_allegations:add_entry": ADULT_CASE_POST,
    "staff_allegations:decide": ADULT_CASE_POST,
    "staff_allegations:escalate": ADULT_CASE_POST,
    "staff_allegations:close": ADULT_CASE_POST,
    "staff_allegations:reopen": ADULT_CASE_POST,
    "staff_allegations:share": ADULT_CASE_POST,
    "staff_allegations:retention": ("post", expect(404, chair=302)),  # both dates may be left empty
    "staff_allegations:complete_task": ADULT_CASE_POST,
    # Trustees' reports: counts only, for the DSL team, the Head, the Chair, trustees and the trust's roles (R87).
    # The other school's DSL reads their own school's reports; this world's term is not theirs.
    "reports:index": expect(403, dsl=200, deputy=200, head=200, chair=200, trustee=200, trust_lead=200, other_dsl=200),
    "reports:term": expect(403, dsl=200, deputy=200, head=200, chair=200, trustee=200, trust_lead=200, other_dsl=404),
    "reports:term_pdf": expect(
        403, dsl=200, deputy=200, head=200, chair=200, trustee=200, trust_lead=200, other_dsl=404
    ),
    "reports:assurance": expect(403, dsl=200, deputy=200, head=200, other_dsl=200),
    # Issue 12: remaking a term's stored figures is the DSL team's (the whole trust's, its safeguarding lead's); the
    # readers of the pack may not. The other school's DSL may remake their own school's, and this term is not theirs.
    "reports:term_remake": ("post", expect(403, dsl=302, deputy=302, trust_lead=302, other_dsl=404)),
    # Issue 13: staff in bulk is the school's IT administrator's alone. With no file uploaded yet, the preview, the
    # confirmation and the result page send them back to the upload (tests/test_staff_import_views.py).
    "staff_import:upload": expect(403, itadmin=200),
    "staff_import:preview": expect(403, itadmin=302),
    "staff_import:confirm": ("post", expect(403, itadmin=302)),
    "staff_import:done": expect(403, itadmin=302),
}


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _named_patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


@cache
def _patterns() -> dict:
    return dict(_named_patterns())


def test_every_url_pattern_has_an_expectation():
    """A page without a row in the access table fails the suite."""
    names = {name for name, _ in _named_patterns()}
    assert None not in names and "None" not in {n.split(":")[-1] for n in names}, "every URL pattern needs a name"
    assert names - EXPECTATIONS.keys() == set(), "add these URLs to EXPECTATIONS"
    assert EXPECTATIONS.keys() - names == set(), "these rows no longer match a URL"


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, clock):
    """The world every test here is asked in, made once for the module (tests/conftest.py, kept_for_the_module)."""
    yield from kept_for_the_module(django_db_blocker, _make_world)


@pytest.fixture
def world(shared_world, db):
    """Each test's own copy of the world's people; what a test writes to the database is undone after it."""
    return copy.deepcopy(shared_world)


def _make_world():
    school = SchoolFactory(name="West Park School")
    other_school = SchoolFactory(name="Riverside Academy")
    people = {}
    for name, roles in PEOPLE.items():
        if roles is None:
            people[name] = None
        elif roles == "other-school":
            people[name] = make_person(Role.DSL, school=other_school, username=name)
        else:
            people[name] = make_person(*roles, school=school, username=name)
    contact = ContactFactory(school=school)
    terms_2025_26(school)  # the reports' terms
    for scope in ({"school": school}, {"trust": school.trust}):  # the figures the worker made (issue 12)
        ReportSnapshot.objects.create(
            **scope,
            academic_year="2025-26",
            term="autumn",
            summary="<p>Stored figures</p>",
            detail="<p>Stored detail</p>",
            periods=[
                {
                    "school_id": school.pk,
                    "school": school.name,
                    "starts_on": "2025-09-03",
                    "ends_on": "2026-01-04",
                    "as_at": "2026-01-04",
                    "in_progress": False,
                }
            ],
            in_progress=False,
            counted_to=date(2026, 1, 4),
            made_at=TODAY,
        )
    concern = raise_concern(author=people["staff"], school=school, attachment=True)
    about_head = report_adult_concern(people["staff"], school, subject=people["head"], allegation=True)
    return {
        "people": people,
        "kwargs": {"public_id": contact.public_id, "uidb64": "MQ", "token": "0-0"},
        "adult_kwargs": {"public_id": about_head.public_id},
        "adult_task_kwargs": {"public_id": about_head.tasks.get().public_id},
        "pupil_kwargs": {"public_id": concern.subject.public_id, "record": "flag", "flag_id": 999999},
        "action_kwargs": {
            "action_id": action_add(
                user=people["dsl"], concern=concern, kind="pastoral_support", owner=people["pastoral"]
            ).public_id
        },
        "concern_kwargs": {
            "public_id": concern.public_id,
            "attachment_id": concern.attachments.get().public_id,
            "record": "sharing",
            "mirror_id": uuid.uuid4(),
            "shift_id": cover_shift_add(
                user=people["dsl"],
                school=school,
                person=people["pastoral"],
                starts_at=TODAY - timedelta(hours=1),  # on cover since nine
                ends_at=TODAY + timedelta(days=1),
            ).public_id,
        },
    }


def _url(name, pattern, world):
    if name.startswith("openid_connect_"):  # allauth's patterns name their provider in a regex group, not a converter
        return reverse(name, kwargs={"provider_id": "sso-unknown"})
    if name.startswith("concerns:pupil_file") or name in ("concerns:add_profile", "concerns:end_flag"):
        kwargs = world["pupil_kwargs"]
    elif name in ("concerns:complete_action", "concerns:reassign_action"):
        kwargs = world["action_kwargs"]
    elif name == "staff_allegations:complete_task":
        kwargs = world["adult_task_kwargs"]
    elif name.startswith("staff_allegations:"):
        kwargs = world["adult_kwargs"]
    elif name.startswith("reports:"):
        kwargs = {"academic_year": "2025-26", "term": "autumn"}
    else:
        kwargs = world["concern_kwargs"] if name.startswith("concerns:") else world["kwargs"]
    needed = {key: kwargs[key] for key in pattern.pattern.converters}
    return reverse(name, kwargs=needed)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_access(name, world, client):
    """Each person gets exactly the answer the table gives, for every URL (GET, or POST for actions)."""
    method, expected = EXPECTATIONS[name] if isinstance(EXPECTATIONS[name], tuple) else ("get", EXPECTATIONS[name])
    pattern = _patterns()[name]
    url = _url(name, pattern, world)
    got = {}
    for person_name, person in world["people"].items():
        client.logout()
        if person is not None:
            sign_in(client, person)
        response = getattr(client, method)(url)
        if response.status_code == 302 and response.url.startswith(reverse("login")):
            got[person_name] = LOGIN
        else:
            got[person_name] = response.status_code
    assert got == expected


# A file the DSL team attached after the concern was sent: its author (staff) must not open it (issue 18, item 1).
DSL_ADDED_ATTACHMENT = expect(404, dsl=200, deputy=200)


@pytest.mark.django_db
def test_a_file_the_dsl_team_added_is_theirs(world, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from concerns.models import Concern
    from concerns.services import raising, records

    from .factories import PDF_BYTES

    concern = Concern.objects.get(public_id=world["concern_kwargs"]["public_id"])
    upload = SimpleUploadedFile("kept.pdf", PDF_BYTES, content_type="application/pdf")
    added = records.attachment_add(
        user=world["people"]["dsl"],
        concern=concern,
        upload=raising.UploadedFile(name="kept.pdf", content_type="application/pdf", size=len(PDF_BYTES), file=upload),
    )
    url = reverse("concerns:attachment_download", args=[concern.public_id, added.public_id])
    got = {}
    for person_name, person in world["people"].items():
        client.logout()
        if person is not None:
            sign_in(client, person)
        response = client.get(url)
        login = response.status_code == 302 and response.url.startswith(reverse("login"))
        got[person_name] = LOGIN if login else response.status_code
    assert got == DSL_ADDED_ATTACHMENT


@pytest.mark.django_db
def test_admin_is_for_the_it_administrator_only(world, client):
    """Only the IT administrator reaches /admin/; everyone else gets 403 (or the sign-in page when signed out)."""
    itadmin = world["people"]["itadmin"]
    urls = [reverse("admin:index")] + [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist") for model in admin.site._registry
    ]
    for person_name, person in world["people"].items():
        client.logout()
        if person is not None:
            sign_in(client, person)
        for url in urls:
            response = client.get(url)
            if person_name == "anonymous":
                assert response.status_code == 302 and "/login/" in response.url, url
            elif person_name == "itadmin":
                assert response.status_code in (200, 403), url  # 403 for models outside the IT role's permissions
            else:
                final = client.get(url, follow=True)
                assert final.status_code == 403, (person_name, url)
    client.logout()
    sign_in(client, itadmin)
    assert client.get(reverse("admin:safeguarding_user_changelist")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200
