"""Loading a signer: a PKCS#12 file, or a key on a PKCS#11 token (a smartcard or HSM)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from asn1crypto import x509
from pkcs11 import PinIncorrect, PKCS11Error
from pyhanko.config.pkcs11 import TokenCriteria
from pyhanko.keys import load_certs_from_pemder
from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session
from pyhanko.sign.signers import Signer, SimpleSigner

from mougen.errors import MougenError, SigningError


def load_pkcs12(path: Path, passphrase: bytes | None, chain: Sequence[Path] = ()) -> Signer:
    """The signer held in a PKCS#12 file, with any extra chain certificates from PEM files."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise MougenError(f"cannot read: {exc.strerror}", path) from None
    try:
        return SimpleSigner.load_pkcs12_data(data, load_chain(chain), passphrase or None)
    except ValueError:
        raise SigningError(
            "cannot open the PKCS#12 file: wrong passphrase, or not a PKCS#12 file", path
        ) from None


@contextmanager
def pkcs11_signer(
    library: Path,
    token_label: str,
    key_label: str,
    pin: bytes,
    *,
    cert_label: str | None = None,
    chain: Sequence[Path] = (),
) -> Iterator[Signer]:
    """A signer for a key on a PKCS#11 token, for as long as the token session is open.

    The certificate is the one labelled ``cert_label`` (by default, the key's own label).
    """
    if not library.is_file():
        raise MougenError("PKCS#11 library not found", library)
    extra_certs = load_chain(chain)
    try:
        session = open_pkcs11_session(
            str(library), token_criteria=TokenCriteria(label=token_label), user_pin=pin.decode()
        )
    except PinIncorrect:
        raise SigningError(f"wrong PIN for token {token_label!r}") from None
    except PKCS11Error as exc:
        problem = str(exc) or type(exc).__name__
        raise SigningError(f"cannot open token {token_label!r}: {problem}") from None
    try:
        signer = PKCS11Signer(
            session, cert_label=cert_label or key_label, key_label=key_label, ca_chain=extra_certs
        )
        # Find the key and certificate now, so a wrong label is reported before any signing.
        _ = signer.signing_cert
    except PKCS11Error as exc:
        session.close()
        raise SigningError(f"token {token_label!r}: {str(exc) or type(exc).__name__}") from None
    try:
        yield signer
    finally:
        session.close()


def load_chain(paths: Sequence[Path]) -> list[x509.Certificate]:
    """The certificates in PEM or DER files, such as the issuing CA of a signer."""
    certs: list[x509.Certificate] = []
    for path in paths:
        try:
            certs.extend(load_certs_from_pemder([str(path)]))
        except OSError as exc:
            raise MougenError(f"cannot read: {exc.strerror}", path) from None
        except ValueError:
            raise MougenError("not a PEM or DER certificate file", path) from None
    return certs
