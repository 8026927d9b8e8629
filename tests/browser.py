"""Headless Chromium for the end-to-end journeys, from Debian's chromium package."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine's network is closed: without these Chromium keeps calling home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PHONE = {"width": 360, "height": 740}


def chromium_path() -> str:
    """The browser to drive; under CI a missing browser fails the run, never skips."""
    for candidate in CHROMIUM_PATHS:
        if Path(candidate).exists():
            return candidate
    found = shutil.which("chromium")
    if found:
        return found
    message = "Chromium not found: apt-get install chromium"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


# axe-core, from npm (package.json): the accessibility engine the browser tests
# run on every page the project renders, for WCAG 2.2 level AA.
AXE_SCRIPT = (
    Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
)
WCAG_AA_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def axe_violations(page) -> list[dict]:
    """What axe-core finds on ``page`` against WCAG 2.2 AA, as it reports it.

    The engine goes in through the browser's debugging channel, which the page's
    Content Security Policy does not govern: the policy stays on for the page."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run make install")
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    results = page.evaluate(
        """tags => axe.run(document, {
            runOnly: {type: "tag", values: tags},
            resultTypes: ["violations"],
        })""",
        list(WCAG_AA_TAGS),
    )
    return results["violations"]


def describe_violations(violations: list[dict]) -> str:
    """One line per element that breaks a rule: rule, impact, target, summary."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {target}: "
                f"{violation['help']}"
            )
    return "\n".join(lines)


def assert_accessible(page) -> None:
    """Fail, listing every violation, unless axe-core finds none on ``page``."""
    violations = axe_violations(page)
    if violations:
        pytest.fail(
            f"{page.url} breaks WCAG 2.2 AA:\n{describe_violations(violations)}",
            pytrace=False,
        )


def logged_in(new_page, live_server, user, viewport=None):
    """A page whose browser holds a session of ``user``, as after logging in."""
    client = Client()
    client.force_login(user)
    page = new_page(viewport=viewport)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": session,
                "url": live_server.url,
            }
        ]
    )
    return page
