import re
from collections.abc import Sequence

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Div, Layout, Submit
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.validators import validate_email
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape

from assessments import tokens
from assessments.addresses import normalized_address
from assessments.catalogue import (
    COMMITMENT_ITEMS,
    ENGAGEMENT_QUESTIONS,
    TEAM_WORDING,
)
from assessments.models import (
    KEY_IDEA_TOO_LONG,
    MAX_ANSWER_LENGTH,
    MAX_RATING,
    MAX_REMINDERS,
    MAX_REOPEN_REASON_LENGTH,
    MAX_TEAM_WORD_LENGTH,
    MIN_RATING,
    PREDICTION_NEEDS_ONE,
    TEAM_WORD_TOO_LONG,
    TOO_MANY_KEY_IDEAS,
    TOO_MANY_TEAM_WORDS,
    ActionItem,
    AlignmentRating,
    Assessment,
    Commitment,
    Invitation,
    Question,
    RoundPrediction,
    Team,
    Vision,
    team_rating_field,
)
from assessments.scoring import KeyIdea, is_placeholder_name
from assessments.scoring.ideas import MAX_IDEA_LENGTH, MAX_IDEAS, MAX_WORDS_PER_IDEA
from assessments.services import (
    MAX_CODES,
    PRIVACY_FIELDS,
    REOPEN_NEEDS_A_REASON,
    TIMETABLE_FIELDS,
    Invitee,
    Rating,
)
from assessments.validators import validate_no_control_characters

EMPTY_SURVEY = "Please answer at least one question before saving."
QUESTION_COUNT_WORDS = {3: "Three", 8: "Eight"}


RATING_CHOICES = [(str(n), str(n)) for n in range(MIN_RATING, MAX_RATING + 1)]


def _hint(*parts: str) -> str:
    """Help text from a question's hint. Help text is rendered as HTML, and hints
    are plain text that staff can edit in the admin, so it is escaped."""
    return escape(" ".join(parts))


def _answer_field(key: str) -> forms.CharField:
    question = next(q for q in ENGAGEMENT_QUESTIONS if q.key == key)
    return forms.CharField(
        label=question.text,
        help_text=_hint(question.hint),
        max_length=MAX_ANSWER_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_ANSWER_LENGTH}),
        validators=[validate_no_control_characters],
    )


class SurveyForm(forms.Form):
    """The three engagement questions, and the alignment questions when the
    round asks the team to rate them too."""

    vision = _answer_field("vision")
    meaning = _answer_field("meaning")
    contribution = _answer_field("contribution")

    def __init__(self, *args, alignment_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.alignment_questions = tuple(alignment_questions)
        for question in self.alignment_questions:
            self.fields[team_rating_field(question.key)] = forms.TypedChoiceField(
                label=TEAM_WORDING.get(question.key) or question.text,
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                help_text="1 = not at all, 5 = fully. Leave blank if you are not sure.",
            )

    @property
    def question_count(self) -> int:
        return len(ENGAGEMENT_QUESTIONS) + len(self.alignment_questions)

    @property
    def heading(self) -> str:
        """The survey's title, counting the questions it asks."""
        count = QUESTION_COUNT_WORDS.get(self.question_count, str(self.question_count))
        return f"{count} questions about customer service"

    def answered_fields(self) -> list[forms.BoundField]:
        """The questions answered, as saved: what the "done" page repeats."""
        return [field for field in self if field.value() not in (None, "")]

    @cached_property
    def helper(self) -> FormHelper:
        """How crispy renders the form; not needed to save a valid one."""
        helper = FormHelper()
        helper.attrs = {"data-submit-once": "true"}
        helper.add_input(Submit("submit", "Save my answers"))
        return helper

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(question.key) for question in ENGAGEMENT_QUESTIONS):
            raise forms.ValidationError(EMPTY_SURVEY, code="empty")
        return cleaned

    def answers(self) -> dict[str, str]:
        return {q.key: self.cleaned_data[q.key] for q in ENGAGEMENT_QUESTIONS}

    def ratings(self) -> dict[str, int | None]:
        """The alignment ratings, by question key; None where not sure."""
        return {
            q.key: self.cleaned_data[team_rating_field(q.key)]
            for q in self.alignment_questions
        }


EDIT_CODE_UNREADABLE = (
    "An edit code has 20 letters and digits, in groups of 4 like "
    "7K2M-9QXD-4HTW-R8ZB-C3NP."
)
EDIT_CODE_UNKNOWN = (
    "This code matches no answers in this round. Check it against the one you "
    "were shown when you first saved your answers."
)


