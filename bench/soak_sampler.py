#!/usr/bin/env python3
"""Soak sampler: scrapes the server's /metrics (and /proc/<pid>) every few seconds into a CSV
until a stop file appears. One row per scrape; a scrape that fails leaves the metric columns
empty, so a dead or hung server shows as empty rows rather than as missing time.

Usage: soak_sampler.py <metrics url> <server pid> <interval s> <csv> <stop file> <start epoch s>
"""
import os
import sys
import time
import urllib.request

COLUMNS = [
    "t_s", "ok", "rss_bytes", "rss_anon_bytes", "rss_file_bytes", "cpu_s", "connections",
    "rooms", "outbound_queue_bytes_max", "connections_total", "joins_total", "deliveries_total",
    "broadcasts_total", "dropped_total", "write_timeouts_total", "overloaded_total",
    "rate_limited_total", "control_overflows_total", "http_connections_refused_total",
    "closed_1001", "closed_1008", "closed_1011", "closed_1013",
    "closed_other",
]

GAUGES = {
    "process_resident_memory_bytes": "rss_bytes",
    "switchboard_connections": "connections",
    "switchboard_rooms": "rooms",
    "switchboard_outbound_queue_bytes_max": "outbound_queue_bytes_max",
    "switchboard_connections_total": "connections_total",
    "switchboard_joins_total": "joins_total",
    "switchboard_deliveries_total": "deliveries_total",
    "switchboard_broadcasts_total": "broadcasts_total",
    "switchboard_write_timeouts_total": "write_timeouts_total",
    "switchboard_overloaded_total": "overloaded_total",
    "switchboard_rate_limited_total": "rate_limited_total",
    "switchboard_control_overflows_total": "control_overflows_total",
    "switchboard_http_connections_refused_total": "http_connections_refused_total",
}


def parse_metrics(text):
    row = {"dropped_total": 0, "closed_1001": 0, "closed_1008": 0, "closed_1011": 0,
           "closed_1013": 0, "closed_other": 0}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name_labels, _, value = line.rpartition(" ")
        name, _, labels = name_labels.partition("{")
        try:
            v = int(float(value))
        except ValueError:
            continue
        if name in GAUGES:
            row[GAUGES[name]] = v
        elif name == "switchboard_dropped_total":
            row["dropped_total"] += v
        elif name == "switchboard_connections_closed_total":
            code = labels.split('"')[1] if '"' in labels else "?"
            key = "closed_" + code
            row[key if key in row else "closed_other"] += v
    return row


def proc_readings(pid):
    row = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("RssAnon:", "RssFile:")):
                    key = "rss_anon_bytes" if line.startswith("RssAnon") else "rss_file_bytes"
                    row[key] = int(line.split()[1]) * 1024
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        row["cpu_s"] = round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 2)
    except (OSError, IndexError, ValueError):
        pass
    return row


def main():
    url, pid, interval, csv_path, stop_file, start = sys.argv[1:7]
    interval, start = float(interval), float(start)
    with open(csv_path, "w") as out:
        out.write(",".join(COLUMNS) + "\n")
        next_at = time.time()
        while not os.path.exists(stop_file):
            row = {"t_s": round(time.time() - start, 1), "ok": 0}
            try:
                with urllib.request.urlopen(url, timeout=5) as r:
                    row.update(parse_metrics(r.read().decode()))
                    row["ok"] = 1
            except OSError:
                pass
            row.update(proc_readings(pid))
            out.write(",".join(str(row.get(c, "")) for c in COLUMNS) + "\n")
            out.flush()
            next_at += interval
            # Sleep to the next sampling instant in short steps, so a stop request is seen soon.
            while time.time() < next_at and not os.path.exists(stop_file):
                time.sleep(min(0.2, max(0.0, next_at - time.time())))


if __name__ == "__main__":
    main()
