"""The IT administrator's admin: people, schools, trusts, memberships and school calendars, and nothing of any
safeguarding record.

Only models registered here (and the lockout and two-factor device lists, to unlock a person or reset a lost
phone; People also has a "Reset two-factor sign-in" action) appear; the audit log, the task queue and the backup
codes are taken off, so the admin never shows a record's narrative or a secret.
"""

from auditlog.models import LogEntry
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_tasks_db.models import DBTaskResult

from . import passwords, two_factor
from .models import InsetDay, Membership, School, SignInProvider, Term, Trust, User
from .reports import tasks as report_tasks


class ProtectedTOTPDeviceAdmin(TOTPDeviceAdmin):
    """An IT administrator may remove a lost phone's device, but never their own (a stolen password alone could
    then link a new one) nor a superuser's (that would open their account).

    Deleting a device is a reset of that person's second factor: their backup codes go too, and it is logged and
    emailed to them, as the "Reset two-factor sign-in" action on People does (safeguarding.two_factor).
    """

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not two_factor.can_reset_two_factor(request.user, obj.user):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        # Deleting many at once would skip the per-device check above; the People action resets several.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        two_factor.two_factor_reset(user=request.user, person=obj.user)


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, ProtectedTOTPDeviceAdmin)

# Backup codes are kept as hashes (safeguarding.two_factor) and removed by a reset. otp_static's own admin would let
# someone type codes in, stored in plain text, and show the hashes: it is taken off.
if admin.site.is_registered(StaticDevice):
    admin.site.unregister(StaticDevice)


# The audit log is read on /audit/ (scoped to a school, for the DSL team and the DPO), and queued jobs are the
# worker's business: neither belongs in the IT administrator's admin.
for model in (LogEntry, DBTaskResult):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["school", "trust", "role"]