class EditCodeForm(forms.Form):
    """An anonymous respondent's edit code, typed to reach their answers."""

    edit_code = forms.CharField(
        label="Your edit code",
        max_length=40,
        validators=[validate_no_control_characters],
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "maxlength": 40}
        ),
    )

    def clean_edit_code(self) -> str:
        code = tokens.edit_code_normalize(self.cleaned_data["edit_code"])
        if code is None:
            raise forms.ValidationError(EDIT_CODE_UNREADABLE, code="unreadable")
        return code


# --- The manager's pages ----------------------------------------------------------

NAME_OR_EMAIL = "Give a name, an email address or both."
NO_MEMBERS = "Paste at least one name or email address."
TOO_MANY_MEMBERS = "Paste at most {limit} people at a time."
BAD_EMAIL_LINE = "Line {number}: “{email}” is not a valid email address."
LONG_NAME_LINE = "Line {number}: the name is longer than {limit} characters."
REPEATED_EMAIL_LINE = "Line {number}: {email} is already on line {first}."
EVIDENCE_NEEDS_RATING = "Choose a rating to save this evidence."
DONE_IN_THE_FUTURE = "The done date cannot be in the future."
DUE_IN_THE_PAST = "This due date has passed: give one from today on."
PLACEHOLDER_NAME = (
    "“{name}” names nobody: give the person's name, or leave this blank until "
    "someone is named."
)
HOURS_HELP = "At least 1 hour a week counts as time set aside."

