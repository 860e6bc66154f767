"""The public ``/verify`` page: upload a PDF, get the verdict or the report PDF; nothing is kept."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, render_template, request

from mougen.collect.checks import Rejection
from mougen.errors import MougenError
from mougen.round.intake import PDF_MAGIC
from mougen.round.limits import verify_limited
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.trust import load_trust_roots
from mougen.verify.verdict import Verdict
from mougen.web.context import actor, signing_round
from mougen.web.forms import UploadForm
from mougen.web.views.uploads import uploaded_bytes
from mougen.workflow.checking import WorkspaceRecords
from mougen.workflow.provenance import provenance

bp = Blueprint("auditor", __name__)


@bp.route("/verify", methods=["GET", "POST"])
def verify():
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("verify.html", form=form), status
    service = signing_round()
    try:
        data = uploaded_bytes(form, service.settings.upload_limit)
        if not data.startswith(PDF_MAGIC):
            raise Rejection("this is not a PDF file")
        report = verify_limited(
            data,
            "uploaded.pdf",
            service.root_paths,
            seconds=service.settings.verify_seconds,
            memory_mb=service.settings.verify_memory_mb,
        )
    except (Rejection, MougenError) as exc:
        reason = exc.detail if isinstance(exc, MougenError) else str(exc)
        return render_template("verify.html", form=form, error=reason), 422
    records = WorkspaceRecords.of(service.ws, service.tracker)
    found = provenance(report, service.tracker, records.catalog, records.trust)
    verdict = Verdict(report.file, report, found)
    valid = verdict.valid
    service.store.log("verified", report.sha256, actor(), valid=valid)
    if "report" in request.form:
        pdf = audit_report_pdf([verdict], load_trust_roots(service.root_paths), datetime.now(UTC))
        headers = {"Content-Disposition": 'attachment; filename="verification-report.pdf"'}
        return Response(pdf, mimetype="application/pdf", headers=headers)
    return render_template("verified.html", report=report, found=found, valid=valid)
