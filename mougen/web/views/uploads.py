"""Reading an uploaded file from a form, the same way for every page that takes one."""

from __future__ import annotations

from mougen.collect.checks import Rejection
from mougen.web.forms import UploadForm


def uploaded_bytes(form: UploadForm, limit: int) -> bytes:
    """The uploaded file's bytes (read at most ``limit`` + 1); ``Rejection`` if it is too big."""
    data = form.file.data.stream.read(limit + 1)
    if len(data) > limit:
        raise Rejection(f"the file is larger than {limit // (1024 * 1024)} MB")
    return data
