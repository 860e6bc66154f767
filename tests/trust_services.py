"""Local trust services for long-term signature tests, on 127.0.0.1 only.

One HTTP server plays an RFC 3161 timestamp authority (``/tsa``), an OCSP responder for the
TSA's certificates (``/ocsp``) and a CRL repository (``/crl/<name>``, where a test publishes
what ``mougen ca crl`` wrote). The TSA root, its TSA certificates and the OCSP answers are
made at run time with ``cryptography``; the tokens with pyHanko's dummy stamper.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper

from tests.background import serve_in_background
from tests.pki import Issued, TestPki


class TrustServices:
    """A TSA, its OCSP responder and a CRL repository; use as a context manager."""

    def __init__(self, tsa_validity: timedelta = timedelta(days=3650)):
        self.pki = TestPki("mougen Test TSA Root")
        self.crls: dict[str, bytes] = {}
        self.revoked: dict[int, datetime] = {}
        self.tsa_certs: dict[int, x509.Certificate] = {}
        # Seconds the responder takes to answer, stamping its answer "now" when it is done.
        self.ocsp_delay = 0.0
        self.tsa_requests = 0  # timestamps asked for, so far
        self.responder = self._ocsp_responder()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.rotate_tsa(tsa_validity)

    @property
    def tsa_url(self) -> str:
        return f"{self.url}/tsa"

    def crl_url(self, name: str) -> str:
        return f"{self.url}/crl/{name}"

    def publish_crl(self, name: str, path: Path) -> None:
        self.crls[name] = path.read_bytes()

    def write_root(self, path: Path) -> Path:
        return self.pki.root.write_pem(path)

    def rotate_tsa(self, validity: timedelta) -> Issued:
        """Give the TSA a new certificate, valid from a day ago for ``validity``."""
        ocsp_url = x509.UniformResourceIdentifier(f"{self.url}/ocsp")
        responder = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, ocsp_url)
        self.tsa = self._issue(
            "mougen Test TSA",
            ExtendedKeyUsageOID.TIME_STAMPING,
            validity,
            x509.AuthorityInformationAccess([responder]),
        )
        self.tsa_certs[self.tsa.cert.serial_number] = self.tsa.cert
        self.stamper = DummyTimeStamper(
            tsa_cert=_asn1(self.tsa.cert),
            tsa_key=keys.PrivateKeyInfo.load(
                self.tsa.key.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            certs_to_embed=[_asn1(self.pki.root.cert)],
        )
        return self.tsa

    def _ocsp_responder(self) -> Issued:
        """A delegated OCSP signer (id-pkix-ocsp-nocheck), as real responders use."""
        return self._issue(
            "mougen Test OCSP",
            ExtendedKeyUsageOID.OCSP_SIGNING,
            timedelta(days=3650),
            x509.OCSPNoCheck(),
        )

    def _issue(
        self,
        name: str,
        usage: x509.ObjectIdentifier,
        validity: timedelta,
        extra: x509.ExtensionType,
    ) -> Issued:
        """A certificate from the TSA root for one purpose, valid from a day ago."""
        key = self.pki.signer("unused").key  # any fresh RSA key will do
        now = datetime.now(UTC)
        root = self.pki.root
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(root.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + validity)
            .add_extension(x509.ExtendedKeyUsage([usage]), critical=True)
            .add_extension(extra, critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root.key.public_key()), False
            )
            .sign(root.key, hashes.SHA256())
        )
        return Issued(cert, key, [root.cert])

    def ocsp_answer(self, request_der: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(request_der)
        cert = self.tsa_certs.get(request.serial_number)
        if cert is None:
            return ocsp.OCSPResponseBuilder.build_unsuccessful(
                ocsp.OCSPResponseStatus.UNAUTHORIZED
            ).public_bytes(serialization.Encoding.DER)
        time.sleep(self.ocsp_delay)
        now = datetime.now(UTC)
        revoked_at = self.revoked.get(cert.serial_number)
        response = (
            ocsp.OCSPResponseBuilder()
            .add_response(
                cert=cert,
                issuer=self.pki.root.cert,
                algorithm=hashes.SHA1(),
                cert_status=ocsp.OCSPCertStatus.REVOKED if revoked_at else ocsp.OCSPCertStatus.GOOD,
                this_update=now,
                next_update=now + timedelta(days=1),
                revocation_time=revoked_at,
                revocation_reason=x509.ReasonFlags.key_compromise if revoked_at else None,
            )
            .responder_id(ocsp.OCSPResponderEncoding.HASH, self.responder.cert)
            .certificates([self.responder.cert])
            .sign(self.responder.key, hashes.SHA256())
        )
        return response.public_bytes(serialization.Encoding.DER)

    def __enter__(self) -> TrustServices:
        serve_in_background(self.server)
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _handler(services: TrustServices) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.path == "/tsa":
                services.tsa_requests += 1
                request = tsp.TimeStampReq.load(body)
                reply = asyncio.run(services.stamper.async_request_tsa_response(request))
                self._reply(reply.dump(), "application/timestamp-reply")
            elif self.path == "/ocsp":
                self._reply(services.ocsp_answer(body), "application/ocsp-response")
            else:
                self.send_error(404)

        def do_GET(self) -> None:
            name = self.path.removeprefix("/crl/")
            if self.path.startswith("/crl/") and name in services.crls:
                self._reply(services.crls[name], "application/pkix-crl")
            else:
                self.send_error(404)

        def _reply(self, data: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    return Handler
