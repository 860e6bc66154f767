"""The difference policy: pyHanko's standard rules, plus the harmless habits of other signing tools.

pyHanko's ``DEFAULT_DIFF_POLICY`` rejects documents signed in turn by poppler's ``pdfsig``,
because poppler's incremental updates differ from pyHanko's in three harmless ways:

* it stamps the signature widget it fills with an annotation date (``/M``), a key with no
  effect on what is shown, and other tools may later drop or rewrite that date;
* it puts new objects (the signature dictionary, a fresh appearance stream) in object numbers
  that an earlier writer left unused below ``/Size``, which pyHanko takes for existing objects;
* it re-writes the replaced blank appearance of the field under the next generation number and
  then leaves that object unreferenced;

and pyHanko, signing after poppler, sets the ``AppendOnly`` bit of ``/SigFlags`` that poppler
left clear. The rules below allow exactly those changes.

It is also stricter than pyHanko's in what a MoU allows after a signature: the only form
changes are signatures in the role fields. So it refuses an appearance given to a signature
field without signing it (the "sneaky signature", IEEE S&P 2021), any new field other than a
role field (a signature field whose appearance overlays the text), and any form field that is
not a signature field (shadow hide-and-replace, NDSS 2021). Every other change is judged by
pyHanko's own rules, unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign.diff_analysis import (
    DEFAULT_DIFF_POLICY,
    BaseFieldModificationRule,
    FieldComparisonContext,
    FieldComparisonSpec,
    FormUpdate,
    FormUpdatingRule,
    ModificationLevel,
    QualifiedWhitelistRule,
    ReferenceUpdate,
    SigFieldCreationRule,
    SigFieldModificationRule,
    StandardDiffPolicy,
    SuspiciousModification,
)
from pyhanko.sign.diff_analysis.commons import compare_dicts
from pyhanko.sign.diff_analysis.constants import (
    ACROFORM_EXEMPT_STRICT_COMPARISON,
    FORMFIELD_ALWAYS_MODIFIABLE,
    VALUE_UPDATE_KEYS,
)

from mougen.roles import ROLE_IDS

#: The widget annotation's "last modified" date: shown nowhere, rewritten by poppler.
ANNOTATION_DATE = "/M"


def _unused_slot(resolver: HistoricalResolver, ref: generic.Reference) -> bool:
    """Whether ``ref`` was never defined in this revision and nothing in it refers to it."""
    if resolver.reader.xrefs.get_historical_ref(ref, resolver.revision) is not None:
        return False
    resolver._load_reverse_xref_cache()
    return not resolver._get_usages_of_ref(ref)


class _SlotAwareResolver(HistoricalResolver):
    """A revision in which an unused, never-defined object number counts as not yet assignable."""

    def is_ref_unassignable(self, ref: generic.Reference) -> bool:
        return super().is_ref_unassignable(ref) or _unused_slot(self, ref)


class SigFieldFillingRule(SigFieldModificationRule):
    """pyHanko's signature-field rule, tolerating ``/M`` and signature values in unused slots,
    and refusing a new appearance on a field that stays unsigned."""

    def __init__(self) -> None:
        super().__init__(
            always_modifiable=FORMFIELD_ALWAYS_MODIFIABLE | {ANNOTATION_DATE},
            value_update_keys=VALUE_UPDATE_KEYS | {ANNOTATION_DATE},
        )

    def check_form_field(
        self, fq_name: str, spec: FieldComparisonSpec, context: FieldComparisonContext
    ) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        _refuse_unsigned_appearance(fq_name, spec)
        old = _SlotAwareResolver(context.old.reader, context.old.revision)
        slot_aware = FieldComparisonContext(context.field_specs, old, context.new)
        yield from super().check_form_field(fq_name, spec, slot_aware)


def _refuse_unsigned_appearance(fq_name: str, spec: FieldComparisonSpec) -> None:
    """A signature field that changes while it stays unsigned: the "sneaky signature"."""
    old, new = spec.old_field, spec.new_field
    if spec.field_type != "/Sig" or old is None or new is None or "/V" in new:
        return
    if not compare_dicts(old, new, FORMFIELD_ALWAYS_MODIFIABLE | {ANNOTATION_DATE}, False):
        raise SuspiciousModification(
            f"sneaky signature: unsigned signature field {fq_name!r} changed "
            "(appearance or position) without being signed"
        )


class RoleFieldsOnlyRule(BaseFieldModificationRule):
    """After a signature, no new field but a role field (or an invisible document timestamp,
    which long-term validation adds), and no form field but a signature field."""

    def check_form_field(
        self, fq_name: str, spec: FieldComparisonSpec, context: FieldComparisonContext
    ) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        new_field = spec.new_field  # None exactly when the field is not in the new revision
        if new_field is None or spec.old_field_ref is not None:
            return
        if spec.field_type != "/Sig":
            raise SuspiciousModification(
                f"shadow attack: form field {fq_name!r} of type {spec.field_type} added "
                "after signing (a MoU has only signature fields)"
            )
        if fq_name not in ROLE_IDS and not _invisible_document_timestamp(new_field):
            raise SuspiciousModification(
                f"new signature field {fq_name!r} added after signing (only the role fields "
                f"{', '.join(ROLE_IDS)} may be signed)"
            )
        yield from ()


class SigFlagsFormRule(FormUpdatingRule):
    """pyHanko's form rule, also letting ``/SigFlags`` gain bits (never lose them)."""

    def __init__(self) -> None:
        super().__init__(
            field_rules=[
                RoleFieldsOnlyRule(),
                SigFieldCreationRule(),
                SigFieldFillingRule(),
            ],
            ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
        )

    def apply(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, FormUpdate]]:
        before, after = _sig_flags(old), _sig_flags(new)
        if before & after != before:
            raise SuspiciousModification(f"/SigFlags lost bits: {before} changed to {after}")
        yield from super().apply(old, new)


