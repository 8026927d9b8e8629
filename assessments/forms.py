from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from assessments.catalogue import ENGAGEMENT_QUESTIONS
from assessments.models import MAX_ANSWER_LENGTH


class SurveyForm(forms.Form):
    """The three engagement questions, as a team member answers them."""

    vision = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)
    meaning = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)
    contribution = forms.CharField(max_length=MAX_ANSWER_LENGTH, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for question in ENGAGEMENT_QUESTIONS:
            field = self.fields[question.key]
            field.label = question.text
            field.help_text = question.hint
            field.widget = forms.Textarea(
                attrs={"rows": 3, "maxlength": MAX_ANSWER_LENGTH}
            )
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Save my answers"))

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(question.key) for question in ENGAGEMENT_QUESTIONS):
            raise forms.ValidationError(
                "Please answer at least one question before saving.", code="empty"
            )
        return cleaned
