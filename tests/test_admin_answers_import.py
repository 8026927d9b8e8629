"""Importing answers into a round from the admin: upload, preview with every bad
line, then queue it for a worker, which saves all or nothing and has the round
scored again (tasks run in-process unless a test queues them)."""

from datetime import time
from http import HTTPStatus

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import AnswersUpload, Response
from tests.factories import AssessmentFactory, UserFactory, VisionFactory
from tests.samples import ANSWERS_CSV as ANSWERS
from tests.samples import VISION

pytestmark = pytest.mark.django_db


def import_url(assessment) -> str:
    return reverse("admin:assessments_assessment_import", args=(assessment.pk,))


def change_url(assessment) -> str:
    return reverse("admin:assessments_assessment_change", args=(assessment.pk,))


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def upload(client, assessment, content: bytes, name: str = "answers.csv"):
    return client.post(
        import_url(assessment), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


def test_the_upload_page_loads(admin_client, round_):
    page = admin_client.get(import_url(round_))

    assert page.status_code == HTTPStatus.OK
    assert "respondent,vision,meaning,contribution" in page.content.decode()


def test_a_good_file_is_previewed_and_nothing_is_saved_yet(admin_client, round_):
    uploaded = upload(admin_client, round_, ANSWERS.encode())

    assert uploaded.status_code == HTTPStatus.FOUND
    preview = admin_client.get(uploaded["Location"])
    text = preview.content.decode()
    assert preview.status_code == HTTPStatus.OK
    assert "answers.csv has 3 answers, all readable." in text
    assert "A wrong bill is corrected on the call, with no jargon" in text
    assert 'value="Import 3 answers"' in text
    assert not Response.objects.exists()


def test_confirming_saves_every_answer_and_scores_the_round(
    admin_client, superuser, round_
):
    uploaded = upload(admin_client, round_, ANSWERS.encode())
    upload_pk = AnswersUpload.objects.get().pk

    confirmed = admin_client.post(
        uploaded["Location"], {"upload": upload_pk, "confirm": "Import"}
    )

    assert confirmed["Location"] == change_url(round_)
    assert messages_of(confirmed) == [
        f"Imported 3 answers into {round_}; the round is scored again."
    ]
    responses = list(
        Response.objects.filter(assessment=round_).order_by("meaning_answer")
    )
    assert [(r.meaning_answer, r.engaged) for r in responses] == [
        ("A wrong bill is corrected on the call, with no jargon", True),
        ("I solve the billing error while they are on the line", True),
        ("not sure", False),
    ]
    assert all(r.invitation_id is None for r in responses)
    assert all(r.judgements.count() == 3 for r in responses)
    assert {r.created_at.time() for r in responses} == {time(0, 0)}  # anonymous
    assert round_.step_results.count() == 4
    assert not AnswersUpload.objects.exists()
    history = responses[0].history.get()
    assert (history.history_user, history.history_change_reason) == (
        superuser,
        "Imported from answers.csv",
    )


def test_confirming_queues_the_import_and_a_worker_then_imports_it(
    admin_client, round_, task_queue
):
    uploaded = upload(admin_client, round_, ANSWERS.encode())
    pending = AnswersUpload.objects.get()

    confirmed = admin_client.post(
        uploaded["Location"], {"upload": pending.pk, "confirm": "Import"}
    )

    assert confirmed["Location"] == change_url(round_)
    assert messages_of(confirmed) == [
        f"Queued 3 answers for import into {round_}: a worker imports them, then "
        "scores the round again; its report shows how far it has got."
    ]
    assert not Response.objects.exists()
    assert task_queue.queued() == [("import_answers", {"upload_id": pending.pk})]

    assert task_queue.run() == ["import_answers", "rescore_round"]

    assert Response.objects.filter(assessment=round_).count() == 3
    round_.refresh_from_db()
    assert round_.team_profile_size == 3
    assert not AnswersUpload.objects.exists()


def test_every_bad_line_is_shown_and_nothing_is_kept(admin_client, round_):
    content = (
        b"respondent,vision,meaning,contribution\n"
        b"ann,ok,ok,ok\n"
        b",blank respondent,x,y\n"
        b"ann,again,x,y\n"
        b"dee,only two\n"
    )

    page = upload(admin_client, round_, content)

    assert page.status_code == HTTPStatus.OK
    assert page.context["problems"] == [
        "answers.csv line 3: the respondent is blank.",
        "answers.csv line 4: respondent 'ann' already appears on line 2.",
        "answers.csv line 5: 2 values where the header has 4.",
    ]
    assert "fix these 3 problems and upload the file again" in page.content.decode()
    assert not AnswersUpload.objects.exists()
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "answers.csv: the file is empty."),
        (
            b"respondent,vision,answer\nr1,v,a\n",
            "answers.csv line 1: missing columns meaning, contribution; the header "
            "must name respondent,vision,meaning,contribution.",
        ),
        (
            b"respondent,vision,meaning,contribution\nr1,caf\xe9,m,c\n",
            "answers.csv line 2: not UTF-8 text; save the file as UTF-8 CSV.",
        ),
        (
            b"respondent,vision,meaning,contribution\n",
            "answers.csv: the file has a header but no answers.",
        ),
        (
            b"respondent,vision,meaning,contribution,no\x00te\nr1,v,m,c,x\n",
            "answers.csv line 1: the header contains control characters.",
        ),
    ],
    ids=["empty", "wrong-columns", "bad-encoding", "header-only", "nul-in-header"],
)
def test_unusable_files_are_refused_with_a_clear_reason(
    admin_client, round_, content, problem
):
    page = upload(admin_client, round_, content)

    assert page.context["problems"] == [problem]
    assert not AnswersUpload.objects.exists()


