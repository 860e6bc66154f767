"""Reading the archive (issued manifests and signed PDFs) as facts the tracker records.

The archive is the ground truth: ``issued/<mou>/<authority>/<pdf sha256>.json`` is what
pack sent out and ``signed/<mou>/<authority>/<sha256>.pdf`` is what collect filed. Paths
the tracker stores are relative to the workspace, in POSIX form.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import crl, x509

from mougen.errors import MougenError, PdfReadError, UnknownItem
from mougen.pki import region_trust_roots
from mougen.verify import FileReport, SignatureReport, verify_bytes
from mougen.verify.trust import load_trust_roots
from mougen.workspace import Workspace


def manifest_issue(ws: Workspace, path: Path) -> dict[str, Any]:
    """The ``record_issue`` arguments for one issued manifest."""
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return {
            "mou": manifest["mou"],
            "authority": manifest["authority"],
            "pdf_sha256": manifest["issued_pdf_sha256"],
            "issued_at": _aware(datetime.fromisoformat(manifest["generated_at"])),
            # Manifests do not name a person; the tool that wrote it is what we know.
            "issued_by": manifest.get("issued_by") or f"mougen {manifest['tool_version']}",
            "manifest": _relative(ws, path),
        }
    except OSError as exc:
        raise MougenError(f"cannot read manifest ({exc.strerror})", path) from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise MougenError("manifest is not JSON", path) from None
    except KeyError as exc:
        raise MougenError(f"manifest has no {exc.args[0]!r}", path) from None
    except (TypeError, ValueError) as exc:
        raise MougenError(f"manifest is malformed ({exc})", path) from None


def signed_file_signatures(
    ws: Workspace,
    path: Path,
    *,
    trust: Sequence[x509.Certificate] = (),
    crls: Sequence[crl.CertificateList] = (),
) -> list[dict[str, Any]]:
    """The ``record_signature`` arguments for each signature in one archived PDF.

    Signatures are verified afresh against the region's trust roots and ``trust``.
    """
    data = _read(path)
    if hashlib.sha256(data).hexdigest() != path.stem:
        raise MougenError("content does not match its name: changed inside the archive", path)
    region = _region(ws, path.parent.parent.name, path)
    roots = [*load_trust_roots(region_trust_roots(ws, region)), *trust]
    report = verify_bytes(data, str(path), trust_roots=roots, crls=crls)
    return signature_records(ws, path, data, report)


def signature_records(
    ws: Workspace, path: Path, data: bytes, report: FileReport
) -> list[dict[str, Any]]:
    """The ``record_signature`` arguments for each signature of an archived file's report."""
    common = {
        "mou": path.parent.parent.name,
        "authority": path.parent.name,
        "archive_path": _relative(ws, path),
        "file_sha256": hashlib.sha256(data).hexdigest(),
    }
    return [{**common, **_signature(s, path)} for s in report.signatures]


def _signature(report: SignatureReport, path: Path) -> dict[str, Any]:
    if report.cert_sha256 is None or report.signature_sha256 is None:
        raise MougenError(f"signature {report.field!r} is unreadable", path)
    verdict = report.indication.value
    return {
        "role": report.field,
        "signer_name": report.signer,
        "signer_email": report.email,
        "cert_sha256": report.cert_sha256,
        "signed_at": _when(report.signing_time),
        "timestamp_at": _when(report.timestamp),
        "verdict": f"{verdict}/{report.sub_indication}" if report.sub_indication else verdict,
        "signature_sha256": report.signature_sha256,
    }


def _region(ws: Workspace, mou: str, path: Path) -> str:
    try:
        return ws.catalog.mou(mou).region.id
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
