import logging

from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)


def database_reachable() -> bool:
    # The failed query may have left this connection closed: probe on a fresh one.
    if connection.connection is not None and not connection.is_usable():
        connection.close()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except (DatabaseError, InterfaceError):
        return False
    return True


class DatabaseUnavailableMiddleware:
    """Answer 503 with the app's own page when the database cannot be reached,
    so a load balancer retries elsewhere and a person is told to try again.

    A database error while the database still answers is a bug, not an outage
    (SQLite reports both as OperationalError): it stays a 500.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        if database_reachable():
            return None
        logger.error("Database unavailable: %s", exception)
        response = render(request, "503.html", status=503)
        response["Retry-After"] = "30"
        return response
