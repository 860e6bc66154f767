"""Building packs: one folder and one zip per authority, built aside and swapped in whole."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypedDict, Unpack

from mougen import atomic, typeset
from mougen.digest import sha256_hex
from mougen.pack.cover import cover_sheet
from mougen.pack.manifest import Manifest, build_manifest
from mougen.render import render_authority
from mougen.render.docx import load_template
from mougen.workers import fork_context, usable_cpus
from mougen.workspace import Workspace
from mougen.zipfiles import deterministic_zip

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

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


@dataclass(frozen=True)
class PackOrder:
    """One pack to build: the MoU version, the authority, and the date it is due back."""

    mou: str
    authority: str
    return_by: date | None = None


class PoolOptions(TypedDict, total=False):
    """How :func:`build_round` builds: ``jobs`` at a time, telling ``progress`` of each."""

    jobs: int | None
    progress: Callable[[PackResult], None]


def build_packs(
    ws: Workspace,
    mou_id: str,
    slugs: Iterable[str],
    out_dir: Path,
    when: datetime,
    *,
    return_by: date | None = None,
    **pool: Unpack[PoolOptions],
) -> list[PackResult]:
    """Build the packs of one MoU version for ``slugs``; ``pool`` as for :func:`build_round`."""
    return build_round(ws, [PackOrder(mou_id, s, return_by) for s in slugs], out_dir, when, **pool)


def build_round(
    ws: Workspace,
    orders: Iterable[PackOrder],
    out_dir: Path,
    when: datetime,
    *,
    jobs: int | None = 1,
    progress: Callable[[PackResult], None] = lambda _: None,
) -> list[PackResult]:
    """Build a pack for each order, ``jobs`` at a time, in one pool of workers; ``progress``
    hears of each one.

    ``jobs=None`` builds one pack per CPU core at once where that is cheap (see
    :func:`_pool_context`), and one at a time where it is not.
    """
    orders = list(orders)
    ws.check_writable()
    for order in orders:  # every id checked, and the templates loaded, before forking
        ws.catalog.mou(order.mou).party(order.authority)
        load_template(ws.template_path(order.mou))
    atomic.ensure_dir(out_dir)
    workers = min(jobs or usable_cpus(), len(orders))
    # one pack (mougen pack --authority X) never imports the pool (about 6 ms)
    context = _pool_context(explicit=jobs is not None) if workers > 1 else None
    results: list[PackResult] = []
    if context is None:
        for order in orders:
            results.append(_build_order(ws, order, out_dir, when))
            progress(results[-1])
        return results
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_adopt, initargs=(ws,)
    ) as pool:
        futures = [pool.submit(_build_in_worker, order, out_dir, when) for order in orders]
        for future in futures:
            results.append(future.result())
            progress(results[-1])
    return results


def _pool_context(*, explicit: bool) -> BaseContext | None:
    """How to start pack workers, or None for building one pack at a time.

    Forking is nearly free (see :func:`~mougen.workers.fork_context`), but not once this
    process has started Typst, whose native threads do not survive fork(). Otherwise
    workers come from a fresh forkserver, which pays the imports again: worth it only
    when asked for ``jobs`` explicitly.
    """
    import multiprocessing

    context = fork_context()
    if context is not None and not typeset.in_use():
        return context
    return multiprocessing.get_context("forkserver") if explicit else None


#: The workspace a pack worker builds in: its parent's, catalog and all, which a forked
#: worker shares without reading the region files again.
_worker_ws: Workspace | None = None


def _adopt(ws: Workspace) -> None:
    global _worker_ws  # one per worker process, set as it starts
    _worker_ws = ws


def _build_order(ws: Workspace, order: PackOrder, out_dir: Path, when: datetime) -> PackResult:
    return build_pack(ws, order.mou, order.authority, out_dir, when, return_by=order.return_by)


def _build_in_worker(order: PackOrder, out_dir: Path, when: datetime) -> PackResult:
    assert _worker_ws is not None, "a pack worker starts with its parent's workspace"
    return _build_order(_worker_ws, order, out_dir, when)
