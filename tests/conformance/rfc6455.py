"""RFC 6455 conformance cases, modelled on the Autobahn test suite's case list.

Test names carry the Autobahn case number where one matches (test_2_5_... is Autobahn case 2.5).
Text messages are Phoenix V2 frames: an "echo" is a push on echo:x answered by a phx_reply whose
response is the pushed payload. Every case ends by asserting the exact close code the server
sends and that it then ends the TCP connection.
"""

import base64
import json
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from harness import (  # noqa: E402
    HEARTBEAT_REPLY, MAX_FRAME_BYTES, OP_BINARY, OP_CLOSE, OP_CONT, OP_PING, OP_PONG, OP_TEXT,
    Client, Server, binary_push, binary_reply_payload, close_payload, echo_text, encode_frame,
    heartbeat, joined, read_http_response, upgrade_request)



class ServerCase(unittest.TestCase):
    """One server per area; each case opens its own connections."""

    server = None

    @classmethod
    def setUpClass(cls):
        cls.server = Server()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def tearDown(self):
        self.assertTrue(self.server.running(), "the server exited:\n" +
                        self.server.output.decode(errors="replace")[-2000:])

    def connect(self, **kw):
        client = Client(self.server.port, **kw)
        self.addCleanup(client.close_socket)
        return client

    def echo_client(self):
        return joined(self.connect())

    def assert_echo(self, client, text):
        """`text` is a push on echo:x; asserts the reply carries its payload back."""
        sent = json.loads(text)
        reply = client.recv_data()
        self.assertEqual(reply.opcode, OP_TEXT)
        self.assertEqual(reply.json(), [sent[0], sent[1], sent[2], "phx_reply",
                                        {"status": "ok", "response": sent[4]}])

    def assert_heartbeat_reply(self, client):
        self.assertEqual(client.recv_data().json(), HEARTBEAT_REPLY)

    def close_normally(self, client):
        client.send_close(close_payload(1000))
        self.assertEqual(client.expect_close(1000), [])

    def assert_violation(self, frames, code, chunk=None, join=False):
        """Sends raw frame bytes on a fresh connection and expects a close with `code`."""
        client = self.echo_client() if join else self.connect()
        client.send_raw(frames, chunk)
        client.expect_close(code)


def add_cases(cls, prefix, cases, make):
    """Adds one test method per case: test_<prefix>_<name>, body make(self, *args)."""
    for name, *args in cases:
        def test(self, args=args):
            make(self, *args)
        test.__name__ = f"test_{prefix}_{name}"
        setattr(cls, test.__name__, test)


# ---------------------------------------------------------------------------------------------
# 1.x framing
# ---------------------------------------------------------------------------------------------

class Framing(ServerCase):
    """Autobahn 1.x: text and binary messages of the interesting lengths."""

    def text_echo(self, size, chunk=None):
        client = self.echo_client()
        text = echo_text(size)
        client.send_text(text, chunk=chunk)
        self.assert_echo(client, text)
        self.close_normally(client)

    def binary_echo(self, size, chunk=None):
        client = self.echo_client()
        frame, payload = binary_push(size)
        client.send(OP_BINARY, frame, chunk=chunk)
        reply = client.recv_data()
        self.assertEqual(reply.opcode, OP_BINARY)
        self.assertEqual(binary_reply_payload(reply.payload), payload)
        self.close_normally(client)

    # An empty message is no Phoenix frame: the Phoenix layer closes with 1007 (Autobahn expects
    # an echo, which a Phoenix server cannot give).
    def test_1_1_1_text_empty_is_not_a_phoenix_frame_1007(self):
        self.assert_violation(encode_frame(OP_TEXT, b""), 1007)

    def test_1_2_1_binary_empty_is_not_a_phoenix_frame_1007(self):
        self.assert_violation(encode_frame(OP_BINARY, b""), 1007)


add_cases(Framing, "1_1", [
    ("2_text_125_7bit_length", 125),
    ("3_text_126_16bit_length", 126),
    ("4_text_127", 127),
    ("5_text_128", 128),
    ("6_text_65535_16bit_length", 65535),
    ("7_text_65536_64bit_length", 65536),
], lambda self, n: self.text_echo(n))
add_cases(Framing, "1_1", [
    ("8_text_65535_in_997_byte_chunks", 65535, 997),
    ("text_300_in_1_byte_chunks", 300, 1),
], lambda self, n, chunk: self.text_echo(n, chunk))
add_cases(Framing, "1_2", [
    ("2_binary_125_7bit_length", 125),
    ("3_binary_126_16bit_length", 126),
    ("4_binary_127", 127),
    ("5_binary_128", 128),
    ("6_binary_65535_16bit_length", 65535),
    ("7_binary_65536_64bit_length", 65536),
], lambda self, n: self.binary_echo(n))
add_cases(Framing, "1_2", [
    ("8_binary_65535_in_997_byte_chunks", 65535, 997),
    ("binary_300_in_1_byte_chunks", 300, 1),
], lambda self, n, chunk: self.binary_echo(n, chunk))


