"""Text rules shared by every app."""

from __future__ import annotations

import re

# ASCII control characters: a line break ends an e-mail header, and PostgreSQL refuses a NUL
# byte in any text parameter.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
