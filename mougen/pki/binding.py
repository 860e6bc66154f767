"""Who a programme certificate is for, in machine-readable form.

A programme certificate names the region, the authority and the role its holder signs for
as a subjectAltName URI ``urn:mougen:<region>:<authority>:<role>``. Verification reads it
back to bind a signature to the field it fills; signing reads it to refuse the wrong field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from asn1crypto import x509

from mougen.roles import ROLE_IDS

_SCHEME = "urn:mougen:"
_SLUG = r"[a-z0-9]+(?:-[a-z0-9]+)*"
_URN = re.compile(rf"urn:mougen:(?P<region>{_SLUG}):(?P<authority>{_SLUG}):(?P<role>{_SLUG})")


@dataclass(frozen=True)
class ProgrammeBinding:
    """The region, authority and role a programme certificate was issued for."""

    region: str
    authority: str
    role: str

    @property
    def uri(self) -> str:
        """The subjectAltName URI that carries this binding."""
        return f"{_SCHEME}{self.region}:{self.authority}:{self.role}"

    def describe(self) -> str:
        """Plain words for messages: ``the dcs of manchester (north-west)``."""
        return f"the {self.role} of {self.authority} ({self.region})"


def parse_binding_uri(uri: str) -> ProgrammeBinding | None:
    """The binding a URI states, or None if it is not a well-formed mougen URN."""
    m = _URN.fullmatch(uri)
    if m is None or m["role"] not in ROLE_IDS:
        return None
    return ProgrammeBinding(m["region"], m["authority"], m["role"])


def read_binding(cert: x509.Certificate) -> ProgrammeBinding | None:
    """The single binding ``cert`` states in its subjectAltName, if any.

    A certificate naming two different bindings binds nobody: it is treated as naming none.
    """
    san = cert.subject_alt_name_value
    if san is None:
        return None
    found = {
        b
        for name in san
        if name.name == "uniform_resource_identifier"
        and (b := parse_binding_uri(str(name.native))) is not None
    }
    return found.pop() if len(found) == 1 else None
