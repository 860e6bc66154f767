"""The programme CA: a root per region that issues signatories' signing certificates."""

from mougen.pki.ca import RegionCa, ca_cert_path, ca_dir, init_ca, load_ca
from mougen.pki.issue import (
    CertificateHolder,
    IssuedCertificate,
    configured_signatory,
    issue_certificate,
    write_pkcs12,
)
from mougen.pki.trust import region_trust_roots

__all__ = [
    "CertificateHolder",
    "IssuedCertificate",
    "RegionCa",
    "ca_cert_path",
    "ca_dir",
    "configured_signatory",
    "init_ca",
    "issue_certificate",
    "load_ca",
    "region_trust_roots",
    "write_pkcs12",
]
