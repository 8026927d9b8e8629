"""The readiness report as a PDF: the report's own template and print stylesheet,
laid out by WeasyPrint on A4 or Letter, with the team, the round and the date
in each page's header and page numbers in its footer.

Nothing is fetched while rendering: the stylesheets are read from the static
files here and handed over, and every URL in the page is refused, so a report
never reaches the network or the file system through its content.
"""

import logging
from pathlib import Path

from django.contrib.staticfiles import finders

logger = logging.getLogger(__name__)

# The page's own stylesheets, less Bootstrap: matching its selectors would cost
# WeasyPrint seconds a page, so print.css styles the few classes the PDF uses.
STYLESHEETS = ("css/site.css", "css/print.css")
PAPERS = {"a4": "A4", "letter": "Letter"}


class PdfFailed(Exception):
    """The PDF could not be made; the page says so instead of failing."""


def _stylesheet(name: str) -> str:
    found = finders.find(name)
    if not found:
        raise PdfFailed(f"The stylesheet {name} is missing.")
    return Path(found).read_text(encoding="utf-8")


def render_pdf(html: str, *, paper: str) -> bytes:
    """``html`` laid out on ``paper`` ("a4" or "letter"); raises ``PdfFailed``
    whatever goes wrong (WeasyPrint or its system libraries missing included)."""
    try:
        from weasyprint import CSS, HTML, URLFetcher  # needs Pango at import

        class FetchNothing(URLFetcher):
            def fetch(self, url, headers=None):
                raise ValueError(f"The report's PDF fetches nothing ({url}).")

        page = CSS(string=f"@page {{ size: {PAPERS[paper]}; }}")
        sheets = [CSS(string=_stylesheet(name)) for name in STYLESHEETS]
        return HTML(string=html, url_fetcher=FetchNothing()).write_pdf(
            stylesheets=[*sheets, page]
        )
    except PdfFailed:
        raise
    except Exception as error:  # any failure of the renderer, or of its libraries
        logger.exception("The report's PDF could not be rendered")
        raise PdfFailed(str(error)) from error
