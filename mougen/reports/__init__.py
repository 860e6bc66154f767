"""Reports on signing rounds and reviews: status, chase list, review calendar, dashboard.

Each report is a function returning plain data; the CLI (``mougen.cli.report_cmds``)
only prints it.
"""

from mougen.reports.chase import ChaseRow, chase, write_chase_csv
from mougen.reports.check import check_workspace
from mougen.reports.dashboard import dashboard_html
from mougen.reports.reviews import Review, check_review_dates, due_within, reviews
from mougen.reports.status import (
    RoleState,
    StatusRow,
    completion,
    select_versions,
    status,
    write_status_csv,
)

__all__ = [
    "ChaseRow",
    "Review",
    "RoleState",
    "StatusRow",
    "chase",
    "check_review_dates",
    "check_workspace",
    "completion",
    "dashboard_html",
    "due_within",
    "reviews",
    "select_versions",
    "status",
    "write_chase_csv",
    "write_status_csv",
]
