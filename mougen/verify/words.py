"""A signature's outcome in the words a person reading a certificate or report expects:
"valid", or what stops it counting, in place of ETSI's indications."""

from __future__ import annotations

from mougen.verify.status import Indication, SignatureReport

#: What each ETSI sub-indication means to someone who is not a PKI specialist.
_REASONS = {
    "HASH_FAILURE": "the document changed after signing",
    "SIG_CRYPTO_FAILURE": "the signature does not match the document",
    "FORMAT_FAILURE": "the signature's format, or a change after signing, is not allowed",
    "REVOKED": "the signer's certificate was revoked",
    "REVOKED_NO_POE": "the signer's certificate was revoked",
    "NO_CERTIFICATE_CHAIN_FOUND": "the signer's root is not trusted",
    "NO_SIGNING_CERTIFICATE_FOUND": "the signer's certificate is missing",
    "OUT_OF_BOUNDS_NO_POE": "the signer's certificate had expired or was not yet valid",
    "OUT_OF_BOUNDS_NOT_REVOKED": "the signer's certificate had expired or was not yet valid",
    "TRY_LATER": "revocation information is not available yet",
    "REVOCATION_OUT_OF_BOUNDS_NO_POE": "the revocation information is out of date",
    "CHAIN_CONSTRAINTS_FAILURE": "the signer's certificate chain breaks its constraints",
    "CRYPTO_CONSTRAINTS_FAILURE": "the signature uses an algorithm no longer accepted",
}


def outcome(signature: SignatureReport) -> str:
    """``valid``, or ``not valid: <why>`` / ``cannot be confirmed: <why>`` in plain words."""
    if signature.indication is Indication.TOTAL_PASSED:
        return "valid"
    sub = signature.sub_indication or ""
    why = _REASONS.get(sub) or sub.replace("_", " ").lower() or "no reason given"
    if signature.indication is Indication.TOTAL_FAILED:
        return f"not valid: {why}"
    return f"cannot be confirmed: {why}"
