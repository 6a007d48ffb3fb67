"""Reading an uploaded CSV at the HTTP edge: a ``text/csv`` (or any raw) body, or a multipart form's file field."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile

from server.errors import InvalidInput


async def csv_body(request: Request[Any, Any, Any]) -> bytes:
    """The file's bytes, undecoded: the CSV core tells the encoding."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            upload = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if upload is None:
            raise InvalidInput("Send the CSV as the form's file field 'file'.", code="invalid_csv")
        data = await upload.read()
        return data if isinstance(data, bytes) else str(data).encode()
    return await request.body()
