"""The HTML dashboard: progress per region, the signing grid, reviews and recent events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import jinja2

from mougen import __version__
from mougen.config.catalog import MouEntry
from mougen.pki.revocation import revoked_certificates
from mougen.reports.reviews import Review, reviews
from mougen.reports.status import StatusRow, select_versions, status
from mougen.roles import ROLES
from mougen.workspace import Workspace

if TYPE_CHECKING:
    from mougen.tracker import EventRecord, Tracker

#: How many of the latest tracker events the dashboard lists.
EVENT_LIMIT = 20
#: The event details shown in the events table; the rest are in each row's tooltip.
_SUMMARY_KEYS = ("signer_name", "verdict", "signed_at", "issued_by", "changed")


@dataclass(frozen=True)
class VersionPanel:
    """One MoU version's signing round: its parties' rows and how many are complete."""

    mou: str
    title: str
    region_name: str
    rows: list[StatusRow]

    @property
    def complete(self) -> int:
        """How many parties have one fully executed document."""
        return sum(row.complete for row in self.rows)

    @property
    def counterparts(self) -> int:
        """How many parties are complete only in counterparts (no one document has it all)."""
        return sum(row.counterparts_complete and not row.complete for row in self.rows)

    @property
    def issued(self) -> bool:
        """Whether the version has been issued to any party yet."""
        return any(row.issued for row in self.rows)

    @property
    def parties(self) -> int:
        """How many authorities are party to the version."""
        return len(self.rows)

    def to_json(self) -> dict[str, Any]:
        """The panel's figures, as ``mougen report --json`` prints them."""
        return {
            "mou": self.mou,
            "title": self.title,
            "region": self.region_name,
            "parties": self.parties,
            "issued": self.issued,
            "complete": self.complete,
            "counterparts": self.counterparts,
        }

    @property
    def percent(self) -> int:
        """The complete share of parties, as a whole percentage for the progress bar."""
        return round(100 * self.complete / self.parties) if self.parties else 0


def dashboard_html(
    ws: Workspace, tracker: Tracker, mou_id: str | None, today: date, now: datetime
) -> str:
    """The dashboard for one version, or for every version still in force, as HTML."""
    panels = version_panels(ws, tracker, mou_id)
    calendar: list[Review] = reviews(ws, today)
    events: list[EventRecord] = list(reversed(tracker.events(limit=EVENT_LIMIT)))
    return _template().render(
        panels=panels,
        roles=ROLES,
        reviews=calendar,
        events=events,
        today=today,
        generated_at=now.isoformat(timespec="seconds"),
        version=__version__,
    )


def version_panels(ws: Workspace, tracker: Tracker, mou_id: str | None) -> list[VersionPanel]:
    """The dashboard's panels: one version's, or those of every version still in force."""
    return [_panel(ws, tracker, entry) for entry in _versions(ws, mou_id)]


def _versions(ws: Workspace, mou_id: str | None) -> list[MouEntry]:
    # Without an id, the versions still in force: one signing round per region.
    if mou_id is not None:
        return select_versions(ws.catalog, mou_id)
    return [e for e in ws.catalog.entries.values() if ws.catalog.successor(e.mou.id) is None]


def _panel(ws: Workspace, tracker: Tracker, entry: MouEntry) -> VersionPanel:
    rows = status(
        ws.catalog,
        tracker,
        entry.mou.id,
        archive_root=ws.root,
        revoked=revoked_certificates(ws),
    )
    return VersionPanel(entry.mou.id, entry.mou.title, entry.region.name, rows)


def _event_summary(detail: dict[str, Any]) -> str:
    """The few details of an event a reader scans for (signer, verdict, who issued...)."""
    return "; ".join(f"{k}: {_plain(detail[k])}" for k in _SUMMARY_KEYS if detail.get(k))


def _event_detail(detail: dict[str, Any]) -> str:
    """Every detail of an event, one per line, for the row's tooltip."""
    return "\n".join(f"{k}: {_plain(v)}" for k, v in detail.items() if v is not None)


def _plain(value: object) -> str:
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("mougen", "data/reports"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["summary"] = _event_summary
    env.filters["detail"] = _event_detail
    return env.get_template("dashboard.html.j2")
