"""Building many packs at once: drafts first, in forked workers, while the caller finds the
round's return-by dates (which the cover sheets print), then each pack finished and written.

A command that records its packs must open the tracker (and load SQLAlchemy) before it
writes anything; here the workers draft the packs, most of the work, in the meantime.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypedDict, TypeVar, Unpack

from mougen import atomic, typeset
from mougen.pack.builder import Draft, PackOrder, PackResult, draft_packs, finish_packs
from mougen.workers import fork_context, inherit, inherited, usable_cpus
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

T = TypeVar("T")

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

    ``dates`` is called once, before any pack is written: while the workers draft, or
    after drafting one at a time, so that what it waits for (``pack``'s tracker work)
    runs meanwhile. If it raises, or any pack cannot be drafted, nothing is written.
    ``jobs=None`` builds one pack per CPU core at once where that is cheap (see
    :func:`_pool_context`), and one at a time where it is not.
    """
    orders = list(orders)
    ws.check_writable()
    for order in orders:  # every id checked before forking
        ws.catalog.mou(order.mou).party(order.authority)
    workers = min(jobs or usable_cpus(), len(orders))
    context = _pool_context(explicit=jobs is not None) if workers > 1 else None
    if context is None:
        # all drafted before any is written
        ready = [
            _reported(draft, progress)
            for batch in batches(orders, 1)
            for draft in draft_packs(ws, batch, when)
        ]
        due = dates()
        atomic.ensure_dir(out_dir)
        return [
            _written(result, progress)
            for batch in batches(ready, 1)
            for result in finish_packs(ws, batch, out_dir, when, due)
        ]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=inherit, initargs=(ws,)
    ) as pool:
        drafting = [pool.submit(_draft_in_worker, b, when) for b in batches(orders, workers)]
        try:
            due = dates()
        except BaseException:
            pool.shutdown(cancel_futures=True)  # the drafts wrote nothing
            raise
        # every draft done before any pack is written: a template that cannot be rendered
        # stops the round with nothing written
        ready = [_reported(draft, progress) for done in drafting for draft in done.result()]
        atomic.ensure_dir(out_dir)
        finishing = [
            pool.submit(_finish_in_worker, batch, out_dir, when, due)
            for batch in batches(ready, workers)
        ]
        return [_written(result, progress) for done in finishing for result in done.result()]


#: The most packs a worker takes at once (see :func:`batches`).
BATCH = 8


def batches(items: list[T], workers: int) -> Iterator[list[T]]:
    """``items`` in runs for ``workers`` to take one at a time: runs of up to
    :data:`BATCH` (a run is drafted stage by stage, a tenth cheaper than pack by pack),
    shrinking to single items at the end, so that no worker idles at the end of a round
    while another finishes a long run."""
    start = 0
    while start < len(items):
        size = max(1, min(BATCH, (len(items) - start) // (2 * workers)))
        yield items[start : start + size]
        start += size


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


def _draft_in_worker(orders: list[PackOrder], when: datetime) -> list[Draft]:
    return draft_packs(inherited(Workspace), orders, when)


def _finish_in_worker(
    drafts: list[Draft], out_dir: Path, when: datetime, due: Dates
) -> list[PackResult]:
    return finish_packs(inherited(Workspace), drafts, out_dir, when, due)
