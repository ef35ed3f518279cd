"""Renders the JSON results of bench/run.sh as Markdown tables (medians over repeated runs)."""
import glob
import json
import os
import statistics
import sys

raw = sys.argv[1]


def load(name):
    try:
        with open(os.path.join(raw, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def f(v, spec="{:.1f}"):
    return "n/a" if v is None else spec.format(v)


def delivery_row(label, runs):
    runs = [r for r in runs if r and "delivery" in r]
    if not runs:
        return "| %s | no result | | | | | | | | |" % label
    d = [r["delivery"] for r in runs]
    pick = lambda k: med([x[k] for x in d])
    lat = lambda k: med([x["latency_ms"][k] for x in d])
    cpu = med([r["server"].get("cpu_us_per_delivery") for r in runs])
    closed = {}
    for x in d:
        for k, v in x["server_closed"].items():
            closed[k] = closed.get(k, 0) + v
    r0 = runs[0]
    pubs = r0["rooms"] * r0["publishers_per_room"]
    return "| %s | %d | %d | %s | %s | %s | %s | %s | %s | %d/%d/%d | %s | %s |" % (
        label + (" (median of %d)" % len(runs) if len(runs) > 1 else ""),
        r0["clients"], r0["rooms"], f(pubs * r0["rate"], "{:.0f}"),
        f(pick("deliveries_per_s"), "{:,.0f}"), f(lat("p50"), "{:.2f}"), f(lat("p99"), "{:.2f}"),
        f(lat("p999"), "{:.2f}"), f(lat("max"), "{:.2f}"),
        sum(x["missing"] for x in d), sum(x["duplicates"] for x in d),
        sum(x["out_of_order"] for x in d), f(cpu, "{:.2f}"),
        ", ".join("%s x%d" % kv for kv in closed.items()) or "none")


out = []
out.append("### Idle connections\n")
out.append("| connections | joined | connect+join rate (/s) | connect+join p99 (ms) | server RSS before (MiB) | after hold (MiB) | RSS per connection (bytes) |")
out.append("|---|---|---|---|---|---|---|")
for name in ("idle_small", "idle_large"):
    r = load(name)
    if not r:
        continue
    c, s = r["connect"], r["server"]
    mib = lambda v: None if v is None else v / 1048576
    out.append("| %d | %d | %s | %s | %s | %s | %s |" % (
        r["clients"], c["joined"], f(c["rate_per_s"], "{:,.0f}"), f(c["latency_ms"]["p99"], "{:.1f}"),
        f(mib(s["rss_before_bytes"])), f(mib(s["rss_held_bytes"])),
        f(s.get("rss_per_connection_held_bytes"), "{:,.0f}")))
    if r["fatal"]:
        out.append("| | LIMIT: %s | | | | | |" % r["fatal"])

out.append("\n### Delivery (end-to-end latency publish -> receipt, ms)\n")
out.append("| run | subscribers | rooms | publish rate (msg/s, total) | deliveries/s | p50 | p99 | p99.9 | max | missing/dup/ooo | server CPU (us/delivery) | closed by server |")
out.append("|---|---|---|---|---|---|---|---|---|---|---|---|")
small = sorted(glob.glob(os.path.join(raw, "fanout_small_*.json")))
large = sorted(glob.glob(os.path.join(raw, "fanout_large_*.json")))
out.append(delivery_row("fanout, 1 room", [load(os.path.basename(p)[:-5]) for p in small]))
out.append(delivery_row("fanout, 1 room", [load(os.path.basename(p)[:-5]) for p in large]))
searches = sorted(glob.glob(os.path.join(raw, "search_*.json")), key=lambda p: int(p.rsplit("_", 1)[1][:-5]))
best = None
for p in searches:
    r = load(os.path.basename(p)[:-5])
    out.append(delivery_row("rate search", [r]))
    if r and "delivery" in r and r["delivery"]["latency_ms"]["p99"] < 100 and r["delivery"]["missing"] == 0:
        best = r
out.append(delivery_row("rooms (partitioned)", [load("rooms")]))
slow = load("slow")
if slow:
    out.append(delivery_row("slow: baseline", [slow["baseline"]]))
    out.append(delivery_row("slow: with non-readers", [slow["with_slow"]]))
if best:
    out.append("\nHighest publish rate into one room of %d with p99 < 100 ms and nothing missing: "
               "**%d msg/s = %s deliveries/s** (p99 %.1f ms)." % (
                   best["clients"], best["rate"], f(best["delivery"]["deliveries_per_s"], "{:,.0f}"),
                   best["delivery"]["latency_ms"]["p99"]))
if slow:
    w = slow["with_slow"]
    outcomes = ", ".join("%d x %s" % (v, k) for k, v in w["slow_subscribers"]["outcomes"].items())
    out.append("\nNon-readers (%d, SO_RCVBUF 4 KiB): %s. Drop counters after: %s." % (
        w["slow"], outcomes or "none",
        ", ".join("%s=%g" % kv for kv in w["server"]["drop_metrics_after"].items()) or "n/a"))
churn = load("churn")
if churn:
    c = churn["churn"]
    out.append("\n### Churn (connect, join, leave, close)\n")
    out.append("| target (/s) | achieved (/s) | ok | failed | skipped at cap | cycle p50 (ms) | cycle p99 (ms) | errors |")
    out.append("|---|---|---|---|---|---|---|---|")
    out.append("| %s | %s | %d | %d | %d | %s | %s | %s |" % (
        f(c["target_rate"], "{:.0f}"), f(c["achieved_rate"]), c["ok"], c["failed"], c["skipped_at_cap"],
        f(c["cycle_latency_ms"]["p50"], "{:.2f}"), f(c["cycle_latency_ms"]["p99"], "{:.2f}"),
        ", ".join("%s x%d" % kv for kv in churn["errors"].items()) or "none"))
print("\n".join(out))