# ---------------------------------------------------------------------------------------------
# 2.x ping and pong
# ---------------------------------------------------------------------------------------------

class PingPong(ServerCase):
    """Autobahn 2.x."""

    def ping_pong(self, payload, chunk=None):
        client = self.connect()
        client.send(OP_PING, payload, chunk=chunk)
        frame = client.recv_frame()
        self.assertIsNotNone(frame, "TCP closed instead of a pong")
        self.assertEqual(frame.opcode, OP_PONG)
        self.assertTrue(frame.fin)
        self.assertEqual(frame.payload, payload)
        self.close_normally(client)

    def test_2_1_ping_without_payload(self):
        self.ping_pong(b"")

    def test_2_2_ping_with_text_payload(self):
        self.ping_pong(b"Hello, world!")

    def test_2_3_ping_with_binary_payload(self):
        self.ping_pong(bytes([0x00, 0xFF, 0xFE, 0xFD, 0xFC, 0xFB, 0x00, 0xFF]))

    def test_2_4_ping_with_125_byte_payload(self):
        self.ping_pong(bytes(range(125)))

    def test_2_5_ping_with_126_byte_payload_1002(self):
        self.assert_violation(encode_frame(OP_PING, b"\xfe" * 126), 1002)

    def test_2_6_ping_125_bytes_in_1_byte_chunks(self):
        self.ping_pong(b"\xfe" * 125, chunk=1)

    def unsolicited_pong(self, payload):
        client = self.connect()
        client.send(OP_PONG, payload)
        client.send_text(heartbeat())
        frame = client.recv_frame()
        self.assertIsNotNone(frame)
        self.assertEqual(frame.opcode, OP_TEXT, f"expected the heartbeat reply first, got {frame}")
        self.assertEqual(frame.json(), HEARTBEAT_REPLY)
        self.close_normally(client)

    def test_2_7_unsolicited_pong_without_payload_is_ignored(self):
        self.unsolicited_pong(b"")

    def test_2_8_unsolicited_pong_with_payload_is_ignored(self):
        self.unsolicited_pong(b"unsolicited pong payload")

    def test_2_9_unsolicited_pong_then_ping(self):
        client = self.connect()
        client.send(OP_PONG, b"unsolicited pong payload")
        client.send(OP_PING, b"ping payload")
        frame = client.recv_frame()
        self.assertEqual((frame.opcode, frame.payload), (OP_PONG, b"ping payload"))
        self.close_normally(client)

    # RFC 6455 §5.5.3: pings sent back-to-back may be answered by one pong for the most recent.
    def ten_pings(self, chunk=None):
        client = self.connect()
        sent = [f"payload-{i}".encode() for i in range(10)]
        client.send_raw(b"".join(encode_frame(OP_PING, p) for p in sent), chunk)
        pongs = []
        while not pongs or pongs[-1] != sent[-1]:
            frame = client.recv_frame()
            self.assertIsNotNone(frame, f"TCP closed after pongs {pongs}")
            self.assertEqual(frame.opcode, OP_PONG)
            pongs.append(frame.payload)
        client.send_text(heartbeat())
        while True:
            frame = client.recv_frame()
            self.assertIsNotNone(frame)
            if frame.opcode == OP_TEXT:
                break
            self.assertEqual(frame.opcode, OP_PONG)
            pongs.append(frame.payload)
        self.assertEqual(frame.json(), HEARTBEAT_REPLY)
        for p in pongs:
            self.assertIn(p, sent, "a pong carries a payload no ping had")
        self.assertEqual(pongs, sorted(pongs, key=sent.index), "pongs out of order")
        self.close_normally(client)

    def test_2_10_ten_pings(self):
        self.ten_pings()

    def test_2_11_ten_pings_in_1_byte_chunks(self):
        self.ten_pings(chunk=1)


# ---------------------------------------------------------------------------------------------
# 3.x reserved bits
# ---------------------------------------------------------------------------------------------

