"""Building packs: one folder and one zip per authority, built aside and swapped in whole."""

from __future__ import annotations

import multiprocessing
import zipfile
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from mougen import atomic
from mougen.pack.cover import cover_sheet
from mougen.pack.manifest import build_manifest, manifest_bytes, sha256
from mougen.render import render_authority
from mougen.workspace import Workspace

COVER = "cover-sheet.pdf"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class PackResult:
    """A finished pack: where it is, and the identity of the PDF it issues."""

    mou: str
    authority: str
    folder: Path
    zip: Path
    pdf_sha256: str
    manifest: dict
    record: Path


def pack_name(mou_id: str, slug: str) -> str:
    """The base name shared by a pack's folder, zip and documents."""
    return f"{mou_id}--{slug}"


def build_pack(ws: Workspace, mou_id: str, slug: str, out_dir: Path, when: datetime) -> PackResult:
    """Build one authority's pack in ``out_dir`` and record it under ``issued/``."""
    entry = ws.catalog.mou(mou_id)
    authority = entry.party(slug)
    rendered = render_authority(ws, mou_id, slug, when=when)
    name = pack_name(mou_id, slug)
    pdf_name = f"{name}.pdf"
    files = {f"{name}.docx": rendered.docx, pdf_name: rendered.pdf}
    files[COVER] = cover_sheet(entry, authority, pdf_name, sha256(rendered.pdf), when)
    manifest = build_manifest(entry, authority, files, pdf_name, ws.template_path(mou_id), when)
    files[MANIFEST] = manifest_bytes(manifest)

    folder = atomic.write_folder(out_dir / name, files)
    archive = atomic.write_bytes(out_dir / f"{name}.zip", _zip(files, when))
    record = ws.issued_dir / mou_id / slug / f"{manifest['issued_pdf_sha256']}.json"
    atomic.write_bytes(record, files[MANIFEST])
    return PackResult(
        mou_id, slug, folder, archive, manifest["issued_pdf_sha256"], manifest, record
    )


def build_packs(
    ws: Workspace,
    mou_id: str,
    slugs: Iterable[str],
    out_dir: Path,
    when: datetime,
    *,
    jobs: int = 1,
    progress: Callable[[PackResult], None] = lambda _: None,
) -> list[PackResult]:
    """Build the packs for ``slugs``, ``jobs`` at a time; ``progress`` hears of each one."""
    slugs = list(slugs)
    atomic.ensure_dir(out_dir)
    if jobs <= 1:
        results = []
        for slug in slugs:
            results.append(build_pack(ws, mou_id, slug, out_dir, when))
            progress(results[-1])
        return results
    # Typst's worker threads do not survive fork(): workers come from a fresh server.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_build_in_worker, ws.root, mou_id, s, out_dir, when) for s in slugs]
        results = []
        for future in futures:
            results.append(future.result())
            progress(results[-1])
    return results


def _build_in_worker(root: Path, mou_id: str, slug: str, out_dir: Path, when: datetime):
    return build_pack(Workspace(root), mou_id, slug, out_dir, when)


def _zip(files: dict[str, bytes], when: datetime) -> bytes:
    out = BytesIO()
    stamp = when.timetuple()[:6]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in sorted(files.items()):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return out.getvalue()
