"""What a team member's first visit to the survey page transfers, compressed.

Run from the repository root: ``.venv/bin/python bench/bench_static.py``.

Collects the static files as production does (hashed names, compressed copies
made by WhiteNoise), renders a survey page on a temporary SQLite database, and
adds up the gzip size of the page and of every stylesheet and script it links:
what a browser with an empty cache downloads. Target: under 100 KB. Also checks
that static files are served with a far-future cache lifetime.
"""

import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TARGET_KB = 100


def main() -> None:
    run_dir = Path(tempfile.mkdtemp())
    os.environ.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DJANGO_ENV_FILE="",  # production's settings, never a local .env
        DJANGO_SECRET_KEY="bench-static-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SITE_URL="http://testserver",
        DJANGO_HTTPS="false",
        DATABASE_URL=f"sqlite:///{run_dir}/static.sqlite3",
        BENCH_STATIC_ROOT=str(run_dir / "static"),
    )
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from tests.factories import InvitationFactory

    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    invitation = InvitationFactory()
    client = Client()
    page = client.get(f"/r/{invitation.token}/")
    html = page.content
    rows = [("survey page (HTML)", len(html), len(gzip.compress(html)))]
    for url in re.findall(rb'(?:href|src)="(/static/[^"]+)"', html):
        name = url.decode().removeprefix("/" + settings.STATIC_URL.lstrip("/"))
        path = Path(settings.STATIC_ROOT) / name
        compressed = path.with_name(path.name + ".gz")
        size = compressed.stat().st_size if compressed.exists() else path.stat().st_size
        rows.append((name, path.stat().st_size, size))
        asset = client.get(url.decode(), HTTP_ACCEPT_ENCODING="gzip")
        cache = asset.headers.get("Cache-Control", "")
        print(f"  {name}: Cache-Control {cache!r}")
    total = sum(gzipped for _, _, gzipped in rows)
    print(f"{'file':<58} {'bytes':>9} {'gzip':>9}")
    for name, raw, gzipped in rows:
        print(f"{name:<58} {raw:>9,} {gzipped:>9,}")
    verdict = "met" if total < TARGET_KB * 1000 else "NOT met"
    print(
        f"first visit transfers {total / 1000:.1f} KB "
        f"(target < {TARGET_KB} KB): {verdict}"
    )


if __name__ == "__main__":
    main()
