"""The production HTTP server: waitress, set up and extended to hold against hostile clients.

Why waitress, extended, and not another server: waitress is pure Python, already pinned, parses
requests strictly (it refuses obs-fold, bad Content-Length, bad chunk framing, bare CR) and reads
and writes every socket in one asynchronous loop, so a slow client costs a socket, not a thread.
What its settings cannot say (read in ``waitress/server.py``, ``channel.py`` and ``parser.py``,
version 3.0.2), this module adds in a subclass, each with its test in ``tests/test_server.py``:

- ``channel_timeout`` closes only *idle* channels, and counts any received byte as activity: a
  client that trickles its header a byte a second is never closed. Here a request must arrive
  whole (header and body) within ``header_timeout`` seconds of its first byte, or gets a 408.
- A worker thread that writes more than ``outbuf_high_watermark`` bytes for one connection
  waits, holding the thread, until the client reads; a channel with a request in progress is
  never timed out. Eight clients that pipeline downloads and never read took all eight threads.
  Here a connection whose buffered output exceeds ``output_limit`` is *paused* — its next
  pipelined request is not started (no thread held) until the client has read below the limit —
  and a client that accepts no byte for ``send_timeout`` seconds is disconnected.
- waitress lets Transfer-Encoding override Content-Length and keeps the connection: behind a
  proxy that frames by Content-Length, the body's hidden second request is answered (request
  smuggling). Here a request with both is refused with 400 and the connection closed, as is
  Transfer-Encoding in an HTTP/1.0 request or one whose last coding is not chunked (RFC 9112
  §6.1, §6.3).
- ``Transfer-Encoding: gzip, chunked`` got a 501: here gzip and deflate before the final chunked
  are decoded (bounded by ``max_request_body_size``); other codings still get 501, and close.
- A header whose lines end in a bare LF never matched waitress's CRLFCRLF: no answer, the
  connection left open. Here it is a 400 and the connection is closed.

``python app.py`` serves with :func:`make_server`; the README's Reliability table has the figures
(``scripts/attack_test.py``).
"""

from __future__ import annotations

import re
import resource
import time
import zlib
from dataclasses import asdict, dataclass

from waitress.buffers import OverflowableBuffer
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser, ParsingError, TransferEncodingNotImplemented
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher
from waitress.utilities import BadRequest, RequestEntityTooLarge

_BARE_LF = re.compile(rb"(?<!\r)\n")
_CONTENT_CODINGS = {b"gzip": 16 + zlib.MAX_WBITS, b"x-gzip": 16 + zlib.MAX_WBITS, b"deflate": zlib.MAX_WBITS}
REQUEST_TIMEOUT_RESPONSE = (b"HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                            b"Content-Type: text/plain\r\nContent-Length: 35\r\n\r\n"
                            b"the request did not arrive in time\n")


@dataclass
class Limits:
    """What one client may take. The defaults are the production settings."""

    threads: int = 8                  # worker threads; slow clients hold none
    idle_timeout: float = 30.0        # keep-alive connection with nothing to do (waitress channel_timeout)
    header_timeout: float = 10.0      # a request's header and body must arrive within this of its first byte
    send_timeout: float = 30.0        # a client that reads none of its response this long is dropped
    output_limit: int = 512 * 1024    # buffered output per connection before its next request waits
    connection_limit: int = 1000      # open connections (capped below the process's file limit)
    max_header: int = 16 * 1024       # request line and headers
    max_body: int = 64 * 1024         # the API takes no bodies; a decoded gzip body counts in full
    # How often the timeouts are checked, in whole seconds: waitress reads asyncore_loop_timeout
    # and cleanup_interval with int(), so 0.5 became 0 and the loop polled without waiting,
    # holding a core (and the GIL) even with no client.
    check_interval: int = 1

    def waitress_settings(self) -> dict:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        connections = self.connection_limit if soft == resource.RLIM_INFINITY else \
            max(16, min(self.connection_limit, soft - 64))
        return {
            "threads": self.threads,
            "channel_timeout": self.idle_timeout,
            "cleanup_interval": max(1, int(self.check_interval)),
            "connection_limit": connections,
            "asyncore_use_poll": True,  # select() cannot watch descriptors above 1023
            "asyncore_loop_timeout": max(1, int(self.check_interval)),
            "max_request_header_size": self.max_header,
            "max_request_body_size": self.max_body,
            "outbuf_overflow": self.output_limit,      # beyond this, buffered output goes to a temporary file
            "outbuf_high_watermark": 16 * 1024 * 1024,  # one response never waits below this
            "expose_tracebacks": False,
            "ident": "atlas",
        }


