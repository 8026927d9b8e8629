from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from assessments.catalogue import ENGAGEMENT_QUESTIONS
from assessments.models import (
    MAX_ANSWER_LENGTH,
    MAX_RATING,
    MIN_RATING,
    team_rating_field,
)
from assessments.validators import validate_no_control_characters

EMPTY_SURVEY = "Please answer at least one question before saving."


RATING_CHOICES = [(str(n), str(n)) for n in range(MIN_RATING, MAX_RATING + 1)]


class SurveyForm(forms.Form):
    """The three engagement questions, and the alignment questions when the
    round asks the team to rate them too."""

    vision = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)
    meaning = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)
    contribution = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)

    def __init__(self, *args, alignment_questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        for question in ENGAGEMENT_QUESTIONS:
            field = self.fields[question.key]
            field.label = question.text
            field.help_text = question.hint
            field.widget = forms.Textarea(
                attrs={"rows": 3, "maxlength": MAX_ANSWER_LENGTH}
            )
            field.validators.append(validate_no_control_characters)
        self.alignment_questions = tuple(alignment_questions)
        for question in self.alignment_questions:
            self.fields[team_rating_field(question.key)] = forms.TypedChoiceField(
                label=question.text,
                choices=RATING_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect(attrs={"class": "form-check-inline"}),
                help_text="1 = not at all, 5 = fully. Leave blank if you are not sure.",
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save my answers"))

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
