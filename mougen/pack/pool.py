"""Building many packs at once: drafts first, in forked workers, while the caller finds the
round's return-by dates (which the cover sheets print), then each pack finished and written.

A command that records its packs must open the tracker (and load SQLAlchemy) before it
writes anything; here the workers draft the packs, most of the work, in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict, Unpack

from mougen import atomic, typeset
from mougen.pack.builder import Draft, PackOrder, PackResult, draft_pack, finish_pack
from mougen.workers import fork_context, inherit, inherited, usable_cpus
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from concurrent.futures import Executor, Future
    from multiprocessing.context import BaseContext

#: Return-by dates by MoU id (a version not in it has none).
Dates = Mapping[str, date | None]
#: What ``progress`` hears of each pack: its drafting, then its writing, is done.
Stage = Literal["drafted", "written"]
Progress = Callable[[Stage, PackOrder], None]


class PoolOptions(TypedDict, total=False):
    """How :func:`build_round` builds: ``jobs`` at a time, telling ``progress`` of each, with
    the return-by dates that ``dates`` gives (called once, before anything is written)."""

    jobs: int | None
    progress: Progress
    dates: Callable[[], Dates]


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
    """Build the packs of one MoU version for ``slugs``, due back ``return_by``; ``pool`` as
    for :func:`build_round`."""
    orders = [PackOrder(mou_id, slug) for slug in slugs]
    options: PoolOptions = {"dates": lambda: {mou_id: return_by}, **pool}
    return build_round(ws, orders, out_dir, when, **options)


def build_round(
    ws: Workspace,
    orders: Iterable[PackOrder],
    out_dir: Path,
    when: datetime,
    *,
    jobs: int | None = 1,
    progress: Progress = lambda _stage, _order: None,
    dates: Callable[[], Dates] = dict,
) -> list[PackResult]:
    """Build a pack for each order, ``jobs`` at a time, in one pool of workers; ``progress``
    hears as each one is drafted, then as each is written.

    ``dates`` is called once, before any pack is written; if it raises, or any pack cannot
    be drafted, nothing is.
    ``jobs=None`` builds one pack per CPU core at once where that is cheap (see
    :func:`_pool_context`), and one at a time where it is not; it drafts even a single pack
    in a worker, so that ``dates`` (a tracker to open) and the draft run side by side.
    """
    orders = list(orders)
    ws.check_writable()
    for order in orders:  # every id checked before forking
        ws.catalog.mou(order.mou).party(order.authority)
    workers = min(jobs or usable_cpus(), len(orders))
    side_by_side = workers > 1 or (jobs is None and workers == 1)
    context = _pool_context(explicit=jobs is not None) if side_by_side else None
    if context is None:
        due = dates()
        # all drafted before any is written
        ready = [_reported(draft_pack(ws, order, when), progress) for order in orders]
        atomic.ensure_dir(out_dir)
        return [_finished(ws, draft, out_dir, when, due, progress) for draft in ready]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=inherit, initargs=(ws,)
    ) as pool:
        drafts = [pool.submit(_draft_in_worker, order, when) for order in orders]
        try:
            due = dates()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the drafts wrote nothing
            raise
        # every draft done before any pack is written: a template that cannot be rendered
        # stops the round with nothing written
        ready = [_reported(draft.result(), progress) for draft in drafts]
        atomic.ensure_dir(out_dir)
        finished = [_finish_later(pool, draft, out_dir, when, due) for draft in ready]
        return [_written(future.result(), progress) for future in finished]


def _finished(
    ws: Workspace, draft: Draft, out_dir: Path, when: datetime, due: Dates, progress: Progress
) -> PackResult:
    return _written(finish_pack(ws, draft, out_dir, when, due.get(draft.order.mou)), progress)


def _finish_later(
    pool: Executor, draft: Draft, out_dir: Path, when: datetime, due: Dates
) -> Future[PackResult]:
    return pool.submit(_finish_in_worker, draft, out_dir, when, due.get(draft.order.mou))


def _reported(draft: Draft, progress: Progress) -> Draft:
    progress("drafted", draft.order)
    return draft


def _written(result: PackResult, progress: Progress) -> PackResult:
    progress("written", PackOrder(result.mou, result.authority))
    return result


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


def _draft_in_worker(order: PackOrder, when: datetime) -> Draft:
    return draft_pack(inherited(Workspace), order, when)


def _finish_in_worker(
    draft: Draft, out_dir: Path, when: datetime, return_by: date | None
) -> PackResult:
    return finish_pack(inherited(Workspace), draft, out_dir, when, return_by)
