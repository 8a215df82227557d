"""The translation catalogs pass gettext's own checks: a header whose plural rule disagrees
with the entries leaves some counts untranslated."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGS = sorted(Path(settings.BASE_DIR, "locale").glob("*/LC_MESSAGES/django.po"))


@pytest.mark.parametrize("catalog", CATALOGS, ids=lambda path: path.parts[-3])
def test_the_catalog_passes_msgfmt_check(catalog, tmp_path):
    done = subprocess.run(
        ["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(catalog)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
