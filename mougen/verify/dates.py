"""Reading a signature dictionary's ``/M`` date as leniently as poppler does.

pyHanko parses PDF dates strictly, so a signature whose ``/M`` has a form other tools write
(LibreOffice's ``D:20231117120000Z'``, say) fails as unreadable. PAdES signatures carry
their claimed signing time only there, so such signatures lose it, or fail outright.
:class:`EmbeddedSignature` reads ``/M`` with :func:`parse_pdf_date`, which accepts what
poppler's ``parseDateString`` accepts.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.generic_cms import extract_self_reported_ts

# poppler: sscanf("%4d%2d%2d%2d%2d%2d%c%2d%*c%2d"), after an optional "D:"; anything after
# that is ignored. The zone is Z, + or -, its minutes after any one separator.
_DATE = re.compile(
    r"(?:D:)?(?P<digits>\d{4,15})"
    r"(?:(?P<zone>[Zz+-])(?:(?P<tzh>\d{2})(?:.?(?P<tzm>\d{2}))?)?)?"
)


def parse_pdf_date(text: str) -> datetime | None:
    """The moment a PDF date string names (UTC if it names no zone), or None if none."""
    m = _DATE.match(text.strip())
    if m is None:
        return None
    digits = m["digits"]
    if len(digits) > 14 and int(digits[:4]) < 1930:
        # Distiller 3's Y2K bug, which poppler undoes: "D:191001231..." is the year 2000.
        year, rest = int(digits[:2]) * 100 + int(digits[2:5]), digits[5:]
    else:
        year, rest = int(digits[:4]), digits[4:]
    parts = [int(rest[i : i + 2]) for i in range(0, len(rest) - 1, 2)]
    month, day, hour, minute, second = (parts + [1, 1, 0, 0, 0][len(parts) :])[:5]
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=_zone(m))
    except ValueError:
        return None


def _zone(m: re.Match) -> timezone:
    if m["zone"] in (None, "Z", "z"):
        return UTC
    offset = timedelta(hours=int(m["tzh"] or 0), minutes=int(m["tzm"] or 0))
    return timezone(-offset if m["zone"] == "-" else offset)


class EmbeddedSignature(EmbeddedPdfSignature):
    """pyHanko's embedded signature, reading its ``/M`` date as poppler would."""

    @property
    def self_reported_timestamp(self) -> datetime | None:
        claimed = extract_self_reported_ts(self.signer_info)
        if claimed is not None:
            return claimed
        raw = self.sig_object.get("/M")
        return parse_pdf_date(str(raw)) if raw is not None else None
