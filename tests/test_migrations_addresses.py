"""The migration that gives each invitation its normalized address."""

from importlib import import_module

import pytest
from django.apps import apps

from assessments.models import Invitation
from tests.factories import AssessmentFactory, InvitationFactory

pytestmark = pytest.mark.django_db

MIGRATION = "assessments.migrations.0012_one_invitation_per_person"


def test_existing_invitations_hold_their_address_and_later_duplicates_are_revoked():
    round_ = AssessmentFactory()
    first = InvitationFactory(assessment=round_, email="Sam.Lee@gmail.com")
    # Rows written before addresses were normalized: nothing told these apart.
    Invitation.objects.update(normalized_email="")
    later = InvitationFactory(assessment=round_, email="samlee+work@googlemail.com")
    other = InvitationFactory(assessment=round_, email="jo@example.com")
    revoked = InvitationFactory(
        assessment=round_, email="sam.lee@gmail.com", status=Invitation.Status.REVOKED
    )
    elsewhere = InvitationFactory(email="samlee@gmail.com")
    unnamed = InvitationFactory(assessment=round_, email="")
    Invitation.objects.update(normalized_email="")

    import_module(MIGRATION).hold_one_invitation_per_person(apps, schema_editor=None)

    held = dict(Invitation.objects.values_list("pk", "normalized_email"))
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert held == {
        first.pk: "samlee@gmail.com",
        later.pk: "",
        other.pk: "jo@example.com",
        revoked.pk: "",
        elsewhere.pk: "samlee@gmail.com",
        unnamed.pk: "",
    }
    assert statuses[later.pk] == Invitation.Status.REVOKED
    assert statuses[first.pk] == statuses[other.pk] == Invitation.Status.PENDING
