"""The report's PDF: A4 or Letter, team, round and date on every page, the
summary on page one, quoted answers and names only when ticked and shown."""

import os
import re
import shutil
import subprocess  # nosec B404 - poppler's tools read the PDF the test made
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from assessments import pdf
from assessments.views.report import PDF_FAILED
from tests.browser import ARTIFACTS
from tests.factories import AssessmentFactory, VisionFactory
from tests.queries import writes
from tests.samples import ENGAGED, LOST
from tests.samples import TEAM_VISION as VISION
from tests.samples import submit as answer

pytestmark = pytest.mark.django_db

# Points, as pdfinfo gives a page's size.
PAGE_SIZES = {"a4": "595.276 x 841.89", "letter": "612 x 792"}


def poppler(tool: str) -> str:
    """The path of a poppler tool; under CI a missing one fails the run."""
    found = shutil.which(tool)
    if found:
        return found
    message = f"{tool} not found: apt-get install poppler-utils"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


def read(document: bytes, tmp_path, *, first: int | None = None, last=None) -> str:
    """The PDF's text, as pdftotext lays it out, optionally of some pages only."""
    path = tmp_path / "report.pdf"
    path.write_bytes(document)
    pages = []
    if first:
        pages += ["-f", str(first), "-l", str(last or first)]
    return subprocess.run(  # nosec B603 - fixed arguments, no shell
        [poppler("pdftotext"), "-layout", *pages, str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def info(document: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(document)
    lines = subprocess.run(  # nosec B603 - fixed arguments, no shell
        [poppler("pdfinfo"), str(path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()
    return dict(
        (key.strip(), value.strip())
        for key, value in (line.split(":", 1) for line in lines if ":" in line)
    )


def pdf_url(assessment) -> str:
    return reverse("assessments:report_pdf", args=(assessment.pk,))


def download(client, assessment, *, follow=False, **choices):
    return client.get(pdf_url(assessment), {"paper": "a4", **choices}, follow=follow)


@pytest.fixture
def answered(assessment):
    """An anonymous round with a vision and five answers, quoted once shown."""
    VisionFactory(assessment=assessment, statement=VISION)
    for _ in range(4):
        answer(assessment, ENGAGED)
    answer(assessment, LOST)
    return assessment


@pytest.fixture
def named(team):
    assessment = AssessmentFactory(
        team=team, anonymous=False, min_group_for_scores=1, min_group_for_verbatims=1
    )
    VisionFactory(assessment=assessment, statement=VISION)
    answer(assessment, ENGAGED, name="Sam Lee")
    answer(assessment, LOST, name="Noor Haddad")
    return assessment


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_the_pdf_is_a_download_on_the_chosen_paper(
    manager_client, answered, tmp_path, paper
):
    response = download(manager_client, answered, paper=paper)

    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="servicecult-round-{answered.pk}-report.pdf"'
    )
    details = info(response.content, tmp_path)
    assert details["Page size"].startswith(PAGE_SIZES[paper])
    # The summary alone on page one, then the four steps: a handful of pages.
    assert 3 <= int(details["Pages"]) <= 8


def test_every_page_names_the_team_round_and_date_and_is_numbered(
    manager_client, answered, tmp_path
):
    document = download(manager_client, answered).content
    pages = int(info(document, tmp_path)["Pages"])
    header = (
        f"{answered.team.name} · {answered} · "
        f"{date_format(timezone.localdate(), 'j M Y')}"
    )

    for number in range(1, pages + 1):
        text = read(document, tmp_path, first=number)
        assert header in text
        assert f"Page {number} of {pages}" in text


def test_page_one_is_the_summary_and_the_details_follow(
    manager_client, answered, tmp_path
):
    document = download(manager_client, answered).content

    first = read(document, tmp_path, first=1)
    assert "Summary" in first
    assert "5 of 5 invited people have answered." in first
    assert re.search(r"Step 1: Vision\s+Ready\s+100 / 100", first)
    assert "What to do first" in first
    assert "Moment of truth" not in first  # the steps' details start on page two
    rest = read(document, tmp_path, first=2, last=99)
    assert rest.index("Step 1: Vision") < rest.index("Final step: Commitment")
    assert "Download PDF" not in first + rest
    assert "Override this judgement" not in rest


def test_quoted_answers_are_left_out_unless_ticked(manager_client, answered, tmp_path):
    without = read(download(manager_client, answered).content, tmp_path)
    ticked = read(download(manager_client, answered, quotes="on").content, tmp_path)

    quote = "explain it in plain words"  # words of ENGAGED's vision answer
    assert "The team's answers" not in without
    assert "The team's answers" in ticked
    assert quote in " ".join(ticked.split())
    assert ENGAGED["contribution"][:30] not in " ".join(without.split())


def test_names_appear_only_when_ticked_beside_quoted_answers(
    manager_client, named, tmp_path
):
    def text(**choices):
        document = download(manager_client, named, **choices).content
        return " ".join(read(document, tmp_path).split())

    assert "Sam Lee" not in text()
    assert "Sam Lee" not in text(quotes="on")
    assert "Sam Lee" not in text(names="on")  # names go beside quotes, not alone
    both = text(quotes="on", names="on")
    assert "Sam Lee" in both
    assert "Noor Haddad" in both


def test_an_anonymous_round_never_names_anyone(manager_client, answered, tmp_path):
    document = download(manager_client, answered, quotes="on", names="on").content
    text = read(document, tmp_path)
    names = {i.name for i in answered.invitations.all() if i.name}
    assert names
    assert not any(name in text for name in names)


def test_a_tick_cannot_quote_what_the_round_does_not_show(
    manager_client, assessment, tmp_path
):
    VisionFactory(assessment=assessment, statement=VISION)
    for _ in range(3):  # scores shown, answers not quoted below five
        answer(assessment, ENGAGED)

    document = download(manager_client, assessment, quotes="on").content

    text = " ".join(read(document, tmp_path).split())
    assert "The team's answers" not in text
    assert ENGAGED["contribution"][:30] not in text


def test_page_one_is_saved_as_a_picture(manager_client, answered, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    path = tmp_path / "report.pdf"
    path.write_bytes(download(manager_client, answered).content)
    target = ARTIFACTS / "report-pdf-page1"

    options = ["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile"]
    subprocess.run(  # nosec B603 - fixed arguments, no shell
        [poppler("pdftoppm"), *options, str(path), str(target)],
        check=True,
    )

    picture = target.with_suffix(".png")
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_pdf_runs_a_fixed_number_of_queries_and_writes_nothing(
    manager_client, answered, django_assert_num_queries
):
    for _ in range(10):
        answer(answered, ENGAGED)

    with django_assert_num_queries(9) as captured:
        response = download(manager_client, answered, quotes="on")

    assert response.status_code == HTTPStatus.OK
    assert writes(captured) == []


def test_a_paper_the_form_does_not_offer_goes_back_to_the_report(
    manager_client, answered
):
    response = download(manager_client, answered, paper="A0", follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "assessments:report", args=(answered.pk,)
    )
    assert "Choose A4 or Letter for the PDF." in response.content.decode()


def test_a_renderer_failure_is_a_clear_page_not_a_traceback(
    manager_client, answered, monkeypatch
):
    def broken(html, *, paper):
        raise pdf.PdfFailed("no Pango")

    monkeypatch.setattr(pdf, "render_pdf", broken)

    response = download(manager_client, answered)

    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert PDF_FAILED in response.content.decode()


def test_any_error_of_the_renderer_becomes_pdf_failed(monkeypatch):
    import weasyprint

    def explode(*args, **kwargs):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", explode)

    with pytest.raises(pdf.PdfFailed, match="libpango"):
        pdf.render_pdf("<p>report</p>", paper="a4")


def test_the_pdf_fetches_nothing_its_content_points_at(tmp_path):
    secret = tmp_path / "secret.css"
    secret.write_text("body { color: red }")
    html = f'<link rel="stylesheet" href="file://{secret}"><img src="file:///etc/hostname">'

    assert pdf.render_pdf(html, paper="letter").startswith(b"%PDF")


def test_another_manager_cannot_download_a_rounds_pdf(client, answered, other_manager):
    client.force_login(other_manager)
    assert download(client, answered).status_code == HTTPStatus.NOT_FOUND


def test_the_report_page_offers_the_pdf_with_its_choices(manager_client, named):
    page = manager_client.get(reverse("assessments:report", args=(named.pk,)))
    text = page.content.decode()
    form = text[text.index('id="report-pdf-form"') :]
    form = form[: form.index("</form>")]

    assert f'action="{pdf_url(named)}"' in text
    assert 'value="letter"' in form
    assert "Include quoted answers" in form
    assert "Include names" in form
