"""Other tools' signature dates: ``/M`` read as leniently as poppler reads it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta, timezone
from unittest import mock

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.signers import pdf_byterange

from mougen.verify.dates import parse_pdf_date
from tests.pki import TestPki
from tests.verify_docs import issued_pdf, sign, write

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("D:20231117120000Z'", datetime(2023, 11, 17, 12, tzinfo=UTC)),
        ("D:20231117120000Z00'00'", datetime(2023, 11, 17, 12, tzinfo=UTC)),
        (
            "D:20231117120000+01'00'",
            datetime(2023, 11, 17, 12, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("D:20231117120000+0100", datetime(2023, 11, 17, 12, tzinfo=timezone(timedelta(hours=1)))),
        (
            "D:20231117120000-05'30",
            datetime(2023, 11, 17, 12, tzinfo=timezone(-timedelta(hours=5, minutes=30))),
        ),
        ("20231117120000Z", datetime(2023, 11, 17, 12, tzinfo=UTC)),
        ("D:20231117120000 ", datetime(2023, 11, 17, 12, tzinfo=UTC)),
        ("D:202311", datetime(2023, 11, 1, tzinfo=UTC)),
        ("D:2023", datetime(2023, 1, 1, tzinfo=UTC)),
        ("D:191001231120000", datetime(2000, 12, 31, 12, tzinfo=UTC)),
        ("D:20231317", None),
        ("yesterday", None),
    ],
)
def test_date_forms_poppler_accepts(text, expected):
    assert parse_pdf_date(text) == expected


@pytest.mark.parametrize("form", ["D:{}Z'", "D:{}+00'00", "{}Z"])
def test_pades_signature_with_another_tools_date(run_cli, tmp_path, form):
    pki = TestPki()
    root = pki.root.write_pem(tmp_path / "root.pem")
    claimed = NOW - timedelta(minutes=1)
    written = form.format(claimed.strftime("%Y%m%d%H%M%S"))
    # A PAdES signature claims its time only in /M; here /M has the form LibreOffice writes.
    with mock.patch.object(pdf_byterange, "pdf_date", lambda _: generic.TextStringObject(written)):
        signed = sign(issued_pdf(), "dcs", pki.signer("Dana Director"), cades=True)
    [embedded] = PdfFileReader(io.BytesIO(signed), strict=False).embedded_signatures
    assert str(embedded.sig_object["/M"]) == written
    assert "signing_time" not in str(embedded.signer_info["signed_attrs"].native)
    pdf = write(tmp_path / "lo.pdf", signed)
    result = run_cli("verify", str(pdf), "--trust", str(root), "--json")
    [report] = json.loads(result.stdout)
    [s] = report["signatures"]
    assert (s["indication"], s["sub_indication"]) == ("TOTAL_PASSED", None)
    assert datetime.fromisoformat(s["signing_time"]) == claimed
