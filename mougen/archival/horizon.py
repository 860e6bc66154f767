"""When a signed PDF stops being provable: when the certificates behind its newest proof expire.

With document timestamps, the newest one vouches for everything before it, so its TSA's chain
is what runs out. Without one, each signature rests on its own chain and its own timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from asn1crypto import x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import EmbeddedPdfSignature
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter


def protection_expires(reader: PdfFileReader) -> datetime | None:
    """When the first certificate the file's newest proof depends on expires (None: unsigned)."""
    stamps = reader.embedded_timestamp_signatures
    if stamps:
        return _chain_expires(stamps[-1].signer_cert, stamps[-1].other_embedded_certs)
    ends = [end for sig in reader.embedded_regular_signatures for end in _signature_ends(sig)]
    return min(ends, default=None)


def _signature_ends(sig: EmbeddedPdfSignature) -> list[datetime]:
    ends = [_chain_expires(sig.signer_cert, sig.other_embedded_certs)]
    for token in extract_tst_data_iter(sig.signer_info, signed=False):
        certs = [c.chosen for c in token["certificates"] or () if c.name == "certificate"]
        ends.append(min(c.not_valid_after for c in certs))
    return ends


def _chain_expires(cert: x509.Certificate, others: Iterable[x509.Certificate]) -> datetime:
    # The certificates carried with a signature are its chain (and perhaps its root).
    return min(c.not_valid_after for c in [cert, *others])
