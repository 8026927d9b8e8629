"""Throttling keys on the client, also behind a load balancer."""

from http import HTTPStatus

import pytest
from django.test import RequestFactory
from django.urls import reverse

from assessments.clients import client_address
from assessments.throttle import FAILED_LOOKUPS_ALLOWED


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.2"),
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),
        (2, "203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "10.0.0.7", "10.0.0.2"),
        (1, "", "10.0.0.2"),
    ],
    ids=[
        "no-proxy-ignores-the-header",
        "one-proxy",
        "a-forged-entry-on-the-left-is-ignored",
        "two-proxies",
        "too-few-entries-falls-back",
        "no-header-falls-back",
    ],
)
def test_client_address(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXIES = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded
    )

    assert client_address(request) == expected


@pytest.mark.django_db
def test_clients_behind_one_proxy_are_throttled_separately(client, settings):
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(FAILED_LOOKUPS_ALLOWED + 1):
        client.get(
            reverse("assessments:survey", args=(f"wrong-{n}",)),
            HTTP_X_FORWARDED_FOR="203.0.113.9",
            **proxy,
        )

    other = client.get(
        reverse("assessments:survey", args=("wrong-x",)),
        HTTP_X_FORWARDED_FOR="198.51.100.4",
        **proxy,
    )

    assert other.status_code == HTTPStatus.NOT_FOUND