def test_nul_bytes_anywhere_in_a_file_are_refused_naming_their_row(
    admin_client, round_
):
    """PostgreSQL refuses NUL in any text: the upload used to give a 500 there."""
    content = (
        b"respondent,vision,meaning,contribution,engaged\n"
        b"ann\x00,ok,ok,ok,True\n"
        b"bea,ok,ok,ok,Tr\x00ue\n"
        b"cy,ok,ok,ok,True,extra\x00\n"
        b"dee,ok,ok,ok,True\n"
    )

    page = upload(admin_client, round_, content)

    assert page.status_code == HTTPStatus.OK
    assert page.context["problems"] == [
        "answers.csv line 2: the respondent contains control characters.",
        "answers.csv line 3: column 'engaged' contains control characters.",
        "answers.csv line 4: column 6 contains control characters.",
    ]
    assert not AnswersUpload.objects.exists()
    assert not Response.objects.exists()


def test_cancelling_discards_the_upload(admin_client, round_):
    upload(admin_client, round_, ANSWERS.encode())
    pending = AnswersUpload.objects.get()

    cancelled = admin_client.post(
        import_url(round_), {"upload": pending.pk, "cancel": "Cancel"}
    )

    assert messages_of(cancelled) == ["Import cancelled; nothing was saved."]
    assert not AnswersUpload.objects.exists()
    assert not Response.objects.exists()


def test_a_used_or_unknown_preview_cannot_be_confirmed(admin_client, round_):
    confirmed = admin_client.post(
        import_url(round_), {"upload": "12345", "confirm": "Import"}
    )

    assert messages_of(confirmed) == [
        "This preview has expired or was already used: upload the file again."
    ]
    assert not Response.objects.exists()


def test_someone_elses_upload_cannot_be_confirmed(admin_client, round_):
    other = UserFactory(is_staff=True, is_superuser=True)
    theirs = AnswersUpload.objects.create(
        assessment=round_,
        uploaded_by=other,
        file_name="theirs.csv",
        content=ANSWERS,
        rows=3,
    )

    admin_client.post(import_url(round_), {"upload": theirs.pk, "confirm": "Import"})

    assert not Response.objects.exists()


def test_a_closed_round_takes_no_import(admin_client, team):
    closed = AssessmentFactory(team=team, closed=True)

    page = upload(admin_client, closed, ANSWERS.encode())

    assert page.context["problems"] == [
        "This round is closed: its answers are final, so no more can be imported."
    ]


def test_a_round_closed_after_the_preview_takes_no_import(admin_client, round_):
    upload(admin_client, round_, ANSWERS.encode())
    pending = AnswersUpload.objects.get()
    round_.status, round_.closed_at = "closed", round_.opened_at
    round_.save()

    confirmed = admin_client.post(
        import_url(round_), {"upload": pending.pk, "confirm": "Import"}
    )

    assert messages_of(confirmed) == [
        "This round is closed: its answers are final, so no more can be imported."
    ]
    assert not Response.objects.exists()


def test_staff_without_the_right_to_add_answers_cannot_import(client, round_):
    viewer = UserFactory(is_staff=True)
    client.force_login(viewer)

    assert client.get(import_url(round_)).status_code == HTTPStatus.FORBIDDEN


def test_formulas_in_an_imported_file_are_stored_as_typed_and_exported_as_text(
    admin_client, round_
):
    # Named, so that the answer of one may be exported.
    round_.anonymous = False
    round_.save(update_fields=("anonymous",))
    content = (
        b"respondent,vision,meaning,contribution\n"
        b'r1,"=HYPERLINK(""http://evil"")",+1+1,@SUM(A1)\n'
    )
    upload(admin_client, round_, content)
    admin_client.post(
        import_url(round_),
        {"upload": AnswersUpload.objects.get().pk, "confirm": "Import"},
    )

    stored = Response.objects.get()
    export = admin_client.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": "export_answers", "_selected_action": [round_.pk]},
    )

    assert stored.vision_answer == '=HYPERLINK("http://evil")'
    text = b"".join(export.streaming_content).decode()
    assert '"\'=HYPERLINK(""http://evil"")",\'+1+1,\'@SUM(A1)' in text
