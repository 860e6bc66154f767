"""Rendering a Word template with docxtpl into the authority's DOCX."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import jinja2
from docx.document import Document as DocxDocument
from docx.opc.packuri import PackURI
from docx.opc.phys_pkg import PhysPkgWriter
from docx.opc.pkgwriter import PackageWriter
from docxtpl import DocxTemplate
from lxml import etree

from mougen.document.reader import holds_tracked_changes
from mougen.errors import TemplateError
from mougen.zipfiles import deterministic_zip


class _Environment(jinja2.Environment):
    """The Jinja environment templates render in, compiling each distinct source once.

    docxtpl compiles every part of a template on every render, and the parts of one
    template are the same for every authority: compiling them once per process is a
    third of the render's cost saved. StrictUndefined: a variable the config lacks must
    fail, not print as nothing.
    """

    def __init__(self) -> None:
        super().__init__(autoescape=True, undefined=jinja2.StrictUndefined)
        self._compiled = lru_cache(maxsize=256)(super().from_string)

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        if isinstance(source, str) and globals is None and template_class is None:
            return self._compiled(source)
        return super().from_string(source, globals, template_class)


class _Template(DocxTemplate):
    """docxtpl's template, whose tag clean-up of a part's XML is done once per source, and
    whose listing pass runs only on XML that holds a character it turns into Word's own."""

    def patch_xml(self, src_xml: str) -> str:
        return _patched(src_xml)

    def resolve_listing(self, xml: str) -> str:
        # docxtpl turns a tab, bell, line or page feed in a text into Word's tab, paragraph,
        # break or page break, by three nested regular expressions over every paragraph and
        # run: a third of a render, spent on XML that mostly holds none of them
        if not any(character in xml for character in _LISTING_CHARACTERS):
            return xml
        return super().resolve_listing(xml)


#: What docxtpl's ``resolve_listing`` replaces (only inside a text, so XML without any of
#: them comes out of it unchanged).
_LISTING_CHARACTERS = ("\t", "\a", "\n", "\f")


@lru_cache(maxsize=64)
def _patched(src_xml: str) -> str:
    return DocxTemplate.patch_xml(_PATCHER, src_xml)


#: A template holding no document: docxtpl's ``patch_xml`` reads nothing from its instance.
_PATCHER = DocxTemplate(io.BytesIO())
_ENVIRONMENT = _Environment()


def refuse_tracked_changes(template: Path, data: bytes) -> None:
    """Raise ``TemplateError`` if the template's body still holds tracked changes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            root = etree.fromstring(package.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError):
        raise TemplateError("not a readable Word document", template) from None
    if holds_tracked_changes(root):
        raise TemplateError(
            "holds tracked changes; accept or reject them in Word before rendering", template
        )


def load_template(template: Path) -> bytes:
    """The bytes of a Word template, checked for tracked changes.

    Kept while the file is unchanged, so a round reads and checks each template once
    (and workers forked after a first load share it).
    """
    try:
        stat = template.stat()
    except OSError as exc:
        raise TemplateError(f"cannot read template: {exc.strerror}", template) from None
    return _checked_template(template, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=16)
def _checked_template(template: Path, _mtime_ns: int, _size: int) -> bytes:
    try:
        data = template.read_bytes()
    except OSError as exc:
        raise TemplateError(f"cannot read template: {exc.strerror}", template) from None
    refuse_tracked_changes(template, data)
    return data


def fill_template(template: Path, context: dict[str, Any]) -> DocxDocument:
    """Render ``template`` with ``context``: the filled document in memory, which the model
    is read from without saving and parsing it again (:func:`saved_docx` gives its bytes)."""
    doc = _Template(io.BytesIO(load_template(template)))
    try:
        doc.render(context, jinja_env=_ENVIRONMENT, autoescape=True)
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"uses a variable the config lacks: {exc.message}", template) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"template tag error: {exc.message}", template) from None
    return doc.docx


def saved_docx(document: DocxDocument, when: datetime) -> bytes:
    """The bytes of ``document``, every zip entry dated ``when``.

    python-docx stamps each zip entry with the wall clock; the same inputs and date must
    give the same bytes, so every entry carries the generation date instead. Its package
    writer writes the parts straight into such entries (saving, then copying each entry
    with a new date, deflated every part twice: a third of a handout's cost).
    """
    package = document.part.package
    for part in package.parts:
        part.before_marshal()
    # the package writer only calls write(): the entries stand in for its zip
    entries = _Entries()
    target = cast(PhysPkgWriter, entries)
    PackageWriter._write_content_types_stream(target, package.parts)
    PackageWriter._write_pkg_rels(target, package.rels)
    PackageWriter._write_parts(target, package.parts)
    return deterministic_zip(entries, when)


class _Entries(list[tuple[str, bytes]]):
    """Where python-docx's package writer puts each part: a zip entry's name and bytes."""

    def write(self, pack_uri: PackURI, blob: bytes) -> None:
        self.append((pack_uri.membername, blob))
