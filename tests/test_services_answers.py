"""Answers gathered outside the survey, called directly: a file is uploaded and
kept, then its uploader confirms it (every answer imported, the upload dropped) or
cancels it; nobody confirms or cancels another's upload."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services
from assessments.answers_csv import AnswersFileError
from assessments.models import AnswersUpload, Response
from tests.factories import AssessmentFactory, UserFactory, VisionFactory
from tests.samples import ANSWERS_CSV as ANSWERS
from tests.samples import VISION

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_(assessment):
    VisionFactory(assessment=assessment, statement=VISION)
    return assessment


@pytest.fixture
def uploader(db):
    return UserFactory(is_staff=True, is_superuser=True)


def create(assessment, user, data: bytes = ANSWERS.encode(), **options):
    return services.answers_upload_create(
        assessment=assessment,
        user=user,
        file_name=options.pop("file_name", "answers.csv"),
        data=data,
        **options,
    )


def test_an_upload_keeps_the_whole_file_and_saves_no_answer(round_, uploader):
    upload = create(round_, uploader, ("\ufeff" + ANSWERS).encode())

    assert (upload.assessment, upload.uploaded_by) == (round_, uploader)
    assert (upload.file_name, upload.rows) == ("answers.csv", 3)
    assert upload.content == ANSWERS  # without the byte-order mark
    assert not Response.objects.exists()


def test_an_upload_with_bad_lines_is_refused_with_every_problem(round_, uploader):
    data = b"respondent,vision,meaning,contribution\nann,ok,ok,ok\n,x,y,z\n"

    with pytest.raises(AnswersFileError) as refused:
        create(round_, uploader, data)

    assert refused.value.problems == ["answers.csv line 3: the respondent is blank."]
    assert not AnswersUpload.objects.exists()


def test_a_closed_round_takes_no_upload(team, uploader):
    closed = AssessmentFactory(team=team, closed=True)

    with pytest.raises(ValidationError) as refused:
        create(closed, uploader)

    assert refused.value.messages == [services.IMPORT_ROUND_CLOSED]
    assert not AnswersUpload.objects.exists()


def test_a_new_upload_replaces_ones_own_and_drops_expired_ones(round_, uploader):
    own_earlier = create(round_, uploader)
    theirs = create(round_, UserFactory(is_staff=True))
    expired = create(round_, UserFactory(is_staff=True))
    AnswersUpload.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - services.UPLOADS_KEPT - timedelta(minutes=1)
    )

    latest = create(round_, uploader)

    assert set(AnswersUpload.objects.values_list("pk", flat=True)) == {
        theirs.pk,
        latest.pk,
    }
    assert own_earlier.pk != latest.pk


def test_confirming_imports_every_row_and_drops_the_upload(round_, uploader):
    upload = create(round_, uploader)

    queued = services.answers_upload_confirm(
        upload_id=upload.pk, assessment=round_, user=uploader
    )

    assert queued.answers == 3
    assert queued.task.return_value == 3  # tasks run in-process here
    assert sorted(
        Response.objects.filter(assessment=round_).values_list(
            "vision_answer", flat=True
        )
    ) == [
        "First contact fixes in plain words",
        "Fix problems on first contact and explain plainly",
        "I don't know",
    ]
    assert round_.step_results.count() == 4  # the round is scored again
    assert not AnswersUpload.objects.exists()


def test_an_upload_confirmed_twice_is_imported_once(round_, uploader):
    upload = create(round_, uploader)
    services.answers_upload_confirm(
        upload_id=upload.pk, assessment=round_, user=uploader
    )

    with pytest.raises(ValidationError) as refused:
        services.answers_upload_confirm(
            upload_id=upload.pk, assessment=round_, user=uploader
        )

    assert refused.value.messages == [services.IMPORT_EXPIRED]
    assert Response.objects.count() == 3


def test_an_expired_upload_cannot_be_confirmed(round_, uploader):
    expired = create(round_, uploader)
    AnswersUpload.objects.filter(pk=expired.pk).update(
        created_at=timezone.now() - services.UPLOADS_KEPT - timedelta(minutes=1)
    )
    create(round_, UserFactory(is_staff=True))  # drops the expired one

    with pytest.raises(ValidationError) as refused:
        services.answers_upload_confirm(
            upload_id=expired.pk, assessment=round_, user=uploader
        )

    assert refused.value.messages == [services.IMPORT_EXPIRED]
    assert not Response.objects.exists()


@pytest.mark.parametrize("whose", ["another_persons", "another_rounds"])
def test_an_upload_not_ones_own_for_this_round_cannot_be_confirmed(
    round_, uploader, team, whose
):
    if whose == "another_persons":
        upload = create(round_, UserFactory(is_staff=True))
    else:
        other_round = AssessmentFactory(team=team)
        VisionFactory(assessment=other_round, statement=VISION)
        upload = create(other_round, uploader)

    with pytest.raises(ValidationError) as refused:
        services.answers_upload_confirm(
            upload_id=upload.pk, assessment=round_, user=uploader
        )

    assert refused.value.messages == [services.IMPORT_EXPIRED]
    assert refused.value.code == "expired"
    assert not Response.objects.exists()
    assert AnswersUpload.objects.filter(pk=upload.pk).exists()


def test_a_round_closed_after_the_upload_refuses_it_and_keeps_it(round_, uploader):
    upload = create(round_, uploader)
    round_.status, round_.closed_at = "closed", round_.opened_at
    round_.save()

    with pytest.raises(ValidationError) as refused:
        services.answers_upload_confirm(
            upload_id=upload.pk, assessment=round_, user=uploader
        )

    assert refused.value.messages == [services.IMPORT_ROUND_CLOSED]
    assert not Response.objects.exists()
    assert AnswersUpload.objects.filter(pk=upload.pk).exists()


def test_cancelling_drops_the_upload_and_saves_nothing(round_, uploader):
    upload = create(round_, uploader)

    services.answers_upload_cancel(
        upload_id=upload.pk, assessment=round_, user=uploader
    )

    assert not AnswersUpload.objects.exists()
    assert not Response.objects.exists()


def test_cancelling_leaves_another_persons_upload_alone(round_, uploader):
    theirs = create(round_, UserFactory(is_staff=True))

    services.answers_upload_cancel(
        upload_id=theirs.pk, assessment=round_, user=uploader
    )
    services.answers_upload_cancel(upload_id=0, assessment=round_, user=uploader)

    assert list(AnswersUpload.objects.all()) == [theirs]


# --- Queued for a worker --------------------------------------------------------------


def test_a_confirmed_upload_waits_queued_until_a_worker_imports_it(
    task_queue, round_, uploader
):
    upload = create(round_, uploader)

    queued = services.answers_upload_confirm(
        upload_id=upload.pk, assessment=round_, user=uploader
    )

    assert queued.answers == 3
    assert not queued.task.is_finished
    assert task_queue.queued() == [("import_answers", {"upload_id": upload.pk})]
    assert not Response.objects.exists()
    assert AnswersUpload.objects.get().queued_at is not None
    with pytest.raises(ValidationError) as refused:
        services.answers_upload_confirm(
            upload_id=upload.pk, assessment=round_, user=uploader
        )
    assert refused.value.messages == [services.IMPORT_EXPIRED]

    assert task_queue.run() == ["import_answers", "rescore_round"]

    assert Response.objects.filter(assessment=round_).count() == 3
    round_.refresh_from_db()
    assert round_.team_profile_size == 3
    assert not AnswersUpload.objects.exists()


def test_imported_answers_are_judged_as_they_are_stored(task_queue, round_, uploader):
    services.answers_upload_confirm(
        upload_id=create(round_, uploader).pk, assessment=round_, user=uploader
    )

    task_queue.run(count=1)  # the import, not yet the full scoring after it

    responses = Response.objects.filter(assessment=round_).order_by("vision_answer")
    assert [r.judgements.count() for r in responses] == [3, 3, 3]
    assert [(r.vision_answer, r.engaged) for r in responses] == [
        ("First contact fixes in plain words", True),
        ("Fix problems on first contact and explain plainly", True),
        ("I don't know", False),
    ]
    assert {(r.release, r.counts_for_minimum) for r in responses} == {(1, True)}
    assert round_.step_results.count() == 4
    assert task_queue.queued() == [("rescore_round", {"assessment_id": round_.pk})]


def test_a_queued_upload_is_never_dropped_as_expired(task_queue, round_, uploader):
    upload = create(round_, uploader)
    services.answers_upload_confirm(
        upload_id=upload.pk, assessment=round_, user=uploader
    )
    AnswersUpload.objects.update(
        created_at=timezone.now() - services.UPLOADS_KEPT - timedelta(days=1)
    )

    create(round_, uploader)
    create(round_, UserFactory(is_staff=True))

    assert AnswersUpload.objects.filter(pk=upload.pk).exists()


def test_a_round_closed_before_the_worker_imports_refuses_the_file_and_drops_it(
    task_queue, round_, uploader
):
    services.answers_upload_confirm(
        upload_id=create(round_, uploader).pk, assessment=round_, user=uploader
    )
    services.assessment_close(assessment=round_)

    with pytest.raises(ValidationError) as refused:
        task_queue.run()

    assert refused.value.messages == [services.IMPORT_ROUND_CLOSED]
    assert not Response.objects.exists()
    assert not AnswersUpload.objects.exists()


def test_a_file_queued_from_the_command_line_has_no_uploader(task_queue, round_):
    queued = services.answers_import_queue(
        assessment=round_, file_name="exports/answers.csv", data=ANSWERS.encode()
    )

    upload = AnswersUpload.objects.get()
    assert (upload.uploaded_by, upload.file_name, upload.rows) == (
        None,
        "answers.csv",
        3,
    )
    assert queued.answers == 3
    assert task_queue.run() == ["import_answers", "rescore_round"]
    history = Response.objects.first().history.get()
    assert (history.history_user, history.history_change_reason) == (
        None,
        "Imported from answers.csv",
    )
