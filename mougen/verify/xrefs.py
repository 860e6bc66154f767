"""pyHanko's cross-reference lookups, indexed so that their cost does not grow with revisions.

pyHanko's ``XRefCache`` finds an object's entry by scanning the cross-reference sections of
every revision from the newest back. Difference analysis looks up objects for each revision
it reviews, so a file with thousands of incremental updates costs time quadratic in their
number (4,000 updates took six minutes). :func:`index_xrefs` gives an open reader a cache that
knows, for each object number, the revisions whose sections mention it, and scans only those:
the answers are the same, found in time independent of the number of revisions.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.xref import XRefCache, XRefSectionData


class _IndexedXRefCache(XRefCache):
    """pyHanko's cache, looking only at the sections that mention an object number."""

    _mentions: dict[int, list[int]]

    def _sections_for(self, idnum: int) -> list[int]:
        return self._mentions.get(idnum, [])

    def _resolve_in(self, revision: int, ref: generic.Reference) -> Any:
        return self._xref_sections[revision].xref_data.try_resolve(ref)

    def get_historical_ref(self, ref: generic.Reference, revision: int) -> Any:
        sections = self._sections_for(ref.idnum)
        for i in range(bisect_right(sections, revision) - 1, -1, -1):
            try:
                return self._resolve_in(sections[i], ref)
            except KeyError:
                continue
        return None

    def get_last_change(self, ref: generic.Reference) -> int:
        sections = self._sections_for(ref.idnum)
        for i in range(len(sections) - 1, -1, -1):
            try:
                self._resolve_in(sections[i], ref)
                return sections[i]
            except KeyError:
                continue
        raise KeyError(ref)

    def get_introducing_revision(self, ref: generic.Reference) -> int:
        for revision in self._sections_for(ref.idnum):
            try:
                if self._resolve_in(revision, ref) is not None:
                    return revision
            except KeyError:
                continue
        raise KeyError(ref)


def index_xrefs(reader: PdfFileReader) -> int:
    """Give ``reader`` the indexed cross-reference cache (in place; same answers, faster).

    Returns how many object numbers the file's cross-reference sections mention.
    """
    mentions: dict[int, list[int]] = defaultdict(list)
    for revision in range(reader.xrefs.total_revisions):
        for idnum in _numbers_in(reader.xrefs.get_xref_data(revision)):
            mentions[idnum].append(revision)
    xrefs = reader.xrefs
    xrefs.__class__ = _IndexedXRefCache
    assert isinstance(xrefs, _IndexedXRefCache)  # re-classed on the line above
    xrefs._mentions = dict(mentions)
    return len(mentions)


def _numbers_in(data: XRefSectionData) -> set[int]:
    """Every object number a section's ``try_resolve`` can answer for without a KeyError."""
    numbers = {*data.xrefs_in_objstm, *data.standard_xrefs, *data.freed}
    if data.hybrid is not None:
        numbers |= _numbers_in(data.hybrid.xref_data)
    return numbers
