"""The flowables the MoU layout adds to platypus: signature anchors and change bars."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.platypus import Flowable, Paragraph

from mougen.render.styles import stylesheet

#: The height of the box a signature goes in, above the role's signature line.
SIGNATURE_BOX_HEIGHT = 46
_LABEL_GAP = 11


@dataclass(frozen=True)
class FieldPlacement:
    """Where a role's signature field goes: a page index and a box in PDF points."""

    role: str
    page: int
    box: tuple[int, int, int, int]


class SignatureAnchor(Flowable):
    """A signature line with room above it for the signature, which it records.

    When drawn it notes its page and the box above the line in ``placements``, so
    the fields are placed exactly where the layout put each role's line.
    """

    def __init__(self, line: Paragraph, role: str, label: str, placements: list[FieldPlacement]):
        super().__init__()
        self.line = line
        self.role = role
        self.label = Paragraph(label, stylesheet()["Field Label"])
        self.placements = placements

    def wrap(self, avail_width, avail_height):
        self.width = avail_width
        self.line_height = self.line.wrap(avail_width, avail_height)[1]
        self.label_height = self.label.wrap(avail_width, avail_height)[1]
        self.height = self.line_height + SIGNATURE_BOX_HEIGHT + self.label_height + 2
        return self.width, self.height

    def draw(self):
        self.line.drawOn(self.canv, 0, 0)
        box_bottom = self.line_height
        self.label.drawOn(self.canv, 0, box_bottom + SIGNATURE_BOX_HEIGHT + 2)
        x0, y0 = self.canv.absolutePosition(0, box_bottom)
        x1, y1 = self.canv.absolutePosition(min(self.width, 240), box_bottom + SIGNATURE_BOX_HEIGHT)
        page = self.canv.getPageNumber() - 1
        box = (round(x0), round(y0), round(x1), round(y1))
        self.placements.append(FieldPlacement(self.role, page, box))


class ChangeBar(Flowable):
    """A flowable with a bar in the left margin: a redline's mark of a changed paragraph."""

    def __init__(self, inner: Flowable, colour: str):
        super().__init__()
        self.inner = inner
        self.colour = colour

    def wrap(self, avail_width, avail_height):
        self.width, self.height = self.inner.wrap(avail_width, avail_height)
        return self.width, self.height

    def split(self, avail_width, avail_height):
        return [
            ChangeBar(part, self.colour) for part in self.inner.split(avail_width, avail_height)
        ]

    def getSpaceBefore(self):
        return self.inner.getSpaceBefore()

    def getSpaceAfter(self):
        return self.inner.getSpaceAfter()

    def draw(self):
        self.inner.drawOn(self.canv, 0, 0)
        self.canv.saveState()
        self.canv.setStrokeColor(self.colour)
        self.canv.setLineWidth(2)
        self.canv.line(-10, 0, -10, self.height)
        self.canv.restoreState()
