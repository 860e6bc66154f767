"""Building packs: one folder and one zip per authority, built aside and swapped in whole."""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, datetime
from multiprocessing.context import BaseContext
from pathlib import Path

from mougen import atomic, typeset
from mougen.digest import sha256_hex
from mougen.pack.cover import cover_sheet
from mougen.pack.manifest import Manifest, build_manifest
from mougen.render import render_authority
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
    entry = ws.catalog.mou(mou_id)
    authority = entry.party(slug)
    rendered = render_authority(ws, mou_id, slug, when=when)
    name = pack_name(mou_id, slug)
    pdf_name = f"{name}.pdf"
    files = {f"{name}.docx": rendered.handout, pdf_name: rendered.pdf}
    pdf_sha256 = sha256_hex(rendered.pdf)
    files[COVER] = cover_sheet(entry, authority, pdf_name, pdf_sha256, when, return_by)
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


def _issued_in(folder: Path) -> str | None:
    """The PDF hash an existing pack in ``folder`` issued, if there is a readable one."""
    try:
        text = (folder / MANIFEST).read_text(encoding="utf-8")
        return Manifest.from_json(json.loads(text)).issued_pdf_sha256
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return None  # no earlier pack (or not one of ours): nothing was issued from it


def build_packs(
    ws: Workspace,
    mou_id: str,
    slugs: Iterable[str],
    out_dir: Path,
    when: datetime,
    *,
    jobs: int | None = 1,
    progress: Callable[[PackResult], None] = lambda _: None,
    return_by: date | None = None,
) -> list[PackResult]:
    """Build the packs for ``slugs``, ``jobs`` at a time; ``progress`` hears of each one.

    ``jobs=None`` builds one pack per CPU core at once where that is cheap (see
    :func:`_pool_context`), and one at a time where it is not.
    """
    slugs = list(slugs)
    ws.check_writable()
    atomic.ensure_dir(out_dir)
    context = _pool_context(explicit=jobs is not None)
    workers = min(jobs or (usable_cpus() if context else 1), len(slugs))
    if workers <= 1 or context is None:
        results = []
        for slug in slugs:
            results.append(build_pack(ws, mou_id, slug, out_dir, when, return_by=return_by))
            progress(results[-1])
        return results
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [
            pool.submit(_build_in_worker, ws.root, mou_id, s, out_dir, when, return_by)
            for s in slugs
        ]
        results = []
        for future in futures:
            results.append(future.result())
            progress(results[-1])
    return results


def usable_cpus() -> int:
    """The CPU cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _pool_context(*, explicit: bool) -> BaseContext | None:
    """How to start pack workers, or None for building one pack at a time.

    Forking is nearly free (a worker starts with every module this process has loaded),
    but safe only while the process has one thread and has not started Typst, whose
    native threads do not survive fork(). Otherwise workers come from a fresh forkserver,
    which pays the imports again: worth it only when asked for ``jobs`` explicitly.
    """
    if threading.active_count() == 1 and not typeset.in_use():
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver") if explicit else None


def _build_in_worker(
    root: Path, mou_id: str, slug: str, out_dir: Path, when: datetime, return_by: date | None
) -> PackResult:
    return build_pack(Workspace(root), mou_id, slug, out_dir, when, return_by=return_by)
