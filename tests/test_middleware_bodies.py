"""Request bodies are held to a cap before anything reads them, and files are
taken only where a page takes one, from signed-in staff."""

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from assessments.models import AnswersUpload, Response, Team
from tests.factories import InvitationFactory, UserFactory
from tests.samples import ANSWERS_CSV
from tests.test_settings import run_manage
from tests.test_views_survey import ANSWERS

pytestmark = pytest.mark.django_db

TOO_LARGE = "That was too large to send"


def big_file(size: int = 2**20) -> SimpleUploadedFile:
    return SimpleUploadedFile("answers.csv", b"x" * size, content_type="text/csv")


def import_url(assessment) -> str:
    return reverse("admin:assessments_assessment_import", args=(assessment.pk,))


def assert_refused_unread(response):
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert TOO_LARGE in response.content.decode()
    assert not response.wsgi_request._read_started


@pytest.fixture
def survey_url():
    return reverse("assessments:survey", args=(InvitationFactory().token,))


def test_a_large_multipart_post_to_the_login_page_is_refused_unread(client):
    response = client.post(
        reverse("account_login"), {"login": "a@example.com", "file": big_file()}
    )

    assert_refused_unread(response)


def test_a_large_multipart_post_to_the_survey_is_refused_unread(client, survey_url):
    response = client.post(survey_url, {**ANSWERS, "file": big_file()})

    assert_refused_unread(response)
    assert not Response.objects.exists()


def test_a_large_multipart_post_to_a_manager_page_is_refused_unread(manager_client):
    response = manager_client.post(
        reverse("assessments:team_create"), {"name": "Desk", "file": big_file()}
    )

    assert_refused_unread(response)
    assert not Team.objects.filter(name="Desk").exists()


@pytest.mark.parametrize("who", ["anonymous", "manager"])
def test_only_staff_may_send_a_file_to_the_import(client, assessment, who):
    if who == "manager":
        client.force_login(UserFactory())

    assert_refused_unread(client.post(import_url(assessment), {"file": big_file()}))
    assert not AnswersUpload.objects.exists()


def test_an_oversized_form_without_files_is_refused_unread(client, survey_url):
    response = client.post(
        survey_url,
        f"vision={'x' * 300_000}",
        content_type="application/x-www-form-urlencoded",
    )

    assert_refused_unread(response)


def test_staff_upload_a_file_larger_than_any_form_to_the_import(
    staff_client, assessment
):
    rows = "".join(
        f"r{n},Fix it first time,A bill put right,I call back\n" for n in range(8000)
    )
    content = ("respondent,vision,meaning,contribution\n" + rows).encode()
    assert len(content) > 256 * 1024

    response = staff_client.post(
        import_url(assessment), {"file": SimpleUploadedFile("answers.csv", content)}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert AnswersUpload.objects.get().rows == 8000


def test_staff_get_the_import_page_s_reason_for_a_file_over_the_upload_cap(
    staff_client, assessment, settings
):
    settings.UPLOAD_MAX_BYTES = 1000

    response = staff_client.post(import_url(assessment), {"file": big_file(1001)})

    assert response.status_code == HTTPStatus.OK
    assert response.context["problems"] == [
        f"answers.csv is over 1000\xa0bytes: import it with "
        f"`manage.py import_answers {assessment.pk} FILE` instead."
    ]


def test_a_body_over_the_upload_cap_and_a_form_s_room_is_refused_unread(
    staff_client, assessment, settings
):
    settings.UPLOAD_MAX_BYTES = 1000
    response = staff_client.post(
        import_url(assessment), {"file": big_file(1000 + 256 * 1024)}
    )

    assert_refused_unread(response)


def test_files_sent_where_no_page_takes_one_are_dropped_unkept(survey_url):
    client = Client()

    response = client.post(
        survey_url, {**ANSWERS, "file": SimpleUploadedFile("a.txt", b"hello")}
    )

    assert response.status_code == HTTPStatus.FOUND
    assert Response.objects.count() == 1
    assert not response.wsgi_request.FILES


def test_a_small_import_still_works_for_staff(staff_client, assessment):
    response = staff_client.post(
        import_url(assessment),
        {"file": SimpleUploadedFile("answers.csv", ANSWERS_CSV.encode())},
    )

    assert response.status_code == HTTPStatus.FOUND
    assert AnswersUpload.objects.get().rows == 3


def test_a_length_that_is_not_a_number_is_read_as_no_body(client, survey_url):
    response = client.generic(
        "POST",
        survey_url,
        b"",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH="lots",
    )

    assert response.status_code == HTTPStatus.OK
    assert not Response.objects.exists()


def test_a_file_sent_to_no_page_gets_the_404_page(staff_client):
    response = staff_client.post("/no/such/page/", {"file": big_file(10)})

    assert response.status_code == HTTPStatus.NOT_FOUND


def test_the_upload_caps_come_from_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; "
        "print(settings.UPLOAD_MAX_BYTES, settings.FILE_UPLOAD_MAX_MEMORY_SIZE)",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_SITE_URL="https://service.example.com",
        DJANGO_UPLOAD_MAX_BYTES="1048576",
        DJANGO_FILE_UPLOAD_MAX_MEMORY_SIZE="65536",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("1048576 65536")