# A department's list in one paste: the request only records who is to be
# emailed (the worker sends), so a thousand take a fraction of a second.
MAX_MEMBERS_PER_PASTE = 1000
# Within DATA_UPLOAD_MAX_MEMORY_SIZE, so a long paste gets the form's error.
MAX_PASTE_LENGTH = 200_000
MAX_NAME_LENGTH = Invitation._meta.get_field("name").max_length
MAX_EMAIL_LENGTH = Invitation._meta.get_field("email").max_length
# Room for a code typed with spaces or dashes between its groups.
MAX_TYPED_CODE_LENGTH = 3 * tokens.CODE_LENGTH
RATING_HELP = "1 = not at all, 5 = fully."
COMMITMENT_FIELDS = {
    "time": "hours_per_week",
    "money": "budget",
    "attention": "attention",
    "owner": "owner",
    "sponsor": "sponsor",
    "reassessment": "reassess_on",
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class RefuseControlCharacters:
    """Every text field refuses control characters, as the survey's fields do."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField):
                field.validators.append(validate_no_control_characters)


# The field a model constraint's error (or a service's) is shown beside, by its
# code: Django gives every constraint's error to the whole form.
CONSTRAINT_FIELDS = {
    "assessment_group_sizes_ordered": "min_group_for_verbatims",
    "vision_yes_needs_a_statement": "statement",
    "judgement_override_needs_a_reason": "override_reason",
    "links_handed_out": "anonymous",
    "managers_invited": "anonymous",
}


class ConstraintErrorsBesideTheirField:
    """Shows the error of a constraint about one field (``CONSTRAINT_FIELDS``)
    beside that field, where the form has it."""

    def add_error(self, field, error):
        if field is None and isinstance(error, forms.ValidationError):
            by_field = error.update_error_dict({})
            for item in by_field.pop(NON_FIELD_ERRORS, []):
                name = CONSTRAINT_FIELDS.get(item.code)
                key = name if name in self.fields else NON_FIELD_ERRORS
                by_field.setdefault(key, []).append(item)
            error = forms.ValidationError(by_field)
        super().add_error(field, error)


class RevisionField(forms.IntegerField):
    """The revision the form was opened with, for saving only over that one."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, **kwargs)


class SavesOverRevision:
    """A form whose save is refused when someone else saved since it was opened."""

    @property
    def changed_meanwhile(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, code="stale")


OPENED_REVISION = "opened_revision"


class RevisedForm(forms.ModelForm):
    """A form of a ``Revised`` row, as the admin edits it: it carries the revision
    it was opened at, is refused with the stale message when someone has saved
    since; ``services.step_row_revise`` saves it over the revision it was opened at.

    Validate it inside a transaction (the admin's views are one): the check locks
    the row until the save.
    """

    opened_revision = RevisionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[OPENED_REVISION].initial = self.instance.revision

    def revised_values(self) -> dict:
        """The row's own fields as the form sets them, by attribute name."""
        return {
            field.attname: getattr(self.instance, field.attname)
            for field in self.instance._meta.concrete_fields
            if field.name in self.cleaned_data and not field.primary_key
        }

    def _post_clean(self):
        super()._post_clean()
        if self.instance.pk is None or self.errors:
            return
        try:
            self.instance.check_revision(
                revision=self.cleaned_data[OPENED_REVISION],
                values=self.revised_values(),
            )
        except forms.ValidationError as error:
            self.add_error(None, error)


class TeamForm(RefuseControlCharacters, forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "parent", "level")
        labels = {"name": "Team name", "parent": "Part of"}
        help_texts = {
            "parent": "Optional: a team, department or division you manage.",
        }

    def __init__(self, *args, manager, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.fields["parent"]
        parent.queryset = Team.objects.filter(managers=manager)
        parent.empty_label = "Nothing: it stands on its own"


class CoManagerForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="We email them a link to accept; they log in with this address "
        "(or sign up with it) to do so.",
    )


ROUND_ADVANCED_FIELDS = (
    "min_group_for_scores",
    "min_group_for_verbatims",
    "ready_engaged_share",
    "ready_min_respondents",
    "ready_min_participation",
)


def _round_default(name: str):
    return Assessment._meta.get_field(name).default


class AssessmentForm(
    ConstraintErrorsBesideTheirField, RefuseControlCharacters, forms.ModelForm
):
    """A round's settings; privacy is frozen once the round opens."""

    anonymous = forms.TypedChoiceField(
        label="Privacy",
        choices=(
            (True, "Anonymous: nobody can see who answered what"),
            (False, "Named: you see each person's answers with their name"),
        ),
        coerce=lambda value: value == "True",
        initial=_round_default("anonymous"),
        widget=forms.RadioSelect,
    )
    min_group_for_scores = forms.IntegerField(
        label="Fewest answers before scores show",
        initial=_round_default("min_group_for_scores"),
    )
    ready_engaged_share = forms.FloatField(
        label="Share of respondents who must be engaged",
        help_text="From 0 to 1: 0.8 means four in five.",
        initial=_round_default("ready_engaged_share"),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )
    ready_min_participation = forms.FloatField(
        label="Share of invited people who must answer",
        help_text="From 0 to 1: 0.6 means three in five.",
        initial=_round_default("ready_min_participation"),
        widget=forms.NumberInput(attrs={"step": "0.05"}),
    )

    team_rates_alignment = forms.BooleanField(
        required=False,
        label="Also ask the team to rate the five alignment questions",
        help_text="Team members then answer eight questions instead of three. Their "
        "view next to yours shows where leadership believes it is aligned and the "
        "team does not. You can change this until the round opens.",
    )

    class Meta:
        model = Assessment
        fields = ("title", "anonymous", "team_rates_alignment", *ROUND_ADVANCED_FIELDS)
        labels = {
            "title": "Title (optional)",
            "min_group_for_verbatims": "Fewest answers before answers are quoted",
            "ready_min_respondents": "Fewest respondents for a verdict",
        }
        help_texts = {
            "title": "For example “Spring check-in”. Left blank, the team's name "
            "and the round's number are used.",
            "ready_min_respondents": "Below this, engagement is “not yet” "
            "whatever the answers.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status != Assessment.Status.DRAFT:
            for name in PRIVACY_FIELDS:
                field = self.fields[name]
                field.disabled = True
                field.help_text = "Frozen since the round opened, to keep its promise."
            field = self.fields["team_rates_alignment"]
            field.disabled = True
            field.help_text = (
                "Fixed since the round opened: team members may already have "
                "answered the questions it asked."
            )

    def advanced_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ROUND_ADVANCED_FIELDS]

    def advanced_has_errors(self) -> bool:
        return any(name in self.errors for name in ROUND_ADVANCED_FIELDS)


class AssessmentCreateForm(AssessmentForm):
    """A new round's settings; with an earlier round to start from, its settings
    are the starting values and a box (ticked) copies the rest of it."""

    def __init__(self, *args, previous: Assessment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if previous is None:
            return
        for name in self._meta.fields:
            if name != "title":
                self.initial[name] = getattr(previous, name)
        self.fields["start_from_previous"] = forms.BooleanField(
            required=False,
            initial=True,
            label=f"Start from {previous}",
            help_text="Copies its vision and confirmed key ideas, its people (as "
            "new invitations, not yet sent: nothing of their answers comes with "
            "them), its reminder days and its open actions with their owners and "
            "due dates. You can change each before the round opens. Untick it to "
            "start empty.",
        )


REMINDER_DAYS_NOT_NUMBERS = (
    "Write whole numbers of days separated by commas, for example “3, 7”."
)
CLOSES_ON_NOT_AHEAD = "Choose a day after today."


class ReopenForm(forms.Form):
    """Why a closed round opens again: kept with the round."""

    reason = forms.CharField(
        label="Why open it again?",
        max_length=MAX_REOPEN_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_REOPEN_REASON_LENGTH}),
        help_text="For example “Two people were on leave the week it ran”. Kept "
        "with the round and shown on its pages.",
        error_messages={"required": REOPEN_NEEDS_A_REASON},
        validators=[validate_no_control_characters],
    )


