"""python-docx's :func:`~docx.oxml.ns.qn` ("w:p" -> Clark notation), remembered.

Reading one MoU asks for the same few dozen tag names some 3,000 times; python-docx splits
and looks up each one anew.
"""

from __future__ import annotations

from functools import cache

from docx.oxml.ns import qn as _qn

qn = cache(_qn)
