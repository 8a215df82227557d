"""Structural checks of the specialist screens' templates."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

# onclick=, onsubmit=, … : a translated string inside one can break the script (an
# apostrophe in English did), and a Content-Security-Policy could not forbid inline script.
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_it_has_no_inline_event_handlers():
    templates = Path(settings.BASE_DIR, "templates")
    offenders = [
        f"{path.relative_to(templates)}:{number}"
        for folder in ("specialists", "tokens")
        for path in sorted((templates / folder).glob("**/*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if INLINE_HANDLER.search(line)
    ]
    assert not offenders, "Use hx-confirm or a listener in static/js:\n" + "\n".join(offenders)
