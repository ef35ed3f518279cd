"""A hostile raw WebSocket client: floods the server while reading nothing, then reads.

Usage: flood.py PORT MODE COUNT SIZE [--then read|abort]
  MODE pings       COUNT ping frames with SIZE-byte payloads (at most 125)
  MODE heartbeats  COUNT Phoenix heartbeats whose ref is SIZE characters long

The socket's receive buffer is set to 4 KiB before connecting, so the kernel holds little of
what the server sends and the server's own queue is what grows. After the flood it prints
{"flooded": COUNT} and waits for a line on stdin (the test measures the server meanwhile),
then with `--then read` (default) reads everything until the server closes or 3 s pass quietly,
printing {"pongs": n, "last_pong": hex, "replies": n, "close_code": code or null}; with
`--then abort` it resets the connection.
"""

import base64
import json
import os
import socket
import struct
import sys


def masked_frame(opcode, payload):
    key = os.urandom(4)
    n = len(payload)
    if n < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    masked = bytes(b ^ key[i & 3] for i, b in enumerate(payload))
    return header + key + masked


def connect(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        (
            "GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
    )
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = s.recv(1)
        if not chunk:
            raise SystemExit("handshake: connection closed")
        response += chunk
    if not response.startswith(b"HTTP/1.1 101"):
        raise SystemExit("handshake refused: " + response.split(b"\r\n")[0].decode())
    return s


class Reader:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _need(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def frame(self):
        self._need(2)
        b0, b1 = self.buf[0], self.buf[1]
        n, pos = b1 & 0x7F, 2
        if n == 126:
            self._need(4)
            n, pos = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            self._need(10)
            n, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
        self._need(pos + n)
        payload = self.buf[pos : pos + n]
        self.buf = self.buf[pos + n :]
        return b0 & 0x0F, payload


def flood(sock, mode, count, size):
    if mode == "pings":
        frames = (masked_frame(0x9, i.to_bytes(4, "big") + b"p" * (size - 4)) for i in range(count))
    else:
        frames = (
            masked_frame(0x1, json.dumps([None, str(i).rjust(size, "r"), "phoenix", "heartbeat", {}]).encode())
            for i in range(count)
        )
    batch = []
    for f in frames:
        batch.append(f)
        if len(batch) == 256:
            sock.sendall(b"".join(batch))
            batch = []
    if batch:
        sock.sendall(b"".join(batch))


def read_all(sock):
    sock.settimeout(3)
    reader = Reader(sock)
    result = {"pongs": 0, "last_pong": None, "replies": 0, "close_code": None}
    try:
        while True:
            opcode, payload = reader.frame()
            if opcode == 0xA:
                result["pongs"] += 1
                result["last_pong"] = payload.hex()
            elif opcode == 0x1:
                result["replies"] += 1
            elif opcode == 0x8:
                result["close_code"] = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
                break
    except (EOFError, socket.timeout, ConnectionResetError):
        pass
    return result


def main():
    port, mode, count, size = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    then = sys.argv[6] if len(sys.argv) > 6 and sys.argv[5] == "--then" else "read"
    sock = connect(port)
    try:
        flood(sock, mode, count, size)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server closed on us mid-flood; what it sent is still readable
    print(json.dumps({"flooded": count}), flush=True)
    sys.stdin.readline()
    if then == "abort":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        sock.close()
        print(json.dumps({"aborted": True}), flush=True)
        return
    print(json.dumps(read_all(sock)), flush=True)


if __name__ == "__main__":
    main()
