"""Reading the archive (issued manifests and signed PDFs) as facts the tracker records.

The archive is the ground truth: ``issued/<mou>/<authority>/<pdf sha256>.json`` is what
pack sent out and ``signed/<mou>/<authority>/<sha256>.pdf`` is what collect filed. Paths
the tracker stores are relative to the workspace, in POSIX form.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from mougen.digest import sha256_hex
from mougen.errors import MougenError, PdfReadError, UnknownItem
from mougen.pack.manifest import Manifest
from mougen.tracker.records import IssueRecord, SignatureFacts
from mougen.verify import FileReport, SignatureReport
from mougen.workflow.checking import Checker
from mougen.workspace import Workspace


def manifest_issue(ws: Workspace, path: Path) -> IssueRecord:
    """The issue one issued manifest records."""
    try:
        manifest = Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise MougenError(f"cannot read manifest ({exc.strerror})", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MougenError("manifest is not JSON", path) from None
    except KeyError as exc:
        raise MougenError(f"manifest has no {exc.args[0]!r}", path) from None
    except (TypeError, ValueError) as exc:
        raise MougenError(f"manifest is malformed ({exc})", path) from None
    return IssueRecord(
        mou=manifest.mou,
        authority=manifest.authority,
        pdf_sha256=manifest.issued_pdf_sha256,
        issued_at=_aware(manifest.generated_at),
        issued_by=manifest.issued_by,
        manifest=_relative(ws, path),
    )


def signed_file_signatures(ws: Workspace, path: Path, checker: Checker) -> list[SignatureFacts]:
    """The facts of each signature in one archived PDF, judged afresh by ``checker``."""
    data = _read(path)
    if sha256_hex(data) != path.stem:
        raise MougenError("content does not match its name: changed inside the archive", path)
    _region(ws, path.parent.parent.name, path)
    verdict = checker.check_bytes(data, str(path))
    if verdict.report is None:
        raise PdfReadError(verdict.error or "unreadable", path)
    return signature_records(ws, path, data, verdict.report)


def signature_records(
    ws: Workspace, path: Path, data: bytes, report: FileReport
) -> list[SignatureFacts]:
    """The facts of each signature of an archived file's report, to record in the tracker."""
    file_sha256 = sha256_hex(data)
    return [_signature(ws, path, file_sha256, s) for s in report.signatures]


def _signature(
    ws: Workspace, path: Path, file_sha256: str, report: SignatureReport
) -> SignatureFacts:
    if report.cert_sha256 is None or report.signature_sha256 is None:
        raise MougenError(f"signature {report.field!r} is unreadable", path)
    verdict = report.indication.value
    return SignatureFacts(
        mou=path.parent.parent.name,
        authority=path.parent.name,
        role=report.field,
        signer_name=report.signer,
        signer_email=report.email,
        cert_sha256=report.cert_sha256,
        signed_at=_when(report.signing_time),
        timestamp_at=_when(report.timestamp),
        verdict=f"{verdict}/{report.sub_indication}" if report.sub_indication else verdict,
        signature_sha256=report.signature_sha256,
        archive_path=_relative(ws, path),
        file_sha256=file_sha256,
    )


def _region(ws: Workspace, mou: str, path: Path) -> None:
    """An archived file must be filed under an MoU the workspace knows."""
    try:
        ws.catalog.mou(mou)
    except UnknownItem as exc:
        raise MougenError(f"filed under an unknown MoU: {exc.detail}", path) from None


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PdfReadError(f"cannot read ({exc.strerror})", path) from None


def _when(iso: str | None) -> datetime | None:
    return _aware(datetime.fromisoformat(iso)) if iso else None


def _aware(moment: datetime) -> datetime:
    """The time itself, or taken as UTC if it was written without a zone."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _relative(ws: Workspace, path: Path) -> str:
    return path.relative_to(ws.root).as_posix()
