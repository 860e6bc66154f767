"""Building packs: one folder and one zip per authority, built aside and swapped in whole."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from mougen import atomic
from mougen.digest import sha256_hex
from mougen.pack.cover import cover_sheet
from mougen.pack.manifest import Manifest, build_manifest
from mougen.workspace import Workspace
from mougen.zipfiles import deterministic_zip

COVER = "cover-sheet.pdf"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PackResult:
    """A finished pack: where it is, and the identity of the PDF it issues.

    ``replaced`` is the SHA-256 of a different PDF that an older pack in the same folder
    issued: it stays issued (and signable) beside the new one.
    """

    mou: str
    authority: str
    folder: Path
    zip: Path
    pdf_sha256: str
    manifest: Manifest
    record: Path
    replaced: str | None = None


def pack_name(mou_id: str, slug: str) -> str:
    """The base name shared by a pack's folder, zip and documents."""
    return f"{mou_id}--{slug}"


@dataclass(frozen=True)
class PackOrder:
    """One pack to build: the MoU version and the authority."""

    mou: str
    authority: str


@dataclass(frozen=True)
class Draft:
    """A pack's two documents, rendered: most of a pack's work, and none of it depends on
    the round's return-by date or writes anything (so it may start before either is known)."""

    order: PackOrder
    handout: bytes
    pdf: bytes


def load_renderer() -> None:
    """Load the render stack (python-docx, docxtpl, Typst, pikepdf) into this process now.

    Workers forked afterwards start with it instead of each loading it (a tenth of a second
    of CPU each): worth it where something else runs beside this process meanwhile, as
    ``pack``'s tracker work does. Otherwise each worker loading its own is as quick.
    """
    import mougen.render  # noqa: F401  (imported for the modules it loads)


def draft_packs(ws: Workspace, orders: Sequence[PackOrder], when: datetime) -> list[Draft]:
    """Render the DOCX to hand out and the PDF to sign for each of ``orders``, dated ``when``.

    Each stage runs for every order before the next one starts (every DOCX, then every
    layout, then every PDF's fields): a stage run again straight away finds its caches
    warm, and a run of eight packs drafted so costs a tenth less than pack by pack.
    """
    # loaded by the first draft, in the worker that drafts, unless its parent loaded it
    # before forking it (see load_renderer)
    from mougen.render import render_authority, with_fields

    rendered = [render_authority(ws, o.mou, o.authority, when=when) for o in orders]
    handouts = [r.handout for r in rendered]
    layouts = [r.laid_out() for r in rendered]
    return [
        Draft(order, handout, with_fields(layout))
        for order, handout, layout in zip(orders, handouts, layouts, strict=True)
    ]


def finish_packs(
    ws: Workspace,
    drafts: Sequence[Draft],
    out_dir: Path,
    when: datetime,
    return_by: Mapping[str, date | None],
) -> list[PackResult]:
    """Add the cover sheet and the manifest to each of ``drafts``, write each pack in
    ``out_dir`` and record it under ``issued/``. A cover sheet prints the round's return-by
    date, ``return_by`` by MoU id (none for a version it lacks); every cover is laid out
    before any pack is written, for the same reason as in :func:`draft_packs`."""
    covers = [_cover(ws, draft, when, return_by.get(draft.order.mou)) for draft in drafts]
    return [
        _write_pack(ws, draft, cover, out_dir, when)
        for draft, cover in zip(drafts, covers, strict=True)
    ]


def _cover(ws: Workspace, draft: Draft, when: datetime, return_by: date | None) -> bytes:
    entry = ws.catalog.mou(draft.order.mou)
    pdf_name = f"{pack_name(draft.order.mou, draft.order.authority)}.pdf"
    authority = entry.party(draft.order.authority)
    return cover_sheet(entry, authority, pdf_name, sha256_hex(draft.pdf), when, return_by)


def _write_pack(
    ws: Workspace, draft: Draft, cover: bytes, out_dir: Path, when: datetime
) -> PackResult:
    mou_id, slug = draft.order.mou, draft.order.authority
    entry = ws.catalog.mou(mou_id)
    name = pack_name(mou_id, slug)
    pdf_name = f"{name}.pdf"
    files = {f"{name}.docx": draft.handout, pdf_name: draft.pdf, COVER: cover}
    authority = entry.party(slug)
    manifest = build_manifest(entry, authority, files, pdf_name, ws.template_path(mou_id), when)
    files[MANIFEST] = manifest.to_bytes()

    earlier = _issued_in(out_dir / name)
    folder = atomic.write_folder(out_dir / name, files)
    archive = atomic.write_bytes(
        out_dir / f"{name}.zip", deterministic_zip(sorted(files.items()), when)
    )
    pdf_sha256 = manifest.issued_pdf_sha256
    record = ws.issued_dir / mou_id / slug / f"{pdf_sha256}.json"
    atomic.write_bytes(record, files[MANIFEST])
    replaced = earlier if earlier not in (None, pdf_sha256) else None
    return PackResult(mou_id, slug, folder, archive, pdf_sha256, manifest, record, replaced)


def build_pack(
    ws: Workspace,
    mou_id: str,
    slug: str,
    out_dir: Path,
    when: datetime,
    *,
    return_by: date | None = None,
) -> PackResult:
    """Build one authority's pack in ``out_dir`` and record it under ``issued/``.

    ``return_by``, the round's return-by date, is printed on the cover sheet.
    """
    drafts = draft_packs(ws, [PackOrder(mou_id, slug)], when)
    return finish_packs(ws, drafts, out_dir, when, {mou_id: return_by})[0]


def _issued_in(folder: Path) -> str | None:
    """The PDF hash an existing pack in ``folder`` issued, if there is a readable one."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
        return Manifest.from_json(json.loads(text)).issued_pdf_sha256
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # no earlier pack (or not one of ours): nothing was issued from it