class DayListField(forms.Field):
    """Whole numbers of days written as “3, 7”, read as a list; empty for none.
    What the list may hold is the model's rule (``validate_reminder_days``)."""

    widget = forms.TextInput

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(day) for day in value)
        return value

    def to_python(self, value) -> list[int]:
        if isinstance(value, list):
            return value
        items = [item for item in re.split(r"[,;\s]+", value or "") if item]
        if not all(item.isascii() and item.isdigit() for item in items):
            raise forms.ValidationError(REMINDER_DAYS_NOT_NUMBERS, code="not_numbers")
        return [int(item) for item in items]


class AssessmentSettingsForm(AssessmentForm):
    """A round's settings page: its settings, and its own timetable."""

    remind_after_days = DayListField(
        label="Remind after (days)",
        required=False,
        help_text="Days after opening when everyone emailed an invitation who has "
        "not answered is reminded, for example “3, 7”; at most "
        f"{MAX_REMINDERS}. Leave it empty for no automatic reminders.",
    )

    class Meta(AssessmentForm.Meta):
        fields = (*AssessmentForm.Meta.fields, "remind_after_days", "closes_on")
        labels = {**AssessmentForm.Meta.labels, "closes_on": "Close on (optional)"}
        help_texts = {
            **AssessmentForm.Meta.help_texts,
            "closes_on": "The round closes itself as this day begins: the day "
            "before is the last day for answers.",
        }
        widgets = {"closes_on": DateInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status == Assessment.Status.CLOSED:
            for name in TIMETABLE_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = "The round is closed."

    def clean_closes_on(self):
        closes_on = self.cleaned_data["closes_on"]
        changed = closes_on != self.instance.closes_on
        if closes_on is not None and changed and closes_on <= timezone.localdate():
            raise forms.ValidationError(CLOSES_ON_NOT_AHEAD, code="not_ahead")
        return closes_on

    def timetable_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in TIMETABLE_FIELDS]


