"""The human-readable verification output: a table per file and a verdict line."""

from __future__ import annotations

from mougen.verify.status import FileReport, Modification, SignatureReport

_HEADER = ("FIELD", "SIGNER", "SIGNED AT", "INTACT", "TRUSTED", "REVOKED", "CHANGES", "INDICATION")


def render_text(report: FileReport) -> str:
    """The table of ``report``'s signatures and document timestamps (their TSA as the
    signer), the unsigned roles, and the verdict."""
    lines = [report.file]
    if report.signatures:
        rows = [_HEADER, *(_row(s) for s in _everything(report))]
        widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER))]
        lines += [
            "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ]
        # The reason a change after signing was refused, which the table cannot hold.
        lines += [
            f"  {s.field}: {s.changes}"
            for s in report.signatures
            if s.changes and s.modification is Modification.OTHER
        ]
    if report.missing_roles:
        lines.append("  unsigned: " + ", ".join(report.missing_roles))
    lines.append("  verdict: " + verdict(report))
    return "\n".join(lines)


def verdict(report: FileReport) -> str:
    """One line: fully executed, or what stops it being so."""
    if report.valid:
        return "VALID: fully executed, every signature valid and trusted"
    problems = [
        f"{s.field} {s.sub_indication or s.indication}" for s in _everything(report) if not s.passed
    ]
    if report.missing_roles:
        problems.append(f"{len(report.missing_roles)} role(s) unsigned")
    return "NOT VALID: " + "; ".join(problems)


def _everything(report: FileReport) -> list[SignatureReport]:
    return [*report.signatures, *report.document_timestamps]


def _row(s: SignatureReport) -> tuple[str, ...]:
    indication = s.indication.value + (f"/{s.sub_indication}" if s.sub_indication else "")
    return (
        s.field,
        s.signer or "?",
        (s.signing_time or "-")[:19].replace("T", " "),
        _yes(s.intact),
        _yes(s.trusted),
        _yes(s.revoked),
        s.modification.value,
        indication,
    )


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"
