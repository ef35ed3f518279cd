"""Drives one V2 session with Python's `websockets` (an independent WebSocket implementation).

Usage: v2_session.py URL TOPIC
Sends a heartbeat, joins TOPIC, pushes one text and one binary message, leaves, and prints
every frame it received as one JSON line: {"text": <parsed JSON>} or {"binary": <hex>}.
Exits when the phx_close for its join arrives; exit status 2 on a timeout.
"""

import asyncio
import json
import sys

import websockets


def binary_push(join_ref, ref, topic, event, payload):
    strings = [s.encode("utf-8") for s in (join_ref, ref, topic, event)]
    return bytes([0, *map(len, strings)]) + b"".join(strings) + payload


async def session(url, topic):
    async with websockets.connect(url) as ws:
        await ws.send(json.dumps([None, "hb", "phoenix", "heartbeat", {}]))
        await ws.send(json.dumps(["1", "1", topic, "phx_join", {}]))
        await ws.send(json.dumps(["1", "2", topic, "ping", {"from": "python", "n": [1, 2]}]))
        await ws.send(binary_push("1", "3", topic, "bin", b"\x00\x01\xfe\xff"))
        await ws.send(json.dumps(["1", "4", topic, "phx_leave", {}]))
        while True:
            frame = await ws.recv()
            if isinstance(frame, bytes):
                print(json.dumps({"binary": frame.hex()}), flush=True)
                continue
            message = json.loads(frame)
            print(json.dumps({"text": message}), flush=True)
            if message[3] == "phx_close":
                return


def main():
    url, topic = sys.argv[1], sys.argv[2]
    try:
        asyncio.run(asyncio.wait_for(session(url, topic), timeout=5))
    except asyncio.TimeoutError:
        sys.exit(2)


if __name__ == "__main__":
    main()
