"""HTTP/1.1 connections with a deadline on the request head (what uvicorn lacks against slow clients).

uvicorn bounds an *idle* keep-alive connection (``timeout_keep_alive``) but nothing else before a request starts:
a connection that sends nothing, or trickles its request line and headers a byte at a time ("slowloris"), stays
open for ever. Each one counts against uvicorn's ``limit_concurrency``, so enough of them make the server answer
503 to everyone.

:func:`header_deadline_protocol` gives uvicorn's httptools protocol (the C parser: about a third more requests
per second than its pure-Python h11 one, bench/load.py) one more timer: from the moment a connection opens, or the
first byte of its next request arrives, the whole request head must arrive within ``seconds``. Otherwise the
server answers ``408 Request Timeout`` (JSON, like every error here) and closes the connection. A connection that
sent nothing is closed without an answer, as an idle keep-alive one is. The body has its own deadline, enforced
above the protocol (:mod:`vcgraph.http.limits`).

We subclass instead of proxying because the timer must follow the parser's callbacks, which only the protocol
object receives; the subclass overrides a few hooks and calls the originals, so uvicorn's behaviour is otherwise
unchanged.
"""

from __future__ import annotations

import asyncio
import json

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


def _timeout_response(seconds: float) -> bytes:
    body = json.dumps(
        {"error": "request_timeout", "detail": f"the request line and headers did not arrive within {seconds:g} s"}
    ).encode()
    head = (
        "HTTP/1.1 408 Request Timeout\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


class HeaderDeadlineProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a deadline on every request head; see the module's documentation."""

    header_timeout: float = 10.0
    """Seconds a request head may take; set by :func:`header_deadline_protocol`."""

    _head_deadline: asyncio.TimerHandle | None = None
    _head_begun = False
    """Some bytes of the current request have arrived (the parser began a message)."""
    _head_done = False
    """The current request's head is complete (until the next message begins)."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_head_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._waiting_for_head():
            if self._head_deadline is None:
                self._arm_head_deadline()
        else:
            self._disarm_head_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_begun, self._head_done = True, False

    def on_headers_complete(self) -> None:
        self._head_begun, self._head_done = False, True
        self._disarm_head_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_head_deadline()
        super().connection_lost(exc)

    def _waiting_for_head(self) -> bool:
        # Never while a response is being produced: the deadline is on the client, not on our answer.
        answering = self.cycle is not None and not self.cycle.response_complete
        return not self._head_done and not answering and not self.transport.is_closing()

    def _arm_head_deadline(self) -> None:
        self._disarm_head_deadline()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if not self._waiting_for_head():
            return
        if self._head_begun:
            self.transport.write(_timeout_response(self.header_timeout))
        self.transport.close()


def header_deadline_protocol(seconds: float) -> type[HeaderDeadlineProtocol]:
    """uvicorn's httptools protocol class with a ``seconds`` deadline on each request head (``Config(http=...)``)."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_timeout": seconds})