class NoSelfGrantFormSet(forms.BaseInlineFormSet):
    """An administrator cannot give themselves a role: a grant of access always needs a second person."""

    def clean(self):
        super().clean()
        acting = getattr(self, "acting_user", None)
        if acting is None or self.instance.pk != acting.pk:
            return
        for form in self.forms:
            if form.has_changed() and not form.cleaned_data.get("DELETE"):
                raise ValidationError("You cannot change your own roles. Ask another administrator.")


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 1
    fk_name = "user"
    formset = NoSelfGrantFormSet


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    change_list_template = "safeguarding/staff_import_user_changelist.html"  # adds "Import staff from a CSV file"
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "job_title", "email", "is_active"]
    list_filter = ["is_active", "memberships__role", "memberships__school"]
    search_fields = ["username", "first_name", "last_name", "email", "job_title"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Name and role shown on records", {"fields": ("first_name", "last_name", "job_title", "email")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": ("username", "first_name", "last_name", "job_title", "email"),
                "description": (
                    "Leave password-based sign-in off and save: the person is emailed an invitation to choose their "
                    "own password (the link works for a few days). Nobody needs to type or hand over a password."
                ),
            },
        ),
        ("Password", {"fields": ("usable_password", "password1", "password2")}),
    )
    readonly_fields = ["last_login", "date_joined"]
    actions = ["send_invitation", "reset_two_factor"]

    def get_changeform_initial_data(self, request):
        # A new person chooses their own password from an invitation, unless the administrator asks otherwise.
        return {"usable_password": "false", **super().get_changeform_initial_data(request)}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not obj.has_usable_password() and obj.email:
            passwords.invite(obj, invited_by=request.user)
            self.message_user(request, f"An invitation to choose a password is on its way to {obj.email}.")

    @admin.action(description="Send an invitation to choose a password", permissions=["change"])
    def send_invitation(self, request, queryset):
        """Again, for someone whose invitation expired or went astray: only people who have never signed in (anyone
        else uses "Forgot your password?", which keeps their password until they choose a new one)."""
        invited, skipped = [], []
        for person in queryset.order_by("last_name", "first_name", "username"):
            name = person.get_full_name() or person.username
            if person.pk == request.user.pk or not person.is_active or not person.email or person.last_login:
                skipped.append(name)
                continue
            if not two_factor.can_reset_two_factor(request.user, person):  # a superuser's account is a superuser's
                skipped.append(name)
                continue
            passwords.invite(person, invited_by=request.user)
            invited.append(name)
        if invited:
            self.message_user(request, f"Invitation sent to {', '.join(invited)}.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"No invitation for {', '.join(skipped)}: only active people with an email address who have never "
                'signed in are invited (others use "Forgot your password?" on the sign-in page).',
                messages.WARNING,
            )

    def has_change_permission(self, request, obj=None):
        """Only a superuser changes a superuser (their password above all)."""
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += ["is_superuser", "groups"]
        return fields

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            formset.acting_user = request.user
            yield formset, inline

    @admin.action(description="Reset two-factor sign-in", permissions=["change"])
    def reset_two_factor(self, request, queryset):
        """For a lost or replaced phone: deletes the chosen people's authenticator apps and backup codes, after a
        confirmation page. Each reset is logged and emailed to the person (safeguarding.two_factor). Never one's
        own, as one's own roles are never changed here."""
        people = list(queryset.order_by("last_name", "first_name", "username"))
        if any(person.pk == request.user.pk for person in people):
            self.message_user(
                request, "You cannot reset your own two-factor sign-in. Ask another administrator.", messages.ERROR
            )
            return None
        if not all(two_factor.can_reset_two_factor(request.user, person) for person in people):
            self.message_user(request, "Only a superuser can reset a superuser's two-factor sign-in.", messages.ERROR)
            return None
        if request.POST.get("post") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Reset two-factor sign-in",
                "opts": self.model._meta,
                "people": people,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "registration/two_factor_reset_confirm.html", context)
        for person in people:
            two_factor.two_factor_reset(user=request.user, person=person)
        names = ", ".join(person.get_full_name() or person.username for person in people)
        self.message_user(
            request,
            f"Two-factor sign-in reset for {names}. Each will link an authenticator app again at their next sign-in, "
            "and has been emailed to say so.",
            messages.SUCCESS,
        )
        without_email = [person.get_full_name() or person.username for person in people if not person.email]
        if without_email:
            self.message_user(
                request, f"No email address for {', '.join(without_email)}: tell them yourself.", messages.WARNING
            )
        return None


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["name", "local_authority", "trust", "urn"]
    fields = [
        "name",
        "local_authority",
        "trust",
        "urn",
        "day_starts_at",
        "day_ends_at",
        "escalate_immediate_after_minutes",
        "escalate_routine_after_minutes",
    ]
    search_fields = ["name", "urn"]


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    """Term dates decide school-day deadlines (R31, R55): a CP file transfer is counted in this school's days."""

    list_display = ["__str__", "school", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"]
    list_filter = ["school", "academic_year", "name"]
    fields = ["school", "academic_year", "name", "starts_on", "ends_on", "half_term_starts_on", "half_term_ends_on"]
    ordering = ["school", "-starts_on"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The term's report figures are made by the task worker from its first morning (issue 12); the job commits
        # or rolls back with the term.
        report_tasks.term_entered(obj)


@admin.register(InsetDay)
class InsetDayAdmin(admin.ModelAdmin):
    list_display = ["day", "school", "note"]
    list_filter = ["school"]
    fields = ["school", "day", "note"]
    date_hierarchy = "day"
    ordering = ["school", "-day"]


@admin.register(Trust)
class TrustAdmin(admin.ModelAdmin):
    list_display = ["name"]
    fields = ["name"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["user", "role", "school", "trust", "created_at"]
    list_filter = ["role", "school", "trust"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    fields = ["user", "school", "trust", "role"]
    autocomplete_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if obj.user_id == request.user.pk:
            raise ValidationError("You cannot change your own roles.")
        super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        acting = request.user

        class NoSelfGrant(form):
            def clean(self):
                cleaned = super().clean()
                if cleaned.get("user") == acting:
                    raise ValidationError("You cannot change your own roles. Ask another administrator.")
                return cleaned

        return NoSelfGrant


# Single sign-on (safeguarding/sso.py) is set up here, per school or per trust; allauth's own tables are not used for
# it (its apps, tokens and email addresses), and the links it keeps from a provider's id to a person are its business.
def _unregister_allauth() -> None:
    from allauth.account.models import EmailAddress
    from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken

    for model in (EmailAddress, SocialAccount, SocialApp, SocialToken):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_allauth()


class SignInProviderForm(forms.ModelForm):
    client_secret = forms.CharField(
        label="Client secret",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="Shown only when typed. Leave empty to keep the secret already saved.",
    )

    server_url = forms.URLField(
        label="Server URL",
        required=False,
        assume_scheme="https",
        help_text=SignInProvider._meta.get_field("server_url").help_text,
    )

    class Meta:
        model = SignInProvider
        fields = ["kind", "school", "trust", "tenant", "server_url", "client_id", "client_secret", "email_domains"]

    def clean_client_secret(self):
        secret = self.cleaned_data["client_secret"]
        if not secret and not (self.instance.pk and self.instance.client_secret):
            raise ValidationError("Paste the client secret from the app registration.")
        return secret or self.instance.client_secret


@admin.register(SignInProvider)
class SignInProviderAdmin(admin.ModelAdmin):
    form = SignInProviderForm
    list_display = ["__str__", "kind", "enabled"]
    list_filter = ["kind", "enabled"]
    fields = [
        "kind",
        "school",
        "trust",
        "tenant",
        "server_url",
        "client_id",
        "client_secret",
        "email_domains",
        "enabled",
        "redirect_address",
    ]
    readonly_fields = ["redirect_address"]

    @admin.display(description="Redirect address to give the provider")
    def redirect_address(self, obj):
        from django.conf import settings
        from django.urls import reverse

        if obj is None or obj.pk is None:
            return "Shown once saved."
        return settings.SITE_URL + reverse("openid_connect_callback", kwargs={"provider_id": obj.provider_id})
