"""The Jinja context a template is rendered with: the authority, its signatories, the MoU."""

from __future__ import annotations

from typing import Any

from mougen.config import Authority
from mougen.config.catalog import MouEntry
from mougen.roles import ROLES

#: What a placeholder rendering prints where an authority's details would go.
PLACEHOLDER_NAME = "[Authority]"


def authority_context(entry: MouEntry, authority: Authority) -> dict[str, Any]:
    """The context for one party to an MoU version."""
    return {
        "authority": {"slug": authority.slug, "name": authority.name, "council": authority.council},
        "signatories": {
            role.key: {
                "name": authority.signatories.for_role(role.id).name,
                "email": authority.signatories.for_role(role.id).email,
                "title": role.title,
            }
            for role in ROLES
        },
        "mou": {"id": entry.mou.id, "title": entry.mou.title},
    }


def placeholder_context(entry: MouEntry) -> dict[str, Any]:
    """A context with placeholders in place of any one authority's details."""
    blank = Authority(
        slug="authority", name=PLACEHOLDER_NAME, council=f"{PLACEHOLDER_NAME} Council"
    )
    return authority_context(entry, blank)