class StrictRequestParser(HTTPRequestParser):
    """waitress's parser, with the framing rules of RFC 9112 it leaves out (see the module doc)."""

    content_codings: list[bytes] = []

    def __init__(self, adj):
        super().__init__(adj)
        self.started = time.monotonic()
        self.content_codings = []

    def received(self, data):
        if self.completed:
            return 0
        if self.body_rcv is None and not self.headers_finished:
            s = self.header_plus + data
            end = s.find(b"\r\n\r\n")
            head = s if end < 0 else s[:end]
            if _BARE_LF.search(head.lstrip(b"\r\n")):  # blank lines before a request are ignored
                self._refuse(s, BadRequest("a line of the request header ends in a bare LF; "
                                           "HTTP/1.1 lines end in CRLF"))
                return len(data)
        consumed = super().received(data)
        if self.completed and self.error is None and self.content_codings:
            self._decode_body()
        return consumed

    def _refuse(self, received: bytes, error) -> None:
        version = "1.1" if received.lstrip(b"\r\n").split(b"\n", 1)[0].rstrip().endswith(b"HTTP/1.1") else "1.0"
        self.parse_header_safely()
        self.version = version
        self.error = error
        self.completed = True
        self.headers_finished = True

    def parse_header_safely(self) -> None:
        # The error response needs a version and headers to build on, as for waitress's own 431.
        self.headers = {}
        HTTPRequestParser.parse_header(self, b"GET / HTTP/1.0\r\n")

    def parse_header(self, header_plus):
        lines = header_plus.split(b"\r\n")
        first_line, fields = lines[0], lines[1:]
        names = [line.split(b":", 1)[0].strip(b" \t").lower() for line in fields]
        te_values = [line.split(b":", 1)[1] for line, name in zip(fields, names)
                     if name == b"transfer-encoding" and b":" in line]
        # An error answer speaks the client's version (waitress would fall back to 1.0).
        self.version = "1.1" if first_line.rstrip().endswith(b"HTTP/1.1") else "1.0"
        if te_values:
            if b"content-length" in names:
                raise ParsingError("Content-Length and Transfer-Encoding together: the body's length "
                                   "is ambiguous (request smuggling); send one of them")
            if first_line.rstrip().endswith(b"HTTP/1.0"):
                raise ParsingError("Transfer-Encoding in an HTTP/1.0 request")
            codings = [c.strip(b" \t").lower() for v in te_values for c in v.split(b",") if c.strip(b" \t")]
            if not codings or codings[-1] != b"chunked" or codings.count(b"chunked") > 1:
                raise ParsingError("Transfer-Encoding must end in chunked, once: the body's length "
                                   "cannot be known otherwise")
            unknown = [c for c in codings[:-1] if c not in _CONTENT_CODINGS]
            if unknown:
                raise TransferEncodingNotImplemented(
                    f"transfer coding {unknown[0][:20].decode('latin-1')!r} is not supported "
                    "(gzip, deflate and chunked are)")
            self.content_codings = codings[:-1]
            kept = [line for line, name in zip(fields, names) if name != b"transfer-encoding"]
            header_plus = b"\r\n".join([first_line, *kept, b"Transfer-Encoding: chunked"])
        super().parse_header(header_plus)

    def _decode_body(self) -> None:
        buf = self.body_rcv.getbuf()
        data = buf.get(len(buf))
        limit = self.adj.max_request_body_size
        try:
            for coding in reversed(self.content_codings):
                inflater = zlib.decompressobj(_CONTENT_CODINGS[coding])
                data = inflater.decompress(data, limit + 1)
                if len(data) > limit or inflater.unconsumed_tail:
                    self.error = RequestEntityTooLarge(f"the decoded body exceeds {limit} bytes")
                    return
                if not inflater.eof:
                    raise zlib.error("truncated")
        except zlib.error:
            self.error = BadRequest("the request body is not valid for its transfer coding")
            return
        decoded = OverflowableBuffer(self.adj.inbuf_overflow)
        decoded.append(data)
        buf.close()
        self.body_rcv.buf = decoded
        self.headers["CONTENT_LENGTH"] = str(len(data))


