"""The three signatory roles every MoU is signed by, in signing order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Role:
    """A signatory role: its id (also the PDF field name) and how it is titled."""

    id: str
    title: str
    bookmark: str

    @property
    def key(self) -> str:
        """The role id as a Python/Jinja identifier (``lead-member`` -> ``lead_member``)."""
        return self.id.replace("-", "_")


DCS = Role("dcs", "Director of Children’s Services", "sig_dcs")
LEAD_MEMBER = Role("lead-member", "Lead Member for Children’s Services", "sig_lead_member")
CHIEF_EXECUTIVE = Role("chief-executive", "Chief Executive", "sig_chief_executive")

ROLES: tuple[Role, ...] = (DCS, LEAD_MEMBER, CHIEF_EXECUTIVE)
ROLE_IDS: tuple[str, ...] = tuple(r.id for r in ROLES)


def role(role_id: str) -> Role:
    """The role with this id; raises ``UnknownItem`` naming the valid ids otherwise."""
    from mougen.errors import UnknownItem

    for r in ROLES:
        if r.id == role_id:
            return r
    raise UnknownItem(f"unknown role {role_id!r} (expected one of {', '.join(ROLE_IDS)})")