class VisionForm(
    ConstraintErrorsBesideTheirField,
    SavesOverRevision,
    RefuseControlCharacters,
    forms.Form,
):
    statement = forms.CharField(
        label="Your customer service vision",
        required=False,
        max_length=MAX_ANSWER_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Write it, or paste the one your organisation already uses.",
    )
    has_vision = forms.NullBooleanField(
        required=False,
        widget=forms.RadioSelect(choices=((True, "Yes"), (False, "No"))),
    )
    revision = RevisionField()

    def __init__(self, *args, moment_of_truth: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["has_vision"].label = moment_of_truth

    def clean(self):
        """Checked against the vision's constraints: these fields are its own."""
        cleaned = super().clean()
        names = {"statement", "has_vision"}
        valid = names & cleaned.keys()
        try:
            Vision(**{name: cleaned[name] for name in valid}).validate_constraints(
                exclude=names - valid
            )
        except forms.ValidationError as error:
            self.add_error(None, error)
        return cleaned


KEY_IDEA_NEEDS_TEXT = "Write the idea, or tick “Drop” to leave it out."
KEY_IDEAS_HELP = (
    "Answers are weighed against these central ideas of the vision, not against "
    "every word of it: an answer that names an idea, in the vision's words or the "
    "team's, carries it. Keep, drop or add ideas, and give each the words your "
    "team uses for it."
)
TEAM_WORDS_HELP = (
    "Separated by commas, in any language: “first time, first contact, un appel”."
)
# Room for every word of an idea at its longest, with its comma and a space.
MAX_TEAM_WORDS_TYPED = MAX_WORDS_PER_IDEA * (MAX_TEAM_WORD_LENGTH + 2)
# Blank rows for new ideas: the page works without a script adding rows.
EXTRA_IDEA_ROWS = 3


def team_words(typed: str) -> tuple[str, ...]:
    """The words in a comma-separated list, spacing made plain, repeats dropped."""
    words: dict[str, str] = {}
    for item in typed.split(","):
        word = " ".join(item.split())
        if word:
            words.setdefault(word.casefold(), word)
    return tuple(words.values())


class KeyIdeaForm(RefuseControlCharacters, forms.Form):
    """One key idea of the vision and the team's own words for it."""

    idea = forms.CharField(
        label="Key idea",
        max_length=MAX_IDEA_LENGTH,
        error_messages={
            "required": KEY_IDEA_NEEDS_TEXT,
            "max_length": KEY_IDEA_TOO_LONG,
        },
        widget=forms.TextInput(attrs={"maxlength": MAX_IDEA_LENGTH}),
    )
    words = forms.CharField(
        label="The team's words for it",
        required=False,
        max_length=MAX_TEAM_WORDS_TYPED,
        help_text=TEAM_WORDS_HELP,
    )

    def clean_words(self) -> tuple[str, ...]:
        words = team_words(self.cleaned_data["words"])
        if len(words) > MAX_WORDS_PER_IDEA:
            raise forms.ValidationError(TOO_MANY_TEAM_WORDS, code="too_many_words")
        too_long = [word for word in words if len(word) > MAX_TEAM_WORD_LENGTH]
        if too_long:
            raise forms.ValidationError(
                TEAM_WORD_TOO_LONG.format(word=too_long[0][:20] + "…"),
                code="word_too_long",
            )
        return words


class BaseKeyIdeaFormSet(forms.BaseFormSet):
    """The rows of key ideas: those kept so far, then blank ones to add ideas."""

    default_error_messages = {"too_many_forms": TOO_MANY_KEY_IDEAS}

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if index is not None:
            form.fields["idea"].label = f"Key idea {index + 1}"
        if DELETION_FIELD_NAME in form.fields:
            form.fields[DELETION_FIELD_NAME].label = "Drop"


KeyIdeaFormSet = forms.formset_factory(
    KeyIdeaForm,
    formset=BaseKeyIdeaFormSet,
    extra=EXTRA_IDEA_ROWS,
    can_delete=True,
    can_delete_extra=False,
    max_num=MAX_IDEAS,
    validate_max=True,
    absolute_max=MAX_IDEAS + EXTRA_IDEA_ROWS,
)


class KeyIdeasForm(SavesOverRevision, forms.Form):
    """The key ideas the manager confirms, as rows (``rows``), with the revision
    of the vision the page was opened at: ideas confirmed for a statement that
    someone has changed since are refused."""

    revision = RevisionField()
    help_text = KEY_IDEAS_HELP

    def __init__(self, data=None, *, ideas: Sequence[KeyIdea], revision: int, **kwargs):
        # Its own prefix: the vision's form on the same page has a revision too.
        super().__init__(data, initial={"revision": revision}, prefix="ideas", **kwargs)
        # Sent back, every row is read as it was sent: the ideas shown then may
        # differ from ``ideas`` now, and a blank row compared with one of them
        # would read as changed.
        shown = () if data is not None else ideas[:MAX_IDEAS]
        self.rows = KeyIdeaFormSet(
            data,
            prefix="idea",
            initial=[
                # A long clause's proposal can offer more words than one keeps.
                {"idea": idea.idea, "words": ", ".join(idea.words[:MAX_WORDS_PER_IDEA])}
                for idea in shown
            ],
        )

    def is_valid(self) -> bool:
        rows_valid = self.rows.is_valid()
        return super().is_valid() and rows_valid

    def shown_rows(self) -> list[tuple]:
        """Each row's idea, its team's words and its drop box (None on a blank
        row), for the page to lay out."""
        kept = self.rows.initial_form_count()
        return [
            (row["idea"], row["words"], row[DELETION_FIELD_NAME] if n < kept else None)
            for n, row in enumerate(self.rows.forms)
        ]

    def ideas(self) -> tuple[KeyIdea, ...]:
        """The ideas kept and added, in order."""
        dropped = set(map(id, self.rows.deleted_forms))
        return tuple(
            KeyIdea(row.cleaned_data["idea"], row.cleaned_data["words"])
            for row in self.rows.forms
            if row.cleaned_data and id(row) not in dropped
        )


class Members:
    """A form adding people to a round. An anonymous round emails everyone their
    link, so it offers no choice about that; a service's error about the people
    given (no address, a manager's address) is shown beside ``people_field``."""

    people_field: str

    def __init__(self, *args, anonymous: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if anonymous:
            del self.fields["email_link"]

    def email_links(self) -> bool:
        return self.cleaned_data.get("email_link", True)


class MemberForm(Members, RefuseControlCharacters, forms.Form):
    people_field = "email"

    name = forms.CharField(max_length=MAX_NAME_LENGTH, required=False)
    email = forms.EmailField(
        label="Email address", max_length=MAX_EMAIL_LENGTH, required=False
    )
    email_link = forms.BooleanField(
        label="Email them their link now", required=False, initial=True
    )

    def __init__(self, *args, anonymous: bool, **kwargs):
        super().__init__(*args, anonymous=anonymous, **kwargs)
        if not anonymous:
            self.fields["email"].label = "Email address (optional)"

    def clean_email(self) -> str:
        return self.cleaned_data["email"].lower()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("name") and not cleaned.get("email") and not self.errors:
            raise forms.ValidationError(NAME_OR_EMAIL, code="empty")
        return cleaned

    def invitees(self) -> list[Invitee]:
        return [
            Invitee(name=self.cleaned_data["name"], email=self.cleaned_data["email"])
        ]


_NAME_AND_ANGLED_EMAIL = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]*)>$")