def _invisible_document_timestamp(field: generic.DictionaryObject) -> bool:
    """Whether ``field`` holds a document timestamp and shows nothing on any page."""
    value = field.get("/V")
    value = value.get_object() if value is not None else None
    if not isinstance(value, generic.DictionaryObject) or value.get("/Type") != "/DocTimeStamp":
        return False
    widgets = [k.get_object() for k in field.get("/Kids", ())] or [field]
    return all(_empty_rect(w.get("/Rect")) for w in widgets)


def _empty_rect(rect: Any) -> bool:
    if rect is None:
        return True
    x1, y1, x2, y2 = (float(n) for n in rect)
    return x1 == x2 or y1 == y2


def _sig_flags(resolver: HistoricalResolver) -> int:
    try:
        return int(resolver.root["/AcroForm"]["/SigFlags"])
    except (KeyError, TypeError):
        return 0


class UnreferencedObjectRule(QualifiedWhitelistRule):
    """Objects written under a number that no object refers to, before or after: invisible.

    poppler leaves such objects behind (the blank appearance it replaced, re-written under the
    next generation; a spare appearance stream in an unused slot). pyHanko already ignores new
    unreferenced objects; this extends that to re-used object numbers, provided neither the old
    revision nor the new one refers to any generation of that number.
    """

    def apply_qualified(
        self, old: HistoricalResolver, new: HistoricalResolver
    ) -> Iterable[tuple[ModificationLevel, ReferenceUpdate]]:
        reused = [ref for ref in new.explicit_refs_in_revision() if _reused_number(old, ref)]
        if not reused:
            return  # the usual case; spare the scans of both revisions below
        old._load_reverse_xref_cache()
        new._load_reverse_xref_cache()
        for ref in reused:
            if old._get_usages_of_ref(ref):
                continue
            if not any(new._get_usages_of_ref(g) for g in _generations_of(ref)):
                yield ModificationLevel.LTA_UPDATES, ReferenceUpdate(ref)


def _reused_number(old: HistoricalResolver, ref: generic.Reference) -> bool:
    """Whether ``ref`` is new, under an object number the old revision already had in range."""
    in_range = not old.is_ref_unassignable(ref)
    return in_range and old.reader.xrefs.get_historical_ref(ref, old.revision) is None


def _generations_of(ref: generic.Reference) -> list[generic.Reference]:
    """``ref`` and every older generation of its object number."""
    return [generic.Reference(ref.idnum, g) for g in range(ref.generation + 1)]


MOUGEN_DIFF_POLICY = StandardDiffPolicy(
    global_rules=[*DEFAULT_DIFF_POLICY.global_rules, UnreferencedObjectRule()],
    form_rule=SigFlagsFormRule(),
)
"""pyHanko's default policy, with the tolerances above for multi-tool signing."""
