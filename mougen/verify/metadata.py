"""Changes to a PDF's document information and XMP metadata after its last signature.

pyHanko's difference policy lets a later revision rewrite ``/Info`` and ``/Metadata``
(LTA_UPDATES), so a title changed after signing would pass unseen. Each such change is
named here, what it was and what it became. The policy (``METADATA_CHANGES_FAIL``) says
whether that alone fails the file: by default it does not, but every output lists it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from lxml import etree
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver, PdfFileReader

#: The stated policy: a metadata change after the last signature is listed in every output
#: (table, ``--json``, audit report) but does not by itself make the file invalid.
METADATA_CHANGES_FAIL = False

_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
#: RDF's own structure, left out of a property's name (``dc:title``, not ``dc:title/rdf:Alt``).
_STRUCTURE = {"RDF", "Description", "Alt", "Bag", "Seq", "li", "xmpmeta"}
#: The XMP schemas that describe the document (title, author, subject, keywords, rights...),
#: by their usual prefixes. Edit history and ids (xmpMM, stEvt) and PDF/A schema
#: declarations are a writer's bookkeeping, rewritten by pyHanko on every update.
_DESCRIPTIVE = {
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://ns.adobe.com/pdf/1.3/": "pdf",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/xap/1.0/rights/": "xmpRights",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
}
#: What every writer restamps on any incremental update (a DSS or document timestamp
#: included): it says when and by what the file was last saved, nothing about the document.
_HOUSEKEEPING = {
    "Info /ModDate",
    "Info /Producer",
    "XMP xmp:ModifyDate",
    "XMP xmp:MetadataDate",
    "XMP pdf:Producer",
}


@dataclass(frozen=True)
class MetadataChange:
    """One metadata value that differs between the last signed revision and the file."""

    field: str  # "Info /Title", or an XMP property such as "XMP dc:title"
    before: str | None  # None: it was not there
    after: str | None  # None: it was removed

    def __str__(self) -> str:
        return f"{self.field} changed after the last signature: {self.before!r} -> {self.after!r}"

    def to_json(self) -> dict[str, str | None]:
        return asdict(self)


def metadata_changes(reader: PdfFileReader, signed_revision: int) -> list[MetadataChange]:
    """What the revisions after ``signed_revision`` changed in ``/Info`` and the XMP."""
    last = reader.total_revisions - 1
    if signed_revision >= last:
        return []
    before = _values(reader.get_historical_resolver(signed_revision))
    after = _values(reader.get_historical_resolver(last))
    return [
        MetadataChange(key, before.get(key), after.get(key))
        for key in sorted((before.keys() | after.keys()) - _HOUSEKEEPING)
        if before.get(key) != after.get(key)
    ]


def _values(revision: HistoricalResolver) -> dict[str, str]:
    return {**_info(revision), **_xmp(revision)}


def _as_of(revision: HistoricalResolver, container: generic.PdfObject, key: str) -> object:
    """``container[key]`` as it stood in ``revision`` (a reference resolved there, not in the
    newest revision, which ``get_object`` would give)."""
    if not isinstance(container, generic.DictionaryObject) or key not in container:
        return None
    value = container.raw_get(key)
    if isinstance(value, generic.IndirectObject):
        return revision.get_object(value.reference)
    return value


def _info(revision: HistoricalResolver) -> dict[str, str]:
    info = _as_of(revision, revision.trailer_view, "/Info")
    if not isinstance(info, generic.DictionaryObject):
        return {}
    return {f"Info {key}": str(_as_of(revision, info, key)) for key in info}


def _xmp(revision: HistoricalResolver) -> dict[str, str]:
    stream = _as_of(revision, revision.root, "/Metadata")
    if not isinstance(stream, generic.StreamObject):
        return {}
    try:
        root = etree.fromstring(stream.data, _XML)
    except etree.XMLSyntaxError:
        return {"XMP": "(not well-formed XML)"}
    values: dict[str, list[str]] = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # a comment or processing instruction
        if etree.QName(element).localname == "Description":
            for name, value in element.attrib.items():
                _add(values, name, value)
        elif len(element) == 0 and element.text and element.text.strip():
            _add(values, _property(element).tag, element.text.strip())
    return {f"XMP {key}": " | ".join(texts) for key, texts in values.items()}


def _add(values: dict[str, list[str]], tag: str, value: str) -> None:
    """Note ``value`` under its property's ``prefix:name``, if its schema is descriptive."""
    qname = etree.QName(tag)
    prefix = _DESCRIPTIVE.get(qname.namespace or "")
    if prefix is not None:
        values.setdefault(f"{prefix}:{qname.localname}", []).append(value)


def _property(element: etree._Element) -> etree._Element:
    """The nearest ancestor-or-self that is not RDF structure: the property itself."""
    node = element
    while etree.QName(node).localname in _STRUCTURE and node.getparent() is not None:
        node = node.getparent()
    return node
