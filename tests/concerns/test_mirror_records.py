"""R10: other children named in a concern get a record on their own file only when the DSL confirms it."""

import pytest
from django.urls import reverse

from concerns.models import ChronologyEntry, MirrorRecord, PupilRole

from ..conftest import sign_in
from ..factories import PupilFactory, raise_concern


@pytest.fixture
def witness(school):
    return PupilFactory(school=school, legal_first_name="Ola", legal_last_name="Nwosu")


@pytest.fixture
def concern(school, teacher, witness):
    return raise_concern(
        author=teacher,
        school=school,
        other_pupils=[(witness, PupilRole.WITNESS)],
        account="The subject's private account, which must not reach the witness's file.",
    )


def decide_url(concern, mirror):
    return reverse("concerns:decide_mirror", kwargs={"public_id": concern.public_id, "mirror_id": mirror.public_id})


@pytest.mark.django_db
def test_naming_another_child_proposes_a_mirror_record_and_writes_nothing_yet(concern, witness):
    """Raising the concern proposes the record; the witness's file holds nothing until the DSL confirms."""
    mirror = MirrorRecord.objects.get(concern=concern, pupil=witness)
    assert mirror.status == "proposed" and mirror.role == PupilRole.WITNESS
    assert not ChronologyEntry.objects.filter(pupil=witness).exists()


@pytest.mark.django_db
def test_confirming_puts_only_what_concerns_them_on_their_file(client, concern, witness, dsl):
    """The witness's chronology gets the confirmed summary, and nothing of the subject's account."""
    mirror = MirrorRecord.objects.get(concern=concern)
    sign_in(client, dsl)
    response = client.post(
        decide_url(concern, mirror), {"decision": "confirm", "summary": "Saw an argument in the corridor."}
    )
    assert response.status_code == 302
    entry = ChronologyEntry.objects.get(pupil=witness)
    assert entry.summary.startswith("Saw an argument in the corridor.")
    assert "Helen Marsh (Designated Safeguarding Lead)" in entry.summary
    assert "private account" not in entry.summary
    page = client.get(reverse("concerns:pupil_file", args=[witness.public_id])).content.decode()
    assert "Saw an argument in the corridor." in page
    assert "The subject's private account" not in page


@pytest.mark.django_db
def test_declining_needs_a_reason_which_is_recorded(client, concern, witness, dsl):
    """Declining without a reason is refused; with one, it is kept on the concern's own child's chronology."""
    mirror = MirrorRecord.objects.get(concern=concern)
    sign_in(client, dsl)
    client.post(decide_url(concern, mirror), {"decision": "decline"})
    mirror.refresh_from_db()
    assert mirror.status == "proposed"
    client.post(
        decide_url(concern, mirror), {"decision": "decline", "reason_declined": "Only passed by; not involved."}
    )
    mirror.refresh_from_db()
    assert mirror.status == "declined" and mirror.decided_by == dsl
    assert not ChronologyEntry.objects.filter(pupil=witness).exists()
    line = concern.chronology.get(kind="mirror").summary
    assert "Ola Nwosu" in line and "Only passed by; not involved." in line


@pytest.mark.django_db
def test_staff_cannot_decide(client, concern, teacher):
    """Only the DSL team decides what goes on another child's file."""
    mirror = MirrorRecord.objects.get(concern=concern)
    sign_in(client, teacher)
    assert client.post(decide_url(concern, mirror), {"decision": "confirm"}).status_code == 404
    mirror.refresh_from_db()
    assert mirror.status == "proposed"