class ReservedBits(ServerCase):
    """Autobahn 3.x: no extension is negotiated, so any RSV bit fails the connection."""

    def rsv_after_heartbeat(self, opcode, payload, rsv, chunk=None):
        client = self.connect()
        client.send_text(heartbeat())
        self.assert_heartbeat_reply(client)
        client.send(opcode, payload, rsv=rsv, chunk=chunk)
        self.assertEqual(client.expect_close(1002), [])

    def test_3_1_text_with_rsv1_1002(self):
        self.assert_violation(encode_frame(OP_TEXT, heartbeat(), rsv=1), 1002)


add_cases(ReservedBits, "3", [
    ("2_text_with_rsv2_after_a_valid_message_1002", OP_TEXT, heartbeat("2"), 2),
    ("3_text_with_rsv3_after_a_valid_message_1002", OP_TEXT, heartbeat("2"), 3),
    ("4_text_with_rsv4_in_1_byte_chunks_1002", OP_TEXT, heartbeat("2"), 4, 1),
    ("5_binary_with_rsv5_1002", OP_BINARY, b"\x00\x01\x02", 5),
    ("6_ping_with_rsv6_1002", OP_PING, b"ping", 6),
    ("7_close_with_rsv7_1002", OP_CLOSE, close_payload(1000), 7),
], lambda self, *a: self.rsv_after_heartbeat(*a))


# ---------------------------------------------------------------------------------------------
# 4.x reserved opcodes
# ---------------------------------------------------------------------------------------------

class Opcodes(ServerCase):
    """Autobahn 4.x: opcodes 3-7 and 11-15 are reserved."""

    def reserved_opcode(self, opcode, payload):
        client = self.connect()
        client.send_text(heartbeat())
        self.assert_heartbeat_reply(client)
        client.send_raw(encode_frame(opcode, payload) + encode_frame(OP_PING, b"after"))
        self.assertEqual(client.expect_close(1002), [])


add_cases(Opcodes, "4", [
    ("1_1_opcode_3_1002", 3, b""),
    ("1_2_opcode_4_with_payload_1002", 4, b"reserved"),
    ("1_3_opcode_5_1002", 5, b"reserved"),
    ("1_4_opcode_6_1002", 6, b"reserved"),
    ("1_5_opcode_7_1002", 7, b"reserved"),
    ("2_1_opcode_11_1002", 11, b""),
    ("2_2_opcode_12_with_payload_1002", 12, b"reserved"),
    ("2_3_opcode_13_1002", 13, b"reserved"),
    ("2_4_opcode_14_1002", 14, b"reserved"),
    ("2_5_opcode_15_1002", 15, b"reserved"),
], lambda self, *a: self.reserved_opcode(*a))


# ---------------------------------------------------------------------------------------------
# 5.x fragmentation
# ---------------------------------------------------------------------------------------------

