"""The schema of a region file (``regions/*.yaml``), as pydantic models."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic.functional_validators import AfterValidator, BeforeValidator

from mougen.printable import is_safe, printable
from mougen.roles import ROLE_IDS

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True, order=True)
class YearMonth:
    """A calendar month such as March 2019; ``month`` is None for a bare year."""

    year: int
    month: int | None = None

    @classmethod
    def parse(cls, value: object) -> YearMonth:
        """Read ``YYYY-MM`` or ``YYYY`` (YAML may hand us an int for the latter)."""
        if isinstance(value, YearMonth):
            return value
        m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?", str(value).strip())
        if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
            raise ValueError(f"expected YYYY-MM or YYYY, got {value!r}")
        return cls(int(m.group(1)), int(m.group(2)) if m.group(2) else None)

    def __str__(self) -> str:
        return f"{self.year}-{self.month:02d}" if self.month else str(self.year)

    @property
    def words(self) -> str:
        """How an MoU writes it: ``March 2019`` (or ``2018``)."""
        return f"{_MONTHS[self.month - 1]} {self.year}" if self.month else str(self.year)

    @property
    def last_month(self) -> tuple[int, int]:
        """The (year, month) this ends on; a bare year ends in December."""
        return (self.year, self.month or 12)


YearMonthField = Annotated[YearMonth, BeforeValidator(YearMonth.parse)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


def _fingerprint(value: object) -> str:
    """A SHA-256 certificate fingerprint as 64 lower-case hex digits (colons and spaces allowed)."""
    digits = re.sub(r"[\s:]", "", str(value)).lower()
    if not re.fullmatch(r"[0-9a-f]{64}", digits):
        raise ValueError(f"expected a SHA-256 fingerprint (64 hex digits), got {value!r}")
    return digits


Fingerprint = Annotated[str, BeforeValidator(_fingerprint)]


def _one_line(value: str) -> str:
    """A name that goes into emails, pages and the audit log: no line break or control."""
    if not is_safe(value):
        raise ValueError(
            f"{printable(value)!r} holds a line break or control character; write it on one line"
        )
    return value


#: Text from the region file that is shown to people: one plain line.
Line = Annotated[str, AfterValidator(_one_line)]


#: How a signatory signs: from their link with a programme key held in the server's token
#: (``remote``), or with a certificate of their own and a tool of their own (``own``).
SigningMethod = Literal["remote", "own"]


def _email(value: str) -> str:
    """pydantic's ``EmailStr`` check, with email_validator imported only when an email is
    checked: ``EmailStr`` imports it (about 17 ms) as the models are built, on every command."""
    from pydantic.networks import validate_email

    return validate_email(value)[1]


#: An email address, checked and normalised exactly as pydantic's ``EmailStr`` does.
Email = Annotated[str, AfterValidator(_email)]


class Signatory(_Strict):
    """A person who signs for an authority in one role.

    ``email`` and ``cert_sha256`` bind certificates from outside the programme CA (a council
    PKI, a commercial CA, a smartcard) to this role: a signature counts for the role when its
    certificate carries that email or has one of those fingerprints. Binding the same email or
    fingerprint under two roles of one authority says that one person holds both.
    """

    name: Line | None = None
    email: Email | None = None
    cert_sha256: list[Fingerprint] = []
    #: How they sign: ``remote`` (from their link, with a programme key in the server's token,
    #: released by an emailed code) or ``own`` (their own certificate); unset: the region's.
    signs: SigningMethod | None = None

    def binds(self, email: str | None, cert_sha256: str | None) -> bool:
        """Whether a certificate with this email and fingerprint is bound to this role."""
        if cert_sha256 is not None and cert_sha256.lower() in self.cert_sha256:
            return True
        return bool(self.email and email and email.lower() == self.email.lower())


class Signatories(_Strict):
    """An authority's signatories by role; any may be unknown until the round starts."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    dcs: Signatory = Signatory()
    lead_member: Signatory = Field(default=Signatory(), alias="lead-member")
    chief_executive: Signatory = Field(default=Signatory(), alias="chief-executive")

    def for_role(self, role_id: str) -> Signatory:
        """The signatory for a role id such as ``lead-member``."""
        return getattr(self, role_id.replace("-", "_"))

    def roles_bound(self, email: str | None, cert_sha256: str | None) -> list[str]:
        """The role ids a certificate with this email and fingerprint is bound to, in order."""
        return [r for r in ROLE_IDS if self.for_role(r).binds(email, cert_sha256)]


class Authority(_Strict):
    """A local authority: its slug, the name an MoU uses, and its council's formal name."""

    slug: Annotated[str, Field(pattern=SLUG)]
    name: Line
    council: Line
    signatories: Signatories = Signatories()


def signing_method(region: Region, authority: Authority, role_id: str) -> SigningMethod:
    """How ``authority``'s signatory in ``role_id`` signs: their own setting, else the region's."""
    return authority.signatories.for_role(role_id).signs or region.signs


class MouVersion(_Strict):
    """One version of a region's MoU: its template, dates and parties."""

    id: Annotated[str, Field(pattern=SLUG)]
    title: Line
    template: str
    commences: YearMonthField
    review_after: YearMonthField | None = None
    supersedes: str | None = None
    parties: list[str]

    @field_validator("template")
    @classmethod
    def _docx(cls, v: str) -> str:
        if not v.endswith(".docx") or "/" in v or "\\" in v:
            raise ValueError("must be a .docx file name inside templates/")
        return v


class Region(_Strict):
    """A region and the programme that coordinates it."""

    id: Annotated[str, Field(pattern=SLUG)]
    name: Line
    programme: Line | None = None
    return_to: Line | None = None
    trust_roots: list[str] = []
    #: Where the coordinator publishes the programme CA's CRL; its certificates name it.
    crl_url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    #: The RFC 3161 timestamp server for B-T and later signatures and archive extension.
    tsa_url: Annotated[str, Field(pattern=r"^https?://")] | None = None
    #: How its signatories sign unless their own entry says otherwise.
    signs: SigningMethod = "own"


class RegionFile(_Strict):
    """Everything in one ``regions/*.yaml`` file."""

    region: Region
    mous: list[MouVersion]
    authorities: list[Authority]

    @model_validator(mode="after")
    def _consistent(self) -> RegionFile:
        slugs = [a.slug for a in self.authorities]
        _no_repeats(slugs, "authorities", "slug")
        _no_repeats([m.id for m in self.mous], "mous", "id")
        known = set(slugs)
        for i, mou in enumerate(self.mous):
            _no_repeats(mou.parties, f"mous.{i}.parties", "party")
            for j, party in enumerate(mou.parties):
                if party not in known:
                    raise ValueError(f"mous.{i}.parties.{j}: {party!r} is not in authorities")
        return self


def _no_repeats(items: list[str], where: str, what: str) -> None:
    seen: set[str] = set()
    for item in items:
        if item in seen:
            raise ValueError(f"{where}: {what} {item!r} appears twice")
        seen.add(item)
