"""Teams and the people who manage them."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Team

NO_SUCH_ACCOUNT = (
    "No account uses this email address. Ask them to sign up first, then add them."
)
ALREADY_A_MANAGER = "{email} already manages this team."


@transaction.atomic
def team_create(
    *, name: str, manager, level: str = Team.Level.TEAM, parent=None
) -> Team:
    """Create a team managed by ``manager``."""
    team = Team(name=name, level=level, parent=parent)
    team.full_clean()
    team.save()
    team.managers.add(manager)
    return team


@transaction.atomic
def team_manager_add(*, team: Team, email: str):
    """Let the existing account with this email address manage the team too."""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).first()
    if user is None:
        raise ValidationError(NO_SUCH_ACCOUNT, code="no_such_account")
    if team.managers.filter(pk=user.pk).exists():
        raise ValidationError(
            ALREADY_A_MANAGER.format(email=user.email), code="already_a_manager"
        )
    team.managers.add(user)
    return user
