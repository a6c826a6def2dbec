"""One way to read a whole number from untrusted text: ASCII digits, bounded before ``int()``.

``str.isdigit()`` accepts ``"²"``, which ``int()`` refuses, and ``"٣"``, which ``int()`` reads as
3; ``int()`` refuses 4,300 digits or more with a bare ``ValueError``, and accepts ``" 7"``,
``"+7"`` and ``"7_000"``.  A header, a query parameter, an environment variable or a CSV cell goes
through :func:`whole_number` instead, and the caller turns ``None`` into its own clear answer.
"""

from __future__ import annotations

import re

_DIGITS = re.compile(r"-?[0-9]+")


def whole_number(text: str | None, low: int = 0, high: int = 2**63 - 1) -> int | None:
    """``text`` as an ``int`` in ``low..high``, or ``None``.

    Only ASCII digits, with a leading ``-`` when ``low`` is negative: no spaces, signs, underscores
    or other scripts' digits.  The length is checked before ``int()`` ever sees the text.
    """
    if text is None or not _DIGITS.fullmatch(text) or (text[0] == "-" and low >= 0):
        return None
    if len(text.lstrip("-")) > len(str(max(abs(low), abs(high)))):
        return None
    value = int(text)
    return value if low <= value <= high else None
