"""Home, health, the audit log and the two-factor sign-in steps (with backup codes)."""

import base64
import io

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access, plugins, selectors, two_factor
from .audit_page import audit_lines
from .audit_search import AuditSearchForm
from .forms import BackupCodeForm, ConfirmItIsYouForm, OneTimeCodeForm


def draft_saved_response(draft) -> JsonResponse:
    """The answer to a draft save (draft.js shows the time). `draft` is None when the form had been sent already:
    nothing was saved, and the page says nothing."""
    if draft is None:
        return JsonResponse({"saved": False, "sent": True})
    return JsonResponse({"saved": True, "at": timezone.localtime(draft.updated_at).strftime("%H:%M")})


@login_required
def home(request):
    """Sends each person to their own home (CONTRACT.md); for roles without one yet, what they may use and who to
    tell about a worry today."""
    target = access.home_url(request.user)
    if target:
        return redirect(target)
    school = access.current_school(request.user)
    team = plugins.safeguarding_team(school) if school else []  # from the contacts directory, when installed
    return render(request, "safeguarding/home.html", {"school": school, "team": team})


@require_GET
@never_cache
def healthz(request):
    """For load balancers and monitoring: 200 when the app and its database answer, 503 when the database does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


AUDIT_PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def audit_log(request):
    """R85: the DSL team and the DPO search who changed and who viewed what, and when.

    The search is posted, page number and all, as the pupil finders are (decision 0002): what is typed into it is
    often a child's name, which must never sit in an address, the browser's history or a web server's access log.
    The filters that name nobody (school, kind of event, dates, page) may also come in the address, so a link can
    still open, say, the accesses of one week. Words to search for never do: a GET that carries them (an old bookmark)
    is sent on without them, with a note, so they leave the address bar too.
    """
    schools = access.audit_schools_for(request.user)
    if not schools:
        raise PermissionDenied
    if request.method == "GET" and "q" in request.GET:
        messages.info(
            request,
            "The audit log no longer takes words to search for from its address, so that a name is never kept in a "
            "server's log or the browser's history. Type them into the search form instead.",
        )
        rest = request.GET.copy()
        del rest["q"]
        return redirect(f"{reverse('audit_log')}?{rest.urlencode()}" if rest else reverse("audit_log"))
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = AuditSearchForm(data, schools=schools, action_choices=LogEntry.Action.choices)
    context = {"schools": schools, "form": form, "page": None, "applied": {}, "page_note": ""}
    if form.is_bound and not form.is_valid():
        school = next((s for s in schools if str(s.public_id) == data.get("school")), schools[0])
        return render(request, "safeguarding/audit_log.html", {**context, "school": school}, status=400)
    school = form.chosen_school()
    entries = selectors.audit_entry_list_for_user(user=request.user, school=school, **form.filters())
    paginator = Paginator(entries, AUDIT_PAGE_SIZE)
    number = (form.cleaned_data.get("page") if form.is_bound else None) or 1
    if number > paginator.num_pages:
        context["page_note"] = (
            f"There is no page {number}: this search has {paginator.num_pages} "
            f"page{pluralize(paginator.num_pages)}, and this is the last."
        )
        number = paginator.num_pages
    page = paginator.page(number)
    return render(
        request,
        "safeguarding/audit_log.html",
        {**context, "school": school, "page": page, "lines": audit_lines(page), "applied": form.applied()},
    )


def _safe_next(request) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


BACKUP_CODES_DUE = "two_factor_backup_codes_due"  # session key: a first set is to be shown (never the codes)


def _with_next(url_name: str, next_url: str, **query: str) -> str:
    return f"{reverse(url_name)}?{urlencode({**query, 'next': next_url})}"


@login_required
@never_cache
def two_factor_verify(request):
    """The second step of signing in (R86): the code from the person's authenticator app, or (`?method=backup`) one
    of their backup codes."""
    if not access.requires_two_factor(request.user):
        return redirect(_safe_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        return redirect("two_factor_setup")
    if request.user.is_verified():
        return redirect(_safe_next(request))
    if (request.POST.get("method") or request.GET.get("method")) == "backup":
        return _verify_with_backup_code(request)
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        allowed, _ = device.verify_is_allowed()
        if allowed and device.verify_token(form.cleaned_data["otp_token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        if not allowed:
            form.add_error("otp_token", "Too many wrong codes in a row. Wait a few seconds, then try the newest code.")
        else:
            form.add_error("otp_token", "That code is not right or has expired. Try the newest code in your app.")
    next_url = _safe_next(request)
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": next_url, "backup_url": _with_next("two_factor_verify", next_url, method="backup")},
    )


def _verify_with_backup_code(request):
    """A backup code in place of the app's: each works once, wrong ones are throttled (two_factor.backup_code_use)."""
    next_url = _safe_next(request)
    left = two_factor.backup_codes_left(user=request.user)
    form = BackupCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and left and form.is_valid():
        attempt = two_factor.backup_code_use(user=request.user, code=form.cleaned_data["backup_code"])
        left = attempt.left
        if attempt.accepted:
            otp_login(request, attempt.device)
            if not left:
                messages.warning(
                    request,
                    "You have used your last backup code. Make a new set now, so that you can still sign in if you "
                    "lose your phone.",
                )
                return redirect(_with_next("two_factor_backup_codes", next_url))
            messages.success(
                request,
                f"Signed in with a backup code, which will not work again. You have {left} backup "
                f"code{pluralize(left)} left.",
            )
            return redirect(next_url)
        if attempt.throttled:
            form.add_error("backup_code", "Too many wrong codes in a row. Wait a few seconds, then try again.")
        else:
            form.add_error(
                "backup_code",
                "That backup code is not right, or it has been used already: each code works once. Check it, or "
                "try another of your codes.",
            )
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "backup": True,
            "left": left,
            "next": next_url,
            "app_url": _with_next("two_factor_verify", next_url),
        },
    )