def parse_member_line(line: str) -> Invitee:
    """One pasted line: "Name <email>", "Name, email", "Name email", a name or
    an email address. Raises ``ValueError`` with the email it could not read."""
    if match := _NAME_AND_ANGLED_EMAIL.match(line):
        name, email = match["name"], match["email"]
    elif "@" not in line:
        name, email = line, ""  # "Kim, Alex" is a name
    elif "," in line:
        name, _, email = line.rpartition(",")
    else:
        # Also "Name email": spreadsheet columns arrive with tabs, made spaces.
        name, _, email = line.rpartition(" ")
    name, email = name.strip().strip('"').strip(), email.strip()
    if email:
        try:
            validate_email(email)
        except forms.ValidationError:
            raise ValueError(email) from None
    return Invitee(name=name, email=email.lower())


class MemberListForm(Members, RefuseControlCharacters, forms.Form):
    people_field = "members"

    members = forms.CharField(
        label="People, one per line",
        max_length=MAX_PASTE_LENGTH,
        widget=forms.Textarea(
            attrs={
                "rows": 6,
                "placeholder": "Sam Lee <sam@example.com>\nAlex Kim, alex@example.com"
                "\nJo Park",
            }
        ),
        help_text="“Name &lt;email&gt;”, “Name, email”, just a name or just an "
        "email address. Two columns copied from a spreadsheet work too.",
    )
    email_link = forms.BooleanField(
        label="Email each of them their link now", required=False, initial=True
    )

    def __init__(self, *args, anonymous: bool, **kwargs):
        super().__init__(*args, anonymous=anonymous, **kwargs)
        if anonymous:
            self.fields["members"].help_text = (
                "“Name &lt;email&gt;”, “Name, email” or just an email address: "
                "everyone needs one. Two columns copied from a spreadsheet work too."
            )

    def clean_members(self) -> list[Invitee]:
        lines = [
            (number, line.replace("\t", " ").strip())
            for number, line in enumerate(self.cleaned_data["members"].splitlines(), 1)
        ]
        lines = [(number, line) for number, line in lines if line]
        if not lines:
            raise forms.ValidationError(NO_MEMBERS, code="empty")
        if len(lines) > MAX_MEMBERS_PER_PASTE:
            raise forms.ValidationError(
                TOO_MANY_MEMBERS.format(limit=MAX_MEMBERS_PER_PASTE), code="too_many"
            )
        invitees, errors, first_line = [], [], {}
        for number, line in lines:
            try:
                invitee = parse_member_line(line)
            except ValueError as bad:
                errors.append(BAD_EMAIL_LINE.format(number=number, email=bad))
                continue
            if len(invitee.name) > MAX_NAME_LENGTH:
                errors.append(
                    LONG_NAME_LINE.format(number=number, limit=MAX_NAME_LENGTH)
                )
            address = normalized_address(invitee.email)
            if address and address in first_line:
                errors.append(
                    REPEATED_EMAIL_LINE.format(
                        number=number, email=invitee.email, first=first_line[address]
                    )
                )
            first_line.setdefault(address, number)
            invitees.append(invitee)
        if errors:
            raise forms.ValidationError(errors)
        return invitees

    def invitees(self) -> list[Invitee]:
        return self.cleaned_data["members"]


class CodesForm(forms.Form):
    count = forms.IntegerField(
        label="How many codes", min_value=1, max_value=MAX_CODES, initial=10
    )