def fragments(opcode, payload, parts):
    """`payload` as `parts` frames: the first with `opcode`, the rest continuations."""
    if isinstance(payload, str):
        payload = payload.encode()
    size = -(-len(payload) // parts)
    pieces = [payload[i:i + size] for i in range(0, len(payload), size)]
    return [encode_frame(opcode if i == 0 else OP_CONT, p, fin=i == len(pieces) - 1)
            for i, p in enumerate(pieces)]


class Fragmentation(ServerCase):
    """Autobahn 5.x."""

    def test_5_1_fragmented_ping_1002(self):
        self.assert_violation(encode_frame(OP_PING, b"frag", fin=False) +
                              encode_frame(OP_CONT, b"ment"), 1002)

    def test_5_2_fragmented_pong_1002(self):
        self.assert_violation(encode_frame(OP_PONG, b"frag", fin=False) +
                              encode_frame(OP_CONT, b"ment"), 1002)

    def fragmented_text(self, parts, chunk=None, separate=False, ping_between=False):
        client = self.echo_client()
        text = echo_text(200)
        frames = fragments(OP_TEXT, text, parts)
        if ping_between:
            ping = encode_frame(OP_PING, b"between")
            frames = [f for frame in frames[:-1] for f in (frame, ping)] + frames[-1:]
        if separate:
            for f in frames:
                client.send_raw(f, chunk)
        else:
            client.send_raw(b"".join(frames), chunk)
        if ping_between:
            # A ping whose pong is still queued when the next one arrives is answered by that
            # next pong only (RFC 6455 §5.5.3): between 1 and parts - 1 pongs, all before the
            # reply, since the last ping precedes the last fragment.
            pongs = 0
            while client.peek_opcode() == OP_PONG:
                pong = client.recv_frame()
                self.assertEqual(pong.payload, b"between")
                pongs += 1
            self.assertTrue(1 <= pongs <= parts - 1, f"{pongs} pongs")
        self.assert_echo(client, text)
        self.close_normally(client)

    def test_5_3_text_in_2_fragments(self):
        self.fragmented_text(2)

    def test_5_4_text_in_2_fragments_written_separately(self):
        self.fragmented_text(2, separate=True)

    def test_5_5_text_in_2_fragments_in_1_byte_chunks(self):
        self.fragmented_text(2, chunk=1)

    def test_5_6_text_in_2_fragments_with_a_ping_between(self):
        self.fragmented_text(2, ping_between=True)

    def test_5_7_text_in_2_fragments_with_a_ping_between_written_separately(self):
        self.fragmented_text(2, separate=True, ping_between=True)

    def test_5_8_text_in_2_fragments_with_a_ping_between_in_1_byte_chunks(self):
        self.fragmented_text(2, chunk=1, ping_between=True)

    def test_5_19_text_in_5_fragments_with_pings_between(self):
        self.fragmented_text(5, separate=True, ping_between=True)

    def test_5_text_in_200_one_byte_fragments(self):
        self.fragmented_text(200)

    def test_5_binary_in_3_fragments(self):
        client = self.echo_client()
        frame, payload = binary_push(3000)
        client.send_raw(b"".join(fragments(OP_BINARY, frame, 3)))
        reply = client.recv_data()
        self.assertEqual(reply.opcode, OP_BINARY)
        self.assertEqual(binary_reply_payload(reply.payload), payload)
        self.close_normally(client)

    def test_5_empty_fragments_are_allowed(self):
        client = self.echo_client()
        text = echo_text(100).encode()
        client.send_raw(encode_frame(OP_TEXT, b"", fin=False) +
                        encode_frame(OP_CONT, text, fin=False) +
                        encode_frame(OP_CONT, b"", fin=True))
        self.assert_echo(client, text)
        self.close_normally(client)

    def test_5_9_continuation_without_a_message_1002(self):
        self.assert_violation(encode_frame(OP_CONT, b"non-continuation payload", fin=True), 1002)

    def test_5_10_continuation_without_a_message_in_1_byte_chunks_1002(self):
        self.assert_violation(encode_frame(OP_CONT, b"non-continuation payload", fin=True), 1002,
                              chunk=1)

    def test_5_12_unfinished_continuation_without_a_message_1002(self):
        self.assert_violation(encode_frame(OP_CONT, b"non-continuation payload", fin=False), 1002)

    def test_5_15_continuation_after_a_finished_message_1002(self):
        client = self.echo_client()
        text = echo_text(100)
        first = fragments(OP_TEXT, text, 2)
        client.send_raw(b"".join(first) + encode_frame(OP_CONT, b"x", fin=False) +
                        encode_frame(OP_TEXT, b"y", fin=True))
        before = client.expect_close(1002)
        # The first message is complete before the violation; its reply may race the close.
        for frame in before:
            self.assertEqual(frame.json()[3], "phx_reply")

    def test_5_18_new_message_before_the_previous_finished_1002(self):
        text = echo_text(100)
        self.assert_violation(encode_frame(OP_TEXT, text[:50], fin=False) +
                              encode_frame(OP_TEXT, text[50:], fin=True), 1002, join=True)

    def test_5_binary_message_inside_a_text_message_1002(self):
        self.assert_violation(encode_frame(OP_TEXT, b"[", fin=False) +
                              encode_frame(OP_BINARY, b"\x00", fin=True), 1002)

    def test_5_unmasked_client_frame_1002(self):
        self.assert_violation(encode_frame(OP_TEXT, heartbeat(), mask=False), 1002)

    def test_5_unmasked_continuation_1002(self):
        text = heartbeat()
        self.assert_violation(encode_frame(OP_TEXT, text[:5], fin=False) +
                              encode_frame(OP_CONT, text[5:], mask=False), 1002)

    def test_5_unmasked_ping_1002(self):
        self.assert_violation(encode_frame(OP_PING, b"p", mask=False), 1002)


# ---------------------------------------------------------------------------------------------
# 6.x UTF-8
# ---------------------------------------------------------------------------------------------

KOSME = "κόσμε".encode()

INVALID_UTF8 = [
    # (name, bytes) -- embedded in the JSON string of a push on echo:x
    ("3_1_surrogate_inside_valid_text", KOSME + b"\xed\xa0\x80edited"),
    ("4_1_code_point_above_10ffff", KOSME + b"\xf4\x90\x80\x80edited"),
    ("8_1_five_byte_sequence", b"\xf8\x88\x80\x80\x80"),
    ("8_2_six_byte_sequence", b"\xfc\x84\x80\x80\x80\x80"),
    ("8_f7_bf_bf_bf_above_10ffff", b"\xf7\xbf\xbf\xbf"),
    ("12_1_lone_continuation_byte_80", b"\x80"),
    ("12_2_lone_continuation_byte_bf", b"\xbf"),
    ("13_1_lonely_start_byte", b"\xc0 "),
    ("14_1_truncated_2_byte_sequence", b"\xc2x"),
    ("14_2_truncated_3_byte_sequence", b"\xe2\x82x"),
    ("14_3_truncated_4_byte_sequence", b"\xf0\x9f\x98x"),
    ("16_1_impossible_byte_fe", b"\xfe"),
    ("16_2_impossible_byte_ff", b"\xff"),
    ("17_1_overlong_slash_2_bytes", b"\xc0\xaf"),
    ("17_2_overlong_slash_3_bytes", b"\xe0\x80\xaf"),
    ("17_3_overlong_slash_4_bytes", b"\xf0\x80\x80\xaf"),
    ("18_1_maximum_overlong_2_bytes", b"\xc1\xbf"),
    ("18_2_maximum_overlong_3_bytes", b"\xe0\x9f\xbf"),
    ("18_3_maximum_overlong_4_bytes", b"\xf0\x8f\xbf\xbf"),
    ("19_1_overlong_nul", b"\xc0\x80"),
    ("20_1_high_surrogate_d800", b"\xed\xa0\x80"),
    ("20_7_low_surrogate_dfff", b"\xed\xbf\xbf"),
    ("21_1_surrogate_pair", b"\xed\xa0\x80\xed\xb0\x80"),
]

VALID_UTF8 = [
    ("2_1_kosme", "κόσμε"),
    ("2_first_code_points_of_each_length", "\u0080 \u0800 \U00010000"),
    ("2_last_code_points_of_each_length", "\u007f \u07ff \uffff \U0010ffff"),
    ("5_1_mixed_scripts_and_emoji", "Ünïcödé ☃ 😀 日本語"),
    ("22_noncharacters_are_valid", "\ufffe \uffff \U0001fffe \U0010fffe"),
    ("23_bom_and_replacement_character", "\ufeff \ufffd"),
]


def push_bytes(content):
    """A push on echo:x whose payload string holds `content` (bytes) verbatim."""
    return b'["1","2","echo:x","e",{"s":"' + content + b'"}]'


class Utf8(ServerCase):
    """Autobahn 6.x: text messages must be UTF-8 (whole or fragmented), else 1007."""

    def test_6_1_2_empty_fragments_are_valid_utf8_but_no_phoenix_frame_1007(self):
        self.assert_violation(encode_frame(OP_TEXT, b"", fin=False) +
                              encode_frame(OP_CONT, b"", fin=True), 1007)

    def valid(self, text, fragmented):
        client = self.echo_client()
        data = json.dumps(["1", "2", "echo:x", "e", {"s": text}], ensure_ascii=False).encode()
        if fragmented:  # one byte per frame: frames end inside code points (Autobahn 6.2.4)
            client.send_raw(b"".join(fragments(OP_TEXT, data, len(data))))
        else:
            client.send(OP_TEXT, data)
        self.assert_echo(client, data.decode())
        self.close_normally(client)

    def invalid(self, content, fragmented):
        data = push_bytes(content)
        if fragmented:  # split inside the invalid sequence
            at = data.index(content) + 1
            frames = encode_frame(OP_TEXT, data[:at], fin=False) + encode_frame(OP_CONT, data[at:])
        else:
            frames = encode_frame(OP_TEXT, data)
        self.assert_violation(frames, 1007, join=True)

    # Fail fast: the connection fails at the fragment that makes the text invalid; the rest of
    # the message is never sent.
    def fail_fast(self, first, second):
        client = self.echo_client()
        client.send_raw(encode_frame(OP_TEXT, b'["1","2","echo:x","e",{"s":"' + first, fin=False))
        client.send_raw(encode_frame(OP_CONT, second, fin=False))
        client.expect_close(1007)

    def test_6_4_1_fail_fast_on_a_complete_invalid_code_point(self):
        self.fail_fast(KOSME, b"\xf4\x90\x80\x80")

    def test_6_4_2_fail_fast_on_an_unfinished_invalid_code_point(self):
        self.fail_fast(KOSME + b"\xf4", b"\x90")

    def test_6_4_fail_fast_on_an_invalid_byte_in_the_first_fragment(self):
        client = self.echo_client()
        client.send_raw(encode_frame(OP_TEXT, b'["1","2","echo:x","e",{"s":"\xff', fin=False))
        client.expect_close(1007)

    def test_6_invalid_utf8_at_the_end_of_a_message_1007(self):
        self.assert_violation(encode_frame(OP_TEXT, push_bytes(b"") + b"\xe2\x82"), 1007)

    def test_6_invalid_utf8_in_the_last_fragment_1007(self):
        self.assert_violation(encode_frame(OP_TEXT, push_bytes(b"ok")[:10], fin=False) +
                              encode_frame(OP_CONT, push_bytes(b"ok")[10:], fin=False) +
                              encode_frame(OP_CONT, b"\xff", fin=True), 1007)

    def test_6_invalid_utf8_in_a_binary_message_is_not_checked(self):
        client = self.echo_client()
        frame, payload = binary_push(20)
        invalid = b"\xff\xfe\xed\xa0\x80"
        client.send(OP_BINARY, frame[:-5] + invalid)
        self.assertEqual(binary_reply_payload(client.recv_data().payload), payload[:-5] + invalid)
        self.close_normally(client)


add_cases(Utf8, "6", [(n, t, False) for n, t in VALID_UTF8], lambda self, *a: self.valid(*a))
add_cases(Utf8, "6", [(n + "_in_1_byte_fragments", t, True) for n, t in VALID_UTF8],
          lambda self, *a: self.valid(*a))
add_cases(Utf8, "6", [(n + "_1007", b, False) for n, b in INVALID_UTF8],
          lambda self, *a: self.invalid(*a))
add_cases(Utf8, "6", [(n + "_fragmented_1007", b, True) for n, b in INVALID_UTF8],
          lambda self, *a: self.invalid(*a))


# ---------------------------------------------------------------------------------------------
# 7.x closing handshake
# ---------------------------------------------------------------------------------------------

# RFC 6455 §7.4 and the IANA "WebSocket Close Code Number" registry. 1012-1014 (service restart,
# try again later, bad gateway) were registered after the RFC; current Autobahn lists them as
# neither valid nor invalid, and switchboard itself sends 1013, so they are accepted.
VALID_CLOSE_CODES = [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999]
REGISTERED_LATER = [1012, 1013, 1014]
# Autobahn 7.9.1-7.9.9, then codes that equally must not appear on the wire.
INVALID_CLOSE_CODES = [0, 999, 1004, 1005, 1006, 1016, 1100, 2000, 2999]
ALSO_INVALID = [1, 1015, 2500]


class Close(ServerCase):
    """Autobahn 7.x."""

    def test_7_1_1_echo_then_close(self):
        client = self.echo_client()
        text = echo_text(100)
        client.send_text(text)
        self.assert_echo(client, text)
        self.close_normally(client)

    def test_7_1_2_second_close_is_ignored(self):
        client = self.connect()
        client.send_raw(encode_frame(OP_CLOSE, close_payload(1000)) * 2)
        self.assertEqual(client.expect_close(1000), [])

    def test_7_1_3_ping_after_close_gets_no_pong(self):
        client = self.connect()
        client.send_raw(encode_frame(OP_CLOSE, close_payload(1000)) +
                        encode_frame(OP_PING, b"late"))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_1_4_text_after_close_is_ignored(self):
        client = self.echo_client()
        client.send_raw(encode_frame(OP_CLOSE, close_payload(1000)) +
                        encode_frame(OP_TEXT, echo_text(100)))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_1_5_continuation_after_close_is_ignored(self):
        client = self.echo_client()
        text = echo_text(100).encode()
        client.send_raw(encode_frame(OP_TEXT, text[:40], fin=False) +
                        encode_frame(OP_CLOSE, close_payload(1000)) +
                        encode_frame(OP_CONT, text[40:]))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_1_invalid_frame_after_close_changes_nothing(self):
        client = self.connect()
        client.send_raw(encode_frame(OP_CLOSE, close_payload(1001)) + b"\xff\xff\xff")
        self.assertEqual(client.expect_close(1001), [])

    def test_7_3_1_close_without_payload_answered_with_1000(self):
        client = self.connect()
        client.send_close(b"")
        self.assertEqual(client.expect_close(1000), [])

    def test_7_3_2_close_with_1_byte_payload_1002(self):
        self.assert_violation(encode_frame(OP_CLOSE, b"\x03"), 1002)

    def test_7_3_3_close_with_code_only(self):
        client = self.connect()
        client.send_close(close_payload(1000))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_3_4_close_with_code_and_reason(self):
        client = self.connect()
        client.send_close(close_payload(1000, "Hello World!"))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_3_5_close_with_123_byte_reason(self):
        client = self.connect()
        client.send_close(close_payload(1000, "*" * 123))
        self.assertEqual(client.expect_close(1000), [])

    def test_7_3_6_close_with_124_byte_reason_1002(self):
        self.assert_violation(encode_frame(OP_CLOSE, close_payload(1000, "*" * 124)), 1002)

    def test_7_5_1_close_reason_with_invalid_utf8_1007(self):
        self.assert_violation(
            encode_frame(OP_CLOSE, close_payload(1000, KOSME + b"\xed\xa0\x80edited")), 1007)

    def test_7_close_reason_truncated_inside_a_code_point_1007(self):
        self.assert_violation(encode_frame(OP_CLOSE, close_payload(1000, KOSME[:-1])), 1007)

    def test_7_close_then_tcp_close_by_client(self):
        client = self.connect()
        client.send_close(close_payload(1000))
        client.sock.shutdown(socket.SHUT_WR)
        self.assertEqual(client.expect_close(1000), [])

    def valid_code(self, code):
        client = self.connect()
        client.send_close(close_payload(code, "reason"))
        self.assertEqual(client.expect_close(code), [])

    def invalid_code(self, code):
        self.assert_violation(encode_frame(OP_CLOSE, close_payload(code)), 1002)


add_cases(Close, "7_7", [(f"{i}_valid_close_code_{c}_echoed", c)
                         for i, c in enumerate(VALID_CLOSE_CODES, 1)],
          lambda self, c: self.valid_code(c))
add_cases(Close, "7_7", [(f"x_registered_close_code_{c}_echoed", c) for c in REGISTERED_LATER],
          lambda self, c: self.valid_code(c))
add_cases(Close, "7_9", [(f"{i}_invalid_close_code_{c}_1002", c)
                         for i, c in enumerate(INVALID_CLOSE_CODES, 1)],
          lambda self, c: self.invalid_code(c))
add_cases(Close, "7_9", [(f"x_invalid_close_code_{c}_1002", c) for c in ALSO_INVALID],
          lambda self, c: self.invalid_code(c))
add_cases(Close, "7_13", [("1_close_code_5000_1002", 5000), ("2_close_code_65535_1002", 65535)],
          lambda self, c: self.invalid_code(c))


# ---------------------------------------------------------------------------------------------
# 9.x limits (max_frame_bytes)
# ---------------------------------------------------------------------------------------------

class Limits(ServerCase):
    """max_frame_bytes bounds a message's payload, fragments added up (docs/operations.md)."""

    def test_9_text_of_exactly_max_frame_bytes_is_accepted(self):
        client = self.echo_client()
        text = echo_text(MAX_FRAME_BYTES)
        client.send_text(text)
        self.assert_echo(client, text)
        self.close_normally(client)

    def test_9_text_one_byte_over_max_frame_bytes_1009(self):
        self.assert_violation(encode_frame(OP_TEXT, echo_text(MAX_FRAME_BYTES + 1)), 1009,
                              join=True)

    def test_9_binary_one_byte_over_max_frame_bytes_1009(self):
        self.assert_violation(encode_frame(OP_BINARY, binary_push(MAX_FRAME_BYTES + 1)[0]), 1009,
                              join=True)

    def test_9_fragments_adding_up_to_max_frame_bytes_are_accepted(self):
        client = self.echo_client()
        text = echo_text(MAX_FRAME_BYTES)
        client.send_raw(b"".join(fragments(OP_TEXT, text, 4)))
        self.assert_echo(client, text)
        self.close_normally(client)

    def test_9_fragments_adding_up_to_one_byte_over_1009(self):
        self.assert_violation(b"".join(fragments(OP_TEXT, echo_text(MAX_FRAME_BYTES + 1), 4)), 1009,
                              join=True)

    def test_9_oversized_length_is_refused_before_the_payload_arrives_1009(self):
        header = bytes([0x82, 0x80 | 127]) + (1 << 40).to_bytes(8, "big") + b"\x01\x02\x03\x04"
        self.assert_violation(header, 1009)

    def test_9_length_with_the_most_significant_bit_set_1002(self):
        header = bytes([0x82, 0x80 | 127]) + (1 << 63 | 5).to_bytes(8, "big") + b"\x01\x02\x03\x04"
        self.assert_violation(header + b"hello", 1002)


# ---------------------------------------------------------------------------------------------
# Opening handshake (RFC 6455 §4.2)
# ---------------------------------------------------------------------------------------------

class Handshake(ServerCase):
    """The HTTP side of the upgrade, and the HTTP endpoints' framing."""

    def request(self, data):
        """Sends one raw HTTP request; returns (status, lowercase head text, body)."""
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=3) as s:
            s.sendall(data)
            status, headers, body, _ = read_http_response(s)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items()).lower()
        return status, head, body

    def assert_no_library(self, head, body=b""):
        self.assertNotIn("beast", head)
        self.assertNotIn(b"beast", body.lower())

    def refused(self, data, statuses=(400,)):
        """Asserts the status first, then that the response names no library."""
        status, head, body = self.request(data)
        self.assertIn(status, statuses, head)
        self.assert_no_library(head, body)
        return status, head

    def test_valid_handshake_gets_101_with_the_accept_key(self):
        client = self.connect()  # Client checks the status and Sec-WebSocket-Accept
        self.assertEqual(client.headers.get("upgrade", "").lower(), "websocket")
        self.assertIn("upgrade", client.headers.get("connection", "").lower())
        self.close_normally(client)

    def test_101_response_does_not_advertise_a_library(self):
        client = self.connect()
        server = client.headers.get("server", "")
        for word in ("beast", "boost"):
            self.assertNotIn(word, server.lower(), f"Server: {server}")
        self.assertNotIn("beast", json.dumps(client.headers).lower())
        self.close_normally(client)

    def test_http_responses_do_not_advertise_a_library(self):
        for path in ("/healthz", "/nope", "/metrics", "/socket/websocket"):
            _, head, body = self.request(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            self.assert_no_library(head, body)

    def test_missing_key_400(self):
        self.refused(upgrade_request(key=False))

    def test_empty_key_400(self):
        self.refused(upgrade_request(key=""))

    def test_key_not_base64_400(self):
        self.refused(upgrade_request(key="not base64 at all!!!!!!="))

    def test_key_of_15_bytes_400(self):
        self.refused(upgrade_request(key=base64.b64encode(b"x" * 15).decode()))

    def test_key_of_17_bytes_400(self):
        self.refused(upgrade_request(key=base64.b64encode(b"x" * 17).decode()))

    def wrong_version(self, version):
        _, head = self.refused(upgrade_request(version=version), (400, 426))
        self.assertIn("sec-websocket-version: 13\r\n", head)

    def test_version_8_refused_naming_13(self):
        self.wrong_version("8")

    def test_version_14_refused_naming_13(self):
        self.wrong_version("14")

    def test_missing_version_refused(self):
        self.refused(upgrade_request(version=None), (400, 426))

    def test_connection_header_with_a_token_list_is_accepted(self):
        client = self.connect(edit=lambda r: r.replace(b"Connection: Upgrade",
                                                       b"Connection: keep-alive, Upgrade"))
        self.close_normally(client)

    def test_upgrade_header_is_case_insensitive(self):
        client = self.connect(edit=lambda r: r.replace(b"Upgrade: websocket",
                                                       b"Upgrade: WebSocket"))
        self.close_normally(client)

    def test_frames_sent_along_with_the_request_are_read(self):
        client = self.connect(early=encode_frame(OP_TEXT, heartbeat()) +
                              encode_frame(OP_PING, b"p"))
        # The pong is the session's own answer and may precede the heartbeat reply.
        frames = {}
        for _ in range(2):
            frame = client.recv_frame()
            frames[frame.opcode] = frame
        self.assertEqual(frames[OP_PONG].payload, b"p")
        self.assertEqual(frames[OP_TEXT].json(), HEARTBEAT_REPLY)
        self.close_normally(client)

    def test_missing_host_400(self):
        self.refused(upgrade_request().replace(b"Host: 127.0.0.1\r\n", b""))

    def test_missing_upgrade_header_400(self):
        self.refused(upgrade_request().replace(b"Upgrade: websocket\r\n", b""))

    def test_post_upgrade_400(self):
        self.refused(upgrade_request().replace(b"GET ", b"POST "))

    def test_head_healthz_has_no_body_and_keeps_the_connection_usable(self):
        with socket.create_connection(("127.0.0.1", self.server.port), timeout=3) as s:
            s.sendall(b"HEAD /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            status, headers, _, rest = read_http_response(s, head=True)
            self.assertEqual(status, 200)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            status, headers, body, rest = read_http_response(s, rest)
            self.assertEqual((status, body), (200, b"ok\n"))
            self.assertEqual(rest, b"")


if __name__ == "__main__":
    unittest.main()
