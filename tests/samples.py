"""Visions and answers shared by the tests, and a submission as the survey makes it."""

import uuid

from assessments import links, services
from assessments.models import Response
from tests.factories import InvitationFactory

VISION = "We fix each problem on the first contact and explain it in plain words."
ANSWERS_CSV = (
    "respondent,vision,meaning,contribution\n"
    "ann,Fix problems on first contact and explain plainly,"
    '"A wrong bill is corrected on the call, with no jargon",'
    "I read the corrected balance back to the customer\n"
    "bob,I don't know,not sure,I do my job\n"
    "cy,First contact fixes in plain words,"
    "I solve the billing error while they are on the line,"
    "I explain the fix without jargon\n"
)

# A round's vision, and answers the engine judges engaged and not engaged.
TEAM_VISION = (
    "We fix each customer's problem on the first contact, explain it in plain words, "
    "and leave them confident."
)
ENGAGED = {
    "vision": "Fix problems on first contact, explain plainly, leave them confident.",
    "meaning": "A wrong bill gets corrected during the call and I say why plainly.",
    "contribution": "I read the corrected balance back to the customer on the call.",
}
LOST = {"vision": "I don't know", "meaning": "not sure", "contribution": "I do my job"}


def submit(
    assessment, answers: dict, *, ratings=None, released=True, **invitation
) -> Response:
    """Submit as the survey page does: a new person's link, emailed to them and
    looked up fresh; then, unless ``released`` is false, release the round's
    waiting answers as the worker does, however few."""
    item = InvitationFactory(
        assessment=assessment,
        **{"email": f"person-{uuid.uuid4().hex[:12]}@example.com", **invitation},
    )
    saved = services.response_submit(
        link=links.link_lookup(item.token),
        token=item.token,
        answers=answers,
        ratings=ratings,
    )
    if released:
        services.answers_release(assessment, closing=True)
    return Response.objects.get(pk=saved.response_id)