class CodeEntryForm(RefuseControlCharacters, forms.Form):
    code = forms.CharField(
        label="Your code",
        max_length=MAX_TYPED_CODE_LENGTH,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters"}
        ),
        help_text="The code on your slip of paper, for example ABCD-EFGH-JKMN.",
    )

    def clean_code(self) -> str:
        return tokens.code_typed(self.cleaned_data["code"])


class AlignmentForm(SavesOverRevision, forms.Form):
    """The manager's 1-5 rating of each alignment question, with evidence."""

    def __init__(
        self,
        *args,
        questions: Sequence[Question],
        ratings: dict[int, AlignmentRating],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = tuple(questions)
        rows = []
        for question in self.questions:
            stored = ratings.get(question.pk)
            self.fields[f"{question.key}_rating"] = forms.TypedChoiceField(
                label=f"{question.position}. {question.text}",
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                help_text=_hint(question.hint, RATING_HELP),
                initial=stored.rating if stored else None,
            )
            self.fields[f"{question.key}_evidence"] = forms.CharField(
                label="Evidence",
                required=False,
                max_length=MAX_ANSWER_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text="What could you show someone who doubts it?",
                initial=stored.evidence if stored else "",
                validators=[validate_no_control_characters],
            )
            self.fields[f"{question.key}_revision"] = RevisionField(
                initial=stored.revision if stored else 0
            )
            rows.append(
                Div(
                    InlineRadios(f"{question.key}_rating"),
                    f"{question.key}_evidence",
                    f"{question.key}_revision",
                    css_class="border-bottom mb-3",
                )
            )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*rows)

    def clean(self):
        cleaned = super().clean()
        for question in self.questions:
            rating = f"{question.key}_rating"
            if (
                cleaned.get(rating) is None
                and rating not in self.errors
                and cleaned.get(f"{question.key}_evidence")
            ):
                self.add_error(rating, EVIDENCE_NEEDS_RATING)
        return cleaned

    def ratings(self) -> list[Rating]:
        """The questions rated, each with the revision the form was opened with."""
        return [
            Rating(
                question=question,
                rating=self.cleaned_data[f"{question.key}_rating"],
                evidence=self.cleaned_data[f"{question.key}_evidence"],
                revision=self.cleaned_data[f"{question.key}_revision"],
            )
            for question in self.questions
            if self.cleaned_data[f"{question.key}_rating"] is not None
        ]


SHARE_HELP = (
    "Engaged: all three answers clear and consistent. A whole number from 0 to 100."
)
TEAM_RATING_HELP = "The team's mean rating you expect, 1 = not at all, 5 = fully."


