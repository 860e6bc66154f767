"""Zip archives that are the same bytes whenever their entries and date are the same."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from datetime import datetime
from io import BytesIO


def deterministic_zip(entries: Iterable[tuple[str, bytes]], when: datetime) -> bytes:
    """A deflated zip of ``entries`` (name, bytes) in the order given, each dated ``when``.

    zipfile would otherwise stamp each entry with the wall clock, so the same inputs
    would give different bytes on every run.
    """
    out = BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()
