"""Staying up under load: a bound on requests in flight, and an explicit mark on every cut answer.

:class:`LimitsMiddleware` admits at most ``max_concurrent`` requests at once; one more is answered at once with
``503 Service Unavailable`` and ``Retry-After`` (never queued: a client that can wait retries, the server's
memory and threads stay bounded).

A slot is not held forever by a client that sends its headers and then withholds or trickles its body: the
whole body must arrive within ``body_timeout`` seconds of its first read, or the request ends with
``408 Request Timeout``.
Once the body is complete, waiting on the connection (for a disconnect, while an answer streams) has no deadline.

It also opens, for each request, the notes the store keeps on its answers (:func:`vcgraph.store.notes.noting_answers`).
When the store cut an answer at ``max_rows`` rows, the response says so:

* header ``X-VCGRAPH-Truncated: max_rows=<N>`` on every such response, whatever its format;
* in a JSON body (REST answers, SPARQL JSON results) a top-level member ``"truncated": true``; the SPARQL 1.1
  JSON results format lets a document carry members of its own, and clients that do not know this one ignore it.
"""

from __future__ import annotations

import asyncio
import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from vcgraph.http.errors import speaks_plain_text
from vcgraph.store.notes import AnswerNotes, noting_answers

TRUNCATED_HEADER = "X-VCGRAPH-Truncated"
RETRY_AFTER_OVERLOAD = "1"
"""Seconds an overloaded client is asked to wait: requests here last milliseconds, slots free up quickly."""

_JSON_TYPES = (b"application/json", b"application/sparql-results+json")


def _overloaded(path: str, max_concurrent: int) -> tuple[bytes, bytes]:
    detail = f"the server is answering {max_concurrent} requests already; retry in a moment"
    if speaks_plain_text(path):
        return detail.encode() + b"\n", b"text/plain; charset=utf-8"
    return json.dumps({"error": "overloaded", "detail": detail}).encode(), b"application/json"


def mark_truncated(body: bytes) -> bytes:
    """``body`` (a JSON document) with ``"truncated": true`` as its first member when it is an object."""
    stripped = body.lstrip()
    if not stripped.startswith(b"{"):
        return body
    rest = stripped[1:].lstrip()
    separator = b"" if rest.startswith(b"}") else b","
    return b'{"truncated":true' + separator + rest


class LimitsMiddleware:
    """See the module's documentation. Runs on the event loop's thread only, so a plain counter is exact."""

    def __init__(self, app: ASGIApp, *, max_concurrent: int, body_timeout: float = 60.0) -> None:
        self.app = app
        self.max_concurrent = max_concurrent
        self.body_timeout = body_timeout
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_concurrent:
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        try:
            with noting_answers() as notes:
                receive_in_time = _BodyDeadline(receive, self.body_timeout)
                await self.app(scope, receive_in_time, _MarkingSender(send, notes).send)
        finally:
            self.in_flight -= 1

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body, content_type = _overloaded(scope.get("path", ""), self.max_concurrent)
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", RETRY_AFTER_OVERLOAD.encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _BodyDeadline:
    """``receive`` with one deadline for the whole request body, counted from its first read; none after its
    last chunk. A whole deadline, not one per chunk, so a client trickling a byte at a time is stopped too.

    The timeout is raised as an HTTP 408 from inside the route (where the body is read), so the app's error
    handlers answer it in the endpoint's own format, and the slot is freed.
    """

    def __init__(self, receive: Receive, seconds: float) -> None:
        self._receive = receive
        self._seconds = seconds
        self._deadline: float | None = None
        self._body_done = False

    async def __call__(self) -> Message:
        if self._body_done:
            return await self._receive()
        loop = asyncio.get_running_loop()
        if self._deadline is None:
            self._deadline = loop.time() + self._seconds
        try:
            message = await asyncio.wait_for(self._receive(), max(self._deadline - loop.time(), 0.0))
        except TimeoutError:
            self._body_done = True
            raise HTTPException(
                408, f"the request body did not arrive within {self._seconds:g} s; send it at once"
            ) from None
        if message["type"] != "http.request" or not message.get("more_body", False):
            self._body_done = True
        return message


class _MarkingSender:
    """Passes a response through, adding the truncation header and, in a JSON body, the member.

    Only a cut JSON answer is held back until its last chunk (to rewrite it and its Content-Length); such an
    answer was built in memory before it was sent, within the endpoint's caps, so holding it costs no more.
    """

    def __init__(self, send: Send, notes: AnswerNotes) -> None:
        self._send = send
        self._notes = notes
        self._start: Message | None = None
        self._chunks: list[bytes] = []

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self._notes.truncated_at is None or not 200 <= message["status"] < 300:
                await self._send(message)
                return
            headers = list(message.get("headers", []))
            headers.append((TRUNCATED_HEADER.lower().encode(), f"max_rows={self._notes.truncated_at}".encode()))
            content_type = dict(headers).get(b"content-type", b"").split(b";")[0].strip().lower()
            message = {**message, "headers": headers}
            if content_type in _JSON_TYPES:
                self._start = message
                return
            await self._send(message)
            return
        if message["type"] == "http.response.body" and self._start is not None:
            self._chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = mark_truncated(b"".join(self._chunks))
            headers = [(k, v) for k, v in self._start["headers"] if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            await self._send({**self._start, "headers": headers})
            self._start = None
            await self._send({"type": "http.response.body", "body": body})
            return
        await self._send(message)
