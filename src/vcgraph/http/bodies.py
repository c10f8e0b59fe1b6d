"""Reading request bodies with a size limit, so one upload cannot exhaust the server's memory."""

from __future__ import annotations

from fastapi import Request

from vcgraph.http.errors import ApiError

MAX_QUERY_BYTES = 1024 * 1024
"""Queries and updates sent in a body (a form or the text itself)."""

# Graph Store and survey uploads are capped by the deployment's ``Settings.max_upload_bytes``.


async def read_body(request: Request, limit: int, *, plain_text: bool = False) -> bytes:
    """The whole body, or HTTP 413 as soon as it grows past ``limit`` bytes.

    A declared ``Content-Length`` over the limit is refused before a byte is read; a chunked body (no length) or
    one that lies about its length is counted as it arrives, and refused at the first chunk past the limit.
    """
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "payload_too_large", f"the body is larger than {limit} bytes", plain_text=plain_text)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, "payload_too_large", f"the body is larger than {limit} bytes", plain_text=plain_text)
        chunks.append(chunk)
    return b"".join(chunks)
