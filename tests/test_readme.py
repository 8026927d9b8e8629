"""The README's command lines name real commands and files, and the privacy and
accessibility pages real tests."""

import re
import shlex
from pathlib import Path

import pytest
from django.core.management import get_commands

README = Path(__file__).resolve().parent.parent / "README.md"
COMMAND_LINE = re.compile(r"^\.venv/bin/python manage\.py (.+?)(?:\s+#.*)?$", re.M)


def readme_commands() -> list[list[str]]:
    text = README.read_text().replace("\\\n", " ")  # continued lines, joined
    return [shlex.split(line) for line in COMMAND_LINE.findall(text)]


def test_the_readme_shows_manage_py_commands():
    assert len(readme_commands()) >= 5


def test_every_manage_py_command_in_the_readme_exists():
    known = get_commands()

    assert [words[0] for words in readme_commands() if words[0] not in known] == []


def test_every_example_file_the_readme_names_is_in_the_repository():
    root = README.parent
    named = {
        word
        for words in readme_commands()
        for word in words
        if word.startswith("docs/examples/")
    }

    assert named
    assert sorted(path for path in named if not (root / path).is_file()) == []


TEST_REFERENCE = re.compile(r"`(tests/[\w/]+\.py)((?:::\w+)*)`")


@pytest.mark.parametrize(
    ("page", "fewest"), [("privacy.md", 30), ("accessibility.md", 8)]
)
def test_every_test_a_docs_page_names_exists(page, fewest):
    """docs/privacy.md shows each rule with its test, docs/accessibility.md each
    check: each named test is there."""
    root = README.parent
    named = TEST_REFERENCE.findall((root / "docs" / page).read_text())
    missing = []
    for path, names in named:
        source = (root / path).read_text() if (root / path).is_file() else ""
        for name in filter(None, names.split("::")):
            if not re.search(rf"^\s*(?:def|class) {name}\b", source, re.M):
                missing.append(f"{path}::{name}")

    assert len(named) >= fewest
    assert missing == []
