"""Sign a PDF in place with LibreOffice, as a signatory using LibreOffice would.

Run by Debian's own ``python3`` (which has ``python3-uno``), not by the project's venv:

    python3 tests/libreoffice_sign.py PDF NSSDB

LibreOffice is started headless with a throwaway profile and its certificate store set to
the NSS database NSSDB (``sql:DIR``), which must hold exactly one key and certificate.
The PDF is signed through UNO's ``XDocumentDigitalSignatures.signDocumentWithCertificate``.
Exit status 0 when signed; 3 when LibreOffice could not be reached or would not sign.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid

import uno
from com.sun.star.connection import NoConnectException

CANNOT_SIGN = 3


def main(pdf: str, nss_db: str) -> int:
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        pipe = f"mougen-{uuid.uuid4().hex}"
        office = subprocess.Popen(
            [
                "soffice", "--headless", "--invisible", "--norestore", "--nologo",
                f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}",
                f"--accept=pipe,name={pipe};urp;",
            ],
            env={**os.environ, "MOZILLA_CERTIFICATE_FOLDER": nss_db},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            context = _connect(pipe)
            if context is None:
                print("LibreOffice did not answer on its UNO pipe", file=sys.stderr)
                return CANNOT_SIGN
            return _sign(context, os.path.abspath(pdf))
        finally:
            office.terminate()
            office.wait(60)


def _connect(pipe: str):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    for _ in range(1200):  # a minute, in steps short enough not to keep a ready office waiting
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except NoConnectException:
            time.sleep(0.05)
    return None


def _sign(context, pdf: str) -> int:
    services = context.ServiceManager
    security = services.createInstanceWithContext("com.sun.star.xml.crypto.SEInitializer", context)
    certificates = security.createSecurityContext("").getSecurityEnvironment()
    personal = certificates.getPersonalCertificates()
    if len(personal) != 1:
        print(f"expected one personal certificate, found {len(personal)}", file=sys.stderr)
        return CANNOT_SIGN
    files = services.createInstanceWithContext("com.sun.star.ucb.SimpleFileAccess", context)
    stream = files.openFileReadWrite(uno.systemPathToFileUrl(pdf))
    signatures = services.createInstanceWithContext(
        "com.sun.star.security.DocumentDigitalSignatures", context
    )
    signed = signatures.signDocumentWithCertificate(personal[0], None, stream)
    stream.getOutputStream().closeOutput()
    if not signed:
        print("signDocumentWithCertificate returned false", file=sys.stderr)
        return CANNOT_SIGN
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
