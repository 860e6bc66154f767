"""The human-readable verification output: a table per file and a verdict line.

Everything taken from the file or a certificate is passed through :func:`printable`, so no
name can start a line of its own.
"""

from __future__ import annotations

from mougen.printable import printable
from mougen.verify.provenance import Provenance
from mougen.verify.status import FileReport, Modification, SignatureReport
from mougen.verify.verdict import Verdict

_HEADER = ("FIELD", "SIGNER", "SIGNED AT", "INTACT", "TRUSTED", "REVOKED", "CHANGES", "INDICATION")


def render_text(found: Verdict) -> str:
    """The table of a file's signatures and document timestamps (their TSA as the signer),
    the unsigned roles, its provenance and the verdict."""
    lines = [printable(found.file)]
    report = found.report
    if report is not None:
        lines += _signature_lines(report)
        lines += [f"  problem: {printable(p)}" for p in report.problems]
        lines += [
            f"  metadata: {printable(str(c))}"
            for c in report.metadata_changes
            if str(c) not in report.problems
        ]
        if report.missing_roles:
            lines.append("  unsigned: " + ", ".join(report.missing_roles))
    if found.provenance is not None:
        lines.append(_provenance_line(found.provenance))
    lines.append("  verdict: " + verdict_line(found))
    return "\n".join(lines)


def verdict_line(found: Verdict) -> str:
    """One line: fully executed, or what stops it being so."""
    if found.bottom_line:
        return "VALID: fully executed, every signature valid and trusted"
    return "NOT VALID: " + printable("; ".join(found.reasons))


def _signature_lines(report: FileReport) -> list[str]:
    if not report.signatures:
        return []
    rows = [_HEADER, *(_row(s) for s in _everything(report))]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
    lines = [
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows
    ]
    # The reason a change after signing was refused, and warnings: the table cannot hold them.
    lines += [
        f"  {s.field}: {printable(s.changes)}"
        for s in report.signatures
        if s.changes and s.modification is Modification.OTHER
    ]
    return lines + [
        f"  {s.field}: warning: {printable(w)}" for s in report.signatures for w in s.warnings
    ]


def _provenance_line(found: Provenance) -> str:
    issued = f"issued as {found.mou} for {found.authority}" if found.mou else "NOT issued here"
    return "  provenance: " + printable(issued + "".join(f"; {p}" for p in found.problems))


def _everything(report: FileReport) -> list[SignatureReport]:
    return [*report.signatures, *report.document_timestamps]


def _row(s: SignatureReport) -> tuple[str, ...]:
    indication = s.indication.value + (f"/{s.sub_indication}" if s.sub_indication else "")
    return (
        printable(s.field),
        printable(s.signer or "?"),
        (s.signing_time or "-")[:19].replace("T", " "),
        _yes(s.intact),
        _yes(s.trusted),
        _yes(s.revoked),
        s.modification.value,
        indication,
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
