#!/usr/bin/env python
"""Django's command-line utility for servicecult."""

import os
import sys

MINIMUM_PYTHON = (3, 13)


def main() -> None:
    if sys.version_info < MINIMUM_PYTHON:
        sys.exit(
            "servicecult needs Python 3.13 or newer (this is "
            f"{sys.version.split()[0]}): install it, e.g. `pyenv install 3.13`."
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servicecult.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db.utils import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as error:
        sys.exit(f"Configuration error: {error}")
    except OperationalError as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        sys.exit(
            f"Cannot reach the database named by DATABASE_URL: {first_line}. "
            "Check that it is running and that the URL is right."
        )


if __name__ == "__main__":
    main()
