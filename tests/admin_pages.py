"""Driving the admin's pages in tests: their URLs, the messages they show, and an
action run on the list of rounds."""

from django.contrib.messages import get_messages
from django.urls import reverse

from assessments import models


def admin_url(model, view: str, *args) -> str:
    return reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run_action(client, name: str, rounds, **extra):
    return client.post(
        admin_url(models.Assessment, "changelist"),
        {"action": name, "_selected_action": [r.pk for r in rounds], **extra},
    )
