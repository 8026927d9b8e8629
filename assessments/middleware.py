import logging

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.db import connection
from django.db.utils import DatabaseError, InterfaceError, OperationalError
from django.shortcuts import render
from django.urls import Resolver404, resolve

logger = logging.getLogger(__name__)

# The pages that take a file, by URL name: the admin's import of answers.
FILE_VIEWS = frozenset({"admin:assessments_assessment_import"})


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


class FilesDropped(FileUploadHandler):
    """Skips every file of a form, so none is kept in memory or on disk."""

    def new_file(self, *args, **kwargs):
        raise SkipFile


class RequestBodyLimitMiddleware:
    """Refuse a request body over its cap with the 413 page, before it is read.

    Django caps a form's fields (``DATA_UPLOAD_MAX_MEMORY_SIZE``) but not its
    files, which it spools to disk whatever their size, for anyone. Here every
    body is held to that cap, but a form with files that signed-in staff send to
    a page taking one (``FILE_VIEWS``): up to ``UPLOAD_MAX_BYTES`` of file and the
    form around it. Files sent anywhere else are dropped unread.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        takes_files = request.content_type == "multipart/form-data" and _takes_files(
            request
        )
        cap = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if takes_files:
            cap += settings.UPLOAD_MAX_BYTES
        if _content_length(request) > cap:
            return render(request, "413.html", status=413)
        if not takes_files:
            request.upload_handlers = [FilesDropped(request)]
        return self.get_response(request)


def _content_length(request) -> int:
    # As Django reads it: a length that is not a number means no body.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _takes_files(request) -> bool:
    try:
        view = resolve(request.path_info).view_name
    except Resolver404:
        return False
    return view in FILE_VIEWS and request.user.is_staff
