"""Raw-socket RFC 6455 client and server fixture for the conformance suite.

Standard library only: the suite does its own opening handshake, masking and framing so that it
can send what no well-behaved client library would (reserved bits, bad lengths, invalid close
codes). Every wait has a deadline; nothing sleeps for a fixed time.
"""

import base64
import hashlib
import json
import os
import re
import signal
import socket
import struct
import subprocess
import tempfile
import threading
import time

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
WAIT = 3.0  # seconds: the deadline of any single wait on the server

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

# The default routes plus the limits the suite relies on (docs/protocol.md, docs/configuration.md).
MAX_FRAME_BYTES = 65536
CONFIG = f"""
[limits]
max_frame_bytes = {MAX_FRAME_BYTES}
idle_timeout_ms = 0

[[routes]]
pattern = "echo:*"
behaviour = "echo"
"""


class Server:
    """The real switchboard binary on an ephemeral loopback port."""

    LISTENING = re.compile(rb"listening on 127\.0\.0\.1:(\d+)")

    def __init__(self, config=CONFIG):
        binary = os.environ.get("SWITCHBOARD_BIN")
        if not binary:
            raise RuntimeError("SWITCHBOARD_BIN is not set: point it at build/server/switchboard")
        binary = os.path.abspath(binary)  # the server runs in a temporary directory
        self._dir = tempfile.TemporaryDirectory(prefix="switchboard-conformance-")
        path = os.path.join(self._dir.name, "switchboard.toml")
        with open(path, "w") as f:
            f.write(config)
        self.proc = subprocess.Popen(
            [binary, "--port", "0", "--host", "127.0.0.1", "--config", path],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=self._dir.name)
        self.output = b""
        self._port = None
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if not self._ready.wait(10) or self._port is None:
            self.stop()
            raise RuntimeError("server did not log its listening line:\n" +
                               self.output.decode(errors="replace"))
        self.port = self._port

    def _drain(self):
        # Keeps reading so the server never blocks on a full pipe.
        for line in iter(self.proc.stdout.readline, b""):
            self.output += line
            match = self.LISTENING.search(line)
            if match and self._port is None:
                self._port = int(match.group(1))
                self._ready.set()
        self._ready.set()

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(2)
        self._dir.cleanup()


def read_http_response(sock, buf=b"", head=False):
    """Reads one HTTP/1.1 response from `sock`; returns (status, headers dict, body, rest)."""
    deadline = time.monotonic() + WAIT
    while b"\r\n\r\n" not in buf:
        buf += _recv_some(sock, deadline)
    if not re.match(rb"HTTP/1\.[01] \d{3}", buf):
        raise AssertionError(f"not an HTTP/1.x response: {buf[:80]!r}")
    head_bytes, buf = buf.split(b"\r\n\r\n", 1)
    lines = head_bytes.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = 0 if head else int(headers.get("content-length", "0"))
    while len(buf) < length:
        buf += _recv_some(sock, deadline)
    return status, headers, buf[:length], buf[length:]


def _recv_some(sock, deadline):
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("no complete response before the deadline")
    sock.settimeout(remaining)
    chunk = sock.recv(65536)
    if not chunk:
        raise ConnectionError("connection closed before the response was complete")
    return chunk


