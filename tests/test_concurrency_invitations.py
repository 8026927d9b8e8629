"""Two managers pasting the same list at the same moment invite each person once.

The check for people already invited runs before the insert, so two requests can
both pass it; the database's constraint on each round's normalized addresses
refuses the second, which then says who was already invited.
"""

import threading
from http import HTTPStatus

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from assessments import services
from assessments.services import invitations as services_invitations
from tests.factories import AssessmentFactory, TeamFactory, UserFactory

PASTED = "Sam Lee <sam@example.com>\nJo Park <Jo.Park+team@gmail.com>"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_pastes_of_one_list_invite_each_person_once(
    monkeypatch, catalogue_rows
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes its write lock as each request's transaction begins, so "
            "the second request's check already sees the first one's rows"
        )
    managers = UserFactory.create_batch(2)
    assessment = AssessmentFactory(team=TeamFactory(managers=managers))
    clients = []
    for manager in managers:
        client = Client()
        client.force_login(manager)
        clients.append(client)
    # Both requests have checked who is invited before either inserts.
    barrier = threading.Barrier(len(clients), timeout=10)
    create = services_invitations.invitations_create

    def create_after_both_checked(**kwargs):
        barrier.wait()
        return create(**kwargs)

    monkeypatch.setattr(
        services_invitations, "invitations_create", create_after_both_checked
    )
    responses, errors = [], []

    def paste(client):
        try:
            responses.append(
                client.post(
                    reverse("assessments:invitation_paste", args=(assessment.pk,)),
                    {"members": PASTED},
                )
            )
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=paste, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(response.status_code for response in responses) == [
        HTTPStatus.OK,
        HTTPStatus.FOUND,
    ]
    [refused] = [r for r in responses if r.status_code == HTTPStatus.OK]
    assert refused.context["list_form"].non_field_errors() == [
        services.ALREADY_INVITED.format(
            emails="jo.park+team@gmail.com, sam@example.com"
        )
    ]
    assert sorted(
        assessment.invitations.values_list("normalized_email", flat=True)
    ) == [
        "jopark@gmail.com",
        "sam@example.com",
    ]