@login_required
@never_cache
def two_factor_setup(request):
    """First sign-in of a role that needs two-factor: link an authenticator app, confirm with a code, then take the
    first set of backup codes (shown once, on the next page)."""
    if not access.requires_two_factor(request.user):
        return redirect(_safe_next(request))
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("two_factor_verify")
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            # Only that a set is due is kept in the session: the codes are made, and shown, by the next page.
            request.session[BACKUP_CODES_DUE] = True
            messages.success(
                request, "Two-factor sign-in is set up. You will be asked for a code each time you sign in."
            )
            return redirect(_with_next("two_factor_backup_codes", _safe_next(request)))
        form.add_error("otp_token", "That code is not right. Check the app shows this account, then try again.")
    import qrcode  # here, not at the top: only enrolment draws a QR code, and a web worker need not load it
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    buffer = io.BytesIO()
    image.save(buffer)
    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr_data_uri": qr_data_uri, "secret": secret, "next": _safe_next(request)},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_backup_codes(request):
    """Backup codes (R86): how many are left, and a new set in place of the old, shown once, after the person
    confirms it is them with a current code or their password. Straight after setting up an authenticator app
    the first set is shown without asking again."""
    if not access.requires_two_factor(request.user):
        raise PermissionDenied
    next_url = _safe_next(request)
    codes = None
    if request.method == "GET" and request.session.pop(BACKUP_CODES_DUE, False):
        codes = two_factor.backup_codes_make(user=request.user)
    form = ConfirmItIsYouForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid() and _confirms_it_is_them(request, form):
        codes = two_factor.backup_codes_make(user=request.user)
    if codes:
        return render(request, "registration/backup_codes_new.html", {"codes": codes, "next": next_url})
    return render(
        request,
        "registration/two_factor_backup_codes.html",
        {"form": form, "left": two_factor.backup_codes_left(user=request.user), "next": next_url},
        status=400 if form.is_bound else 200,
    )


def _confirms_it_is_them(request, form: ConfirmItIsYouForm) -> bool:
    """A current authenticator code (throttled by django-otp) or the password (counted by django-axes, as at
    sign-in); on failure the form says why."""
    token = form.cleaned_data["otp_token"]
    if token:
        device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
        allowed = device is not None and device.verify_is_allowed()[0]
        if allowed and device.verify_token(token):
            return True
        form.add_error(
            "otp_token",
            "That code is not right or has expired. Try the newest code in your app: the one you signed in with will "
            "not work twice."
            if allowed
            else "Too many wrong codes in a row. Wait a few seconds, then try the newest code.",
        )
        return False
    if authenticate(request, username=request.user.get_username(), password=form.cleaned_data["password"]):
        return True
    form.add_error("password", "That password is not right.")
    return False


@login_required
@require_POST
def choose_school(request):
    """The menu's school switcher, for a person at several schools: the chosen one is kept for the session
    (ChosenSchoolMiddleware) and comes first on every page. A school the person does not work in is not found."""
    wanted = request.POST.get("school", "")
    school = next((s for s in access.schools_to_choose_from(request.user) if str(s.public_id) == wanted), None)
    if school is None:
        raise Http404
    request.session[access.CHOSEN_SCHOOL_SESSION_KEY] = wanted
    access.remember_chosen_school(request.user, wanted)
    messages.info(request, f"You are working in {school.name}.")
    return redirect(_safe_next(request))
