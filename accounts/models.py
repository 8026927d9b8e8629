"""The account a manager logs in with: the email address is the login."""

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models.functions import Lower

EMAIL_TAKEN = "An account with this email address already exists."


class UserManager(BaseUserManager):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The whole address in lower case: one mailbox is one account."""
        return super().normalize_email(email).lower()

    def get_by_natural_key(self, email: str):
        return self.get(email=self.normalize_email(email))

    async def aget_by_natural_key(self, email: str):
        return await self.aget(email=self.normalize_email(email))

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        """An account with no privileges; without a password it cannot log in."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        """An account allowed everything, in the admin too."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if extra_fields["is_staff"] is not True:
            raise ValueError("A superuser must have is_staff=True.")
        if extra_fields["is_superuser"] is not True:
            raise ValueError("A superuser must have is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("An account needs an email address.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


class User(AbstractUser):
    """Django's user, with the email address as the login and no username."""

    username = None
    email = models.EmailField(
        "email address", unique=True, error_messages={"unique": EMAIL_TAKEN}
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta(AbstractUser.Meta):
        constraints = [
            # Addresses are saved in lower case; this also holds for writes that
            # skip save(), such as update() and bulk_create().
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_whatever_its_case",
                violation_error_message=EMAIL_TAKEN,
            ),
        ]

    def save(self, **kwargs):
        self.email = UserManager.normalize_email(self.email)
        super().save(**kwargs)
