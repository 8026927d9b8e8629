"""The admin's forms for the user model: Django's own, bound to it."""

from django.contrib.auth import forms

from accounts.models import User


class UserCreationForm(forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeForm(forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