class PredictionForm(SavesOverRevision, forms.Form):
    """The manager's prediction: the share engaged and, where the round asks
    the team to rate alignment, the team's rating of each question; each
    optional, at least one given."""

    engaged_share = forms.IntegerField(
        label="What share of the people who answer will be engaged? (%)",
        required=False,
        min_value=0,
        max_value=100,
        help_text=SHARE_HELP,
    )

    def __init__(
        self,
        *args,
        prediction: RoundPrediction | None,
        questions: Sequence[Question],
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.questions = tuple(questions)
        self.fields["engaged_share"].initial = (
            prediction.engaged_share if prediction else None
        )
        self.fields["engaged_share"].widget.attrs["inputmode"] = "numeric"
        rows: list = ["engaged_share"]
        for question in self.questions:
            name = team_rating_field(question.key)
            self.fields[name] = forms.TypedChoiceField(
                label=f"{question.position}. {TEAM_WORDING[question.key]}",
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                help_text=TEAM_RATING_HELP,
                initial=prediction.rating_for(question.key) if prediction else None,
            )
            rows.append(InlineRadios(name))
        self.fields["revision"] = RevisionField(
            initial=prediction.revision if prediction else 0
        )
        rows.append("revision")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(*rows)

    def clean(self):
        cleaned = super().clean()
        names = ["engaged_share", *(team_rating_field(q.key) for q in self.questions)]
        if not self.errors and all(cleaned.get(name) is None for name in names):
            self.add_error("engaged_share", PREDICTION_NEEDS_ONE)
        return cleaned

    def values(self) -> dict:
        """The items on the form, by the prediction's field names."""
        names = ["engaged_share", *(team_rating_field(q.key) for q in self.questions)]
        return {name: self.cleaned_data[name] for name in names}


def refuse_placeholder_name(name: str) -> str:
    """A person's name as typed, or the error for a stand-in such as "tbd"."""
    if is_placeholder_name(name):
        raise forms.ValidationError(
            PLACEHOLDER_NAME.format(name=name.strip()), code="placeholder"
        )
    return name


class NamedPeople:
    """The form's ``owner`` and ``sponsor`` fields, where it has them, name people:
    a placeholder is refused beside its field."""

    def clean_owner(self) -> str:
        return refuse_placeholder_name(self.cleaned_data["owner"])

    def clean_sponsor(self) -> str:
        return refuse_placeholder_name(self.cleaned_data["sponsor"])


COMMITMENT_VALUES = (
    "hours_per_week",
    "budget",
    "budget_currency",
    "attention",
    "owner",
    "sponsor",
    "reassess_on",
)


class CommitmentForm(
    SavesOverRevision, NamedPeople, RefuseControlCharacters, forms.ModelForm
):
    revision = RevisionField()

    class Meta:
        model = Commitment
        fields = (*COMMITMENT_VALUES, "revision")
        widgets = {
            "attention": forms.Textarea(attrs={"rows": 3}),
            "reassess_on": DateInput,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in COMMITMENT_ITEMS:
            if item.key in COMMITMENT_FIELDS:
                field = self.fields[COMMITMENT_FIELDS[item.key]]
                field.label = item.text
                field.help_text = _hint(item.hint)
        self.fields["hours_per_week"].label += " (hours a week)"
        self.fields["hours_per_week"].help_text += " " + HOURS_HELP
        self.fields["budget_currency"].help_text = "Needed with a budget."

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in COMMITMENT_VALUES}


class ActionForm(NamedPeople, RefuseControlCharacters, forms.ModelForm):
    class Meta:
        model = ActionItem
        fields = ("title", "owner", "due_on")
        labels = {"title": "Action", "due_on": "Due"}
        widgets = {"due_on": DateInput}

    def clean_due_on(self):
        """A new action, or a new date for one, is due from today on; an action
        keeps the past due date it was given."""
        due_on = self.cleaned_data["due_on"]
        changed = self.instance.pk is None or due_on != self.instance.due_on
        if due_on and changed and due_on < timezone.localdate():
            raise forms.ValidationError(DUE_IN_THE_PAST, code="past")
        return due_on


ACTION_FIELDS = (*ActionForm.Meta.fields, "done_on")


class ActionUpdateForm(SavesOverRevision, ActionForm):
    revision = RevisionField()

    class Meta(ActionForm.Meta):
        fields = (*ACTION_FIELDS, "revision")
        labels = {**ActionForm.Meta.labels, "done_on": "Done on"}
        widgets = {**ActionForm.Meta.widgets, "done_on": DateInput}

    def clean_done_on(self):
        done_on = self.cleaned_data["done_on"]
        if done_on and done_on > timezone.localdate():
            raise forms.ValidationError(DONE_IN_THE_FUTURE, code="future")
        return done_on

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ACTION_FIELDS}


class ActionDeleteForm(forms.Form):
    """The revision an action's form was opened at, posted by its delete button."""

    revision = RevisionField()


DECISION_CHOICES = (("", "As the engine judged"), ("yes", "Yes"), ("no", "No"))
DECISIONS = {"": None, "yes": True, "no": False}


class JudgementOverrideForm(forms.Form):
    """A manager's own decision on one answer, with the reason for it."""

    clear = forms.ChoiceField(choices=DECISION_CHOICES, required=False, label="Clear?")
    consistent = forms.ChoiceField(
        choices=DECISION_CHOICES, required=False, label="Consistent?"
    )
    reason = forms.CharField(
        max_length=1000,
        required=False,
        validators=[validate_no_control_characters],
        label="Why",
        help_text="Required when you override; shown beside the engine's reasons.",
    )

    def decision(self) -> dict:
        return {
            "clear": DECISIONS[self.cleaned_data["clear"]],
            "consistent": DECISIONS[self.cleaned_data["consistent"]],
            "reason": self.cleaned_data["reason"],
        }


class ReportPdfForm(forms.Form):
    """What the report's PDF holds: its paper, and whether quoted answers and the
    names beside them are in it (out unless ticked; what the round may show
    decides the rest)."""

    paper = forms.ChoiceField(
        choices=(("a4", "A4"), ("letter", "Letter")), initial="a4", label="Paper"
    )
    quotes = forms.BooleanField(required=False, label="Include quoted answers")
    names = forms.BooleanField(required=False, label="Include names")