class GuardedChannel(HTTPChannel):
    """A connection that pauses its pipelined requests while its output is unread, instead of
    holding a worker thread for it."""

    parser_class = StrictRequestParser
    paused = False
    in_service = False

    def service(self):
        self.in_service = True
        try:
            super().service()
        finally:
            self.in_service = False

    in_write = False

    def write_soon(self, data):
        self.in_write = True
        try:
            return super().write_soon(data)
        finally:
            self.in_write = False

    def _flush_outbufs_below_high_watermark(self):
        if self.in_service and not self.in_write:
            return  # between pipelined requests: pausing (see AtlasServer.add_task) bounds the output
        super()._flush_outbufs_below_high_watermark()

    def handle_write(self):
        if not self.paused:
            return super().handle_write()
        # No task runs while paused: flush freely, and resume below the limit.
        self._flush_exception(self._flush_some)
        if self.will_close or not self.connected:
            self.handle_close()
            return
        if self.total_outbufs_len <= self.server.limits.output_limit:
            self.paused = False
            self.server.dispatcher.add_task(self)

    def writable(self):
        return super().writable() or (self.paused and self.total_outbufs_len)


class AtlasServer(TcpWSGIServer):
    """One listening socket served by :class:`GuardedChannel`, with the timeouts waitress lacks."""

    channel_class = GuardedChannel

    def __init__(self, app, host: str, port: int, limits: Limits):
        from waitress.adjustments import Adjustments

        self.limits = limits
        adj = Adjustments(host=host, port=port, **limits.waitress_settings())
        dispatcher = ThreadedTaskDispatcher()
        dispatcher.set_thread_count(adj.threads)
        super().__init__(app, {}, True, None, dispatcher=dispatcher, adj=adj, sockinfo=adj.listen[0])

    def add_task(self, channel):
        # Called by service() for the channel's next pipelined request: wait for the client to
        # read what it was sent first, with no thread held.
        if getattr(channel, "in_service", False) and channel.total_outbufs_len > self.limits.output_limit:
            channel.paused = True
            self.pull_trigger()
            return
        super().add_task(channel)

    def maintenance(self, now):
        super().maintenance(now)  # idle keep-alive connections (channel_timeout)
        mono = time.monotonic()
        for channel in list(self.active_channels.values()):
            request = channel.request
            reading = not channel.requests and not channel.total_outbufs_len  # else we are not reading it
            if reading and request is not None and not request.completed and \
                    mono - getattr(request, "started", mono) > self.limits.header_timeout:
                self._drop(channel, REQUEST_TIMEOUT_RESPONSE)
            elif channel.total_outbufs_len and now - channel.last_activity > self.limits.send_timeout:
                self._drop(channel, b"")

    def _drop(self, channel, farewell: bytes) -> None:
        if farewell and not channel.total_outbufs_len:
            try:
                channel.socket.send(farewell)
            except OSError:
                pass
        channel.handle_close()


def make_server(app, host: str = "127.0.0.1", port: int = 8000, limits: Limits | None = None) -> AtlasServer:
    return AtlasServer(app, host, port, limits or Limits())


__all__ = ["Limits", "make_server", "asdict"]
