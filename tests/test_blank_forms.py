"""`{{ form|crispy_blank }}` (safeguarding/templatetags/blank_forms.py): a blank form's HTML is crispy's, made once
and kept; anything that makes a form's HTML differ (being sent back with errors, its ids, its fields' choices or
initial values) is rendered afresh or kept apart."""

from unittest import mock

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django import forms

from safeguarding.models import School
from safeguarding.templatetags import blank_forms


class FlagLikeForm(forms.Form):
    kind = forms.ChoiceField(choices=[("cp", "Child protection plan"), ("cin", "Child in need")])
    starts_on = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    details = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChoicesFromTheAskerForm(forms.Form):
    school = forms.ChoiceField()

    def __init__(self, *args, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].choices = [(s, s) for s in schools]


class DatabaseChoicesForm(forms.Form):
    school = forms.ModelChoiceField(queryset=School.objects.all())


@pytest.fixture(autouse=True)
def nothing_kept():
    blank_forms._rendered.clear()
    yield
    blank_forms._rendered.clear()


def counted():
    """crispy's own filter, counting the times it renders."""
    return mock.patch.object(blank_forms, "as_crispy_form", side_effect=as_crispy_form)


def test_a_blank_form_is_rendered_as_crispy_renders_it_and_only_once():
    with counted() as rendering:
        first = blank_forms.crispy_blank(FlagLikeForm(auto_id="flag_%s"))
        again = blank_forms.crispy_blank(FlagLikeForm(auto_id="flag_%s"))
    assert first == again == as_crispy_form(FlagLikeForm(auto_id="flag_%s"))
    assert 'id="flag_starts_on"' in first and "Child in need" in first
    assert rendering.call_count == 1


def test_a_form_sent_back_is_rendered_afresh_with_its_errors():
    blank_forms.crispy_blank(FlagLikeForm(auto_id="flag_%s"))
    sent = FlagLikeForm({"kind": "cp", "details": "Told by the LA"}, auto_id="flag_%s")
    with counted() as rendering:
        html = blank_forms.crispy_blank(sent)
    assert rendering.call_count == 1
    assert "is-invalid" in html and "Told by the LA" in html


def test_other_ids_other_initial_values_and_other_choices_are_kept_apart():
    plain = blank_forms.crispy_blank(FlagLikeForm(auto_id="flag_%s"))
    other_ids = blank_forms.crispy_blank(FlagLikeForm(auto_id="second_%s"))
    filled_in = blank_forms.crispy_blank(FlagLikeForm(auto_id="flag_%s", initial={"details": "From the LA"}))
    assert 'id="second_kind"' in other_ids and 'id="second_kind"' not in plain
    assert "From the LA" in filled_in and "From the LA" not in plain
    mine = blank_forms.crispy_blank(ChoicesFromTheAskerForm(schools=["West Park School"]))
    theirs = blank_forms.crispy_blank(ChoicesFromTheAskerForm(schools=["Hill Top School"]))
    assert "West Park School" in mine and "West Park School" not in theirs and "Hill Top School" in theirs


@pytest.mark.django_db
def test_a_form_whose_choices_come_from_the_database_is_never_kept(school):
    with counted() as rendering:
        blank_forms.crispy_blank(DatabaseChoicesForm())
        html = blank_forms.crispy_blank(DatabaseChoicesForm())
    assert rendering.call_count == 2
    assert school.name in html
    assert not blank_forms._rendered
