"""The public ``/verify`` page: upload a PDF, get the verdict or the report PDF; nothing is kept.

Anyone may use it, so it is held in: a per-address limit, a bounded pool of verification
slots shared by the workers (others wait briefly, then get 503 and ``Retry-After``), each
check held to a time and memory limit, and checks counted rather than logged one by one.
"""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask.typing import ResponseReturnValue

from mougen.collect.checks import Rejection
from mougen.round.intake import PDF_MAGIC
from mougen.verify.provenance import Provenance
from mougen.verify.report_pdf import audit_report_pdf
from mougen.verify.verdict import Verdict
from mougen.web.context import now, signing_round
from mougen.web.forms import UploadForm
from mougen.web.pool import BUSY_RETRY_SECONDS, RATE_RETRY_SECONDS, checking
from mougen.web.public_result import PublicResult, public_result
from mougen.web.slots import Busy
from mougen.web.views.uploads import uploaded_bytes

bp = Blueprint("auditor", __name__)


@bp.route("/verify", methods=["GET", "POST"])
def verify() -> ResponseReturnValue:
    form = UploadForm()
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("verify.html", form=form), status
    service = signing_round()
    settings = service.settings
    if not service.store.allow("verify", request.remote_addr, settings.verify_per_address):
        why = "You have checked many files in a short time."
        return _refused(form, why, 429, RATE_RETRY_SECONDS)
    checker = service.checker()
    try:
        data = uploaded_bytes(form, settings.upload_limit)
        if not data.startswith(PDF_MAGIC):
            raise Rejection("this is not a PDF file")
        with checking(service, reserved=False):
            verdict = checker.check_bytes(data, "uploaded.pdf")
    except Busy:
        return _refused(form, "The service is busy checking other files.", 503, BUSY_RETRY_SECONDS)
    except Rejection as exc:
        return render_template("verify.html", form=form, error=exc.detail), 422
    report, found, records = verdict.report, verdict.provenance, checker.spec.records
    if report is None or found is None or records is None:  # the round's spec has its records
        return render_template("verify.html", form=form, error=verdict.error), 422
    valid = verdict.bottom_line
    # Anonymous checks are counted, not logged one by one.
    service.store.count("verified-valid" if valid else "verified-not-valid", now().date())
    result = public_result(report, found, valid, records.catalog, records.trust)
    if "report" in request.form:
        told = Provenance(found.mou, found.authority, _public_findings(result))
        shown = Verdict(report.file, report, told)
        roots = checker.spec.settings.trust_roots
        pdf = audit_report_pdf([shown], roots, now())
        headers = {"Content-Disposition": 'attachment; filename="verification-report.pdf"'}
        return Response(pdf, mimetype="application/pdf", headers=headers)
    return render_template("verified.html", report=report, result=result)


def _refused(form: UploadForm, why: str, status: int, retry_after: int) -> ResponseReturnValue:
    message = f"{why} Try again in {_minutes(retry_after)}."
    page = render_template("verify.html", form=form, error=message)
    return page, status, {"Retry-After": str(retry_after)}


def _minutes(seconds: int) -> str:
    return f"{seconds} seconds" if seconds < 60 else f"{seconds // 60} minutes"


def _public_findings(result: PublicResult) -> tuple[str, ...]:
    why_nots = tuple(f"{s.role}: {s.why_not}" for s in result.signatures if s.why_not)
    return result.findings + why_nots