def upgrade_request(path="/socket/websocket?vsn=2.0.0", key=None, version="13", extra=""):
    if key is None:
        key = base64.b64encode(os.urandom(16)).decode()
    lines = [f"GET {path} HTTP/1.1", "Host: 127.0.0.1", "Upgrade: websocket",
             "Connection: Upgrade"]
    if key is not False:
        lines.append(f"Sec-WebSocket-Key: {key}")
    if version is not None:
        lines.append(f"Sec-WebSocket-Version: {version}")
    return ("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode()


def encode_frame(opcode, payload=b"", fin=True, rsv=0, mask=True, length_form=None, key=None):
    """A client frame. length_form forces the 7/16/64-bit length encoding ("7", "16", "64")."""
    if isinstance(payload, str):
        payload = payload.encode()
    n = len(payload)
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if mask else 0
    form = length_form or ("7" if n < 126 else "16" if n < 65536 else "64")
    if form == "7":
        head += bytes([mask_bit | n])
    elif form == "16":
        head += bytes([mask_bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", n)
    if not mask:
        return head + payload
    key = key or os.urandom(4)
    if n < 4096:
        masked = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    else:
        masked = _mask_fast(payload, key)
    return head + key + masked


def _mask_fast(payload, key):
    n = len(payload)
    whole = int.from_bytes(key * ((n + 3) // 4), "big") >> (8 * ((4 - n % 4) % 4))
    return (int.from_bytes(payload, "big") ^ whole).to_bytes(n, "big")


def close_payload(code, reason=b""):
    if isinstance(reason, str):
        reason = reason.encode()
    return struct.pack("!H", code) + reason


class Frame:
    def __init__(self, fin, opcode, payload):
        self.fin, self.opcode, self.payload = fin, opcode, payload

    @property
    def close_code(self):
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def json(self):
        return json.loads(self.payload.decode())

    def __repr__(self):
        return f"Frame(fin={self.fin}, op={self.opcode}, payload={self.payload[:80]!r})"


class Client:
    """One WebSocket connection, opened with a raw handshake."""

    def __init__(self, port, path="/socket/websocket?vsn=2.0.0", edit=None, early=b""):
        """`edit(request_bytes)` may rewrite the upgrade request; `early` bytes are sent in the
        same write as the request, before the server could answer."""
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        request = upgrade_request(path, key)
        self.sock.sendall((edit(request) if edit else request) + early)
        status, headers, _, self.buf = read_http_response(self.sock, head=True)
        self.status, self.headers = status, headers
        if status != 101:
            raise AssertionError(f"handshake refused with HTTP {status}")
        expected = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            accept = headers.get("sec-websocket-accept")
            raise AssertionError(f"bad Sec-WebSocket-Accept {accept!r}")
        self.eof = False

    def close_socket(self):
        self.sock.close()

    # -- sending ---------------------------------------------------------------------------

    def send_raw(self, data, chunk=None):
        """Writes bytes, optionally in chunks of `chunk` bytes (each its own TCP segment)."""
        if chunk is None:
            self.sock.sendall(data)
            return
        for i in range(0, len(data), chunk):
            self.sock.sendall(data[i:i + chunk])

    def send(self, opcode, payload=b"", chunk=None, **kw):
        self.send_raw(encode_frame(opcode, payload, **kw), chunk)

    def send_text(self, text, **kw):
        self.send(OP_TEXT, text.encode() if isinstance(text, str) else text, **kw)

    def send_json(self, value, **kw):
        self.send_text(json.dumps(value, separators=(",", ":")), **kw)

    def send_close(self, payload=b"", **kw):
        self.send(OP_CLOSE, payload, **kw)

    # -- receiving -------------------------------------------------------------------------

    def _fill(self, n, deadline):
        while len(self.buf) < n:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"waited {WAIT}s for {n} bytes, have {len(self.buf)}")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                return False
            self.buf += chunk
        return True

    def recv_frame(self, timeout=WAIT):
        """The next server frame, or None when the server closed the TCP connection."""
        deadline = time.monotonic() + timeout
        if not self._fill(2, deadline):
            if self.buf:
                raise AssertionError(f"connection ended inside a frame header: {self.buf!r}")
            return None
        b0, b1 = self.buf[0], self.buf[1]
        if b1 & 0x80:
            raise AssertionError("server frames must not be masked")
        if b0 & 0x70:
            raise AssertionError("server frame with reserved bits")
        n, header = b1 & 0x7F, 2
        if n == 126:
            self._fill(4, deadline) or _truncated(self.buf)
            n, header = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._fill(10, deadline) or _truncated(self.buf)
            n, header = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._fill(header + n, deadline) or _truncated(self.buf)
        frame = Frame(bool(b0 & 0x80), b0 & 0x0F, self.buf[header:header + n])
        self.buf = self.buf[header + n:]
        return frame

    def peek_opcode(self, timeout=WAIT):
        """The opcode of the next server frame without consuming it (None at end of stream)."""
        if not self._fill(1, time.monotonic() + timeout):
            return None
        return self.buf[0] & 0x0F

    def recv_data(self, timeout=WAIT):
        """The next text or binary frame, skipping pongs; fails on a close."""
        while True:
            frame = self.recv_frame(timeout)
            if frame is None:
                raise AssertionError("connection closed while a message was expected")
            if frame.opcode == OP_CLOSE:
                raise AssertionError(f"closed with {frame.close_code} {frame.payload[2:]!r} "
                                     "while a message was expected")
            if frame.opcode in (OP_TEXT, OP_BINARY):
                return frame

    def expect_close(self, code, answer=False):
        """Reads until the server's close frame, asserts its code (None = no code) and that the
        server then ends the TCP connection. Returns the frames received before the close."""
        before = []
        while True:
            frame = self.recv_frame()
            if frame is None:
                raise AssertionError(f"TCP closed without a close frame (expected {code}); "
                                     f"frames before: {before}")
            if frame.opcode == OP_CLOSE:
                break
            before.append(frame)
        if frame.close_code != code:
            raise AssertionError(f"close code {frame.close_code} {frame.payload[2:]!r}, "
                                 f"expected {code}")
        if len(frame.payload) > 2 and not _utf8(frame.payload[2:]):
            raise AssertionError("close reason is not UTF-8")
        if answer:
            try:
                self.send_close(close_payload(code) if code else b"")
            except OSError:
                pass
        self.expect_tcp_end()
        return before

    def expect_tcp_end(self):
        """Asserts that the server ends the TCP connection (FIN or reset) within the deadline and
        sends no further bytes."""
        deadline = time.monotonic() + WAIT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError("the server did not end the TCP connection")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.eof = True
                self.sock.close()
                break
            raise AssertionError(f"bytes after the close frame: {chunk[:80]!r}")
        if self.buf:
            raise AssertionError(f"bytes after the close frame: {self.buf[:80]!r}")

    def expect_silence(self, timeout=0.2):
        """Asserts that no frame arrives within `timeout` (used only where a frame would be a bug;
        the suite never relies on it to wait for something to happen)."""
        try:
            frame = self.recv_frame(timeout)
        except TimeoutError:
            return
        raise AssertionError(f"unexpected frame {frame}")


def _truncated(buf):
    raise AssertionError(f"connection ended inside a frame: {buf[:40]!r}")


def _utf8(data):
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


# -- the Phoenix layer ----------------------------------------------------------------------

HEARTBEAT_REPLY = [None, "1", "phoenix", "phx_reply", {"status": "ok", "response": {}}]


def heartbeat(ref="1"):
    return json.dumps([None, ref, "phoenix", "heartbeat", {}], separators=(",", ":"))


def joined(client, topic="echo:x"):
    """Joins `topic` (join_ref "1") and waits for the ok reply."""
    client.send_json(["1", "1", topic, "phx_join", {}])
    reply = client.recv_data().json()
    assert reply[:4] == ["1", "1", topic, "phx_reply"] and reply[4]["status"] == "ok", reply
    return client


def echo_text(size, ref="2", topic="echo:x", fill="a"):
    """A V2 push of exactly `size` bytes whose payload is {"p": <fill...>}."""
    skeleton = json.dumps(["1", ref, topic, "e", {"p": ""}], separators=(",", ":"))
    pad = size - len(skeleton.encode())
    if pad < 0:
        raise ValueError(f"{size} bytes is below the smallest push ({len(skeleton)})")
    unit = fill.encode()
    if pad % len(unit):
        raise ValueError("size does not fit the fill character")
    text = json.dumps(["1", ref, topic, "e", {"p": fill * (pad // len(unit))}],
                      separators=(",", ":"), ensure_ascii=False)
    assert len(text.encode()) == size
    return text


def binary_push(size, join_ref="1", ref="2", topic="echo:x", event="e"):
    """A V2 binary push (docs/protocol.md §3, kind 0) of exactly `size` bytes.
    Returns (frame, payload)."""
    strings = [s.encode() for s in (join_ref, ref, topic, event)]
    head = bytes([0] + [len(s) for s in strings]) + b"".join(strings)
    if size < len(head):
        raise ValueError(f"{size} bytes is below the smallest binary push ({len(head)})")
    payload = bytes((i * 7) & 0xFF for i in range(size - len(head)))
    return head + payload, payload


def binary_reply_payload(frame, join_ref="1", ref="2", topic="echo:x", status="ok"):
    """Checks a binary reply (kind 1) and returns its payload."""
    strings = [s.encode() for s in (join_ref, ref, topic, status)]
    head = bytes([1] + [len(s) for s in strings]) + b"".join(strings)
    assert frame[:len(head)] == head, frame[:len(head) + 8]
    return frame[len(head):]
