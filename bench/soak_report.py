#!/usr/bin/env python3
"""Reads what bench/soak.sh left in its output directory (soak.csv from the sampler, runs/ from
the bench lanes), prints the summary, writes soak_summary.txt, soak_summary.json and
soak_rss.svg, and exits 0 on PASS, 1 on FAIL.

PASS needs all of:
  * every bench run exited 0 with no error, no failed connection, no failed churn cycle, and
    (for runs with publishers) nothing missing, duplicated or out of order and no regular
    subscriber closed by the server (the non-readers of the slow lane may be closed: expected);
  * every lane completed at least one run; deliveries and churn cycles happened;
  * the server answered the final scrape and at least 90 % of all scrapes, closed nobody with
    1008, 1011 or a protocol-error code, came back to 0 connections and 0 rooms after the load,
    and exited 0 on SIGTERM;
  * unless sanitized: RSS after warm-up grew by at most max(16 MiB, 20 % of the RSS at the end
    of warm-up).
"""
import argparse
import csv
import glob
import json
import os
import re
import sys

MIB = 1024 * 1024
LANES = ["fanout", "lobby", "rooms", "churn", "presence", "slow"]


def load_samples(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append({k: (float(v) if v not in ("", None) else None) for k, v in r.items()})
    return rows


def slope_per_min(points):
    """Least-squares slope of (t seconds, y) points, in y per minute."""
    n = len(points)
    if n < 2:
        return 0.0
    mt = sum(t for t, _ in points) / n
    my = sum(y for _, y in points) / n
    den = sum((t - mt) ** 2 for t, _ in points)
    if den == 0:
        return 0.0
    return 60.0 * sum((t - mt) * (y - my) for t, y in points) / den


def check_phase(lane, label, s, problems, totals):
    """Checks one scenario summary of switchboard-bench; adds what it counted to totals."""
    where = f"{lane} {label}".strip()
    if s.get("fatal"):
        problems.append(f"{where}: fatal: {s['fatal']}")
    for w in s.get("worker_failures", []):
        problems.append(f"{where}: {w}")
    for what, count in s.get("errors", {}).items():
        problems.append(f"{where}: {count} x {what}")
    conn = s.get("connect", {})
    if conn.get("failed", 0):
        problems.append(f"{where}: {conn['failed']} connections failed to join")
    totals["joined"] += conn.get("joined", 0)
    d = s.get("delivery")
    if d:
        totals["sent"] += d["sent"]
        totals["deliveries"] += d["deliveries"]
        totals["expected"] += d["expected"]
        for key in ("missing", "duplicates", "out_of_order"):
            totals[key] += d[key]
            if d[key]:
                problems.append(f"{where}: {d[key]} {key.replace('_', ' ')}")
        for what, count in d.get("server_closed", {}).items():
            problems.append(f"{where}: server closed {count} regular subscribers ({what})")
        if d["sent"] and not d["deliveries"]:
            problems.append(f"{where}: {d['sent']} published, nothing delivered")
        if d["run_seconds"] < 0.5 * s["duration_s"]:
            problems.append(f"{where}: ran {d['run_seconds']:.1f} s of {s['duration_s']:g} s")
    c = s.get("churn")
    if c:
        totals["cycles_ok"] += c["ok"]
        totals["cycles_failed"] += c["failed"]
        totals["cycles_skipped"] += c["skipped_at_cap"]
        if c["failed"]:
            problems.append(f"{where}: {c['failed']} churn cycles failed")
    slow = s.get("slow_subscribers")
    if slow:
        for what, count in slow["outcomes"].items():
            totals["slow_outcomes"][what] = totals["slow_outcomes"].get(what, 0) + count


def check_runs(runs_dir, problems):
    per_lane = {}
    for rc_path in sorted(glob.glob(os.path.join(runs_dir, "*.rc"))):
        m = re.match(r"(.+)-(\d+)\.rc$", os.path.basename(rc_path))
        if not m:
            continue
        lane = m.group(1)
        t = per_lane.setdefault(lane, {
            "runs": 0, "joined": 0, "sent": 0, "deliveries": 0, "expected": 0, "missing": 0,
            "duplicates": 0, "out_of_order": 0, "cycles_ok": 0, "cycles_failed": 0,
            "cycles_skipped": 0, "slow_outcomes": {}, "failed_runs": 0})
        t["runs"] += 1
        base = rc_path[:-3]
        rc = open(rc_path).read().strip()
        before = len(problems)
        if rc != "0":
            problems.append(f"{lane} run {m.group(2)}: exit status {rc} ({tail(base + '.err')})")
        try:
            result = json.load(open(base + ".json"))
        except (OSError, ValueError):
            problems.append(f"{lane} run {m.group(2)}: no readable result")
            t["failed_runs"] += 1
            continue
        if "with_slow" in result:
            check_phase(lane, "baseline", result["baseline"], problems, t)
            check_phase(lane, "with non-readers", result["with_slow"], problems, t)
        else:
            check_phase(lane, "", result, problems, t)
        if len(problems) > before:
            t["failed_runs"] += 1
    for lane in LANES:
        if not per_lane.get(lane, {}).get("runs"):
            problems.append(f"lane {lane}: no run completed")
    return per_lane


def tail(path, n=200):
    try:
        text = open(path).read().strip()
    except OSError:
        return ""
    return text[-n:].replace("\n", " | ")


def delta(rows, key):
    vals = [r[key] for r in rows if r["ok"] and r.get(key) is not None]
    return vals[-1] - vals[0] if len(vals) >= 2 else 0


def render_svg(rows, warm_t, load_end, bound_rss, path, title):
    ok = [r for r in rows if r["ok"] and r["rss_bytes"] is not None]
    if not ok:
        return
    w, h, left, right, top, bottom = 860, 360, 70, 70, 40, 50
    pw, ph = w - left - right, h - top - bottom
    tmax = max(r["t_s"] for r in rows) or 1
    ymax_mib = max(max(r["rss_bytes"] for r in ok), bound_rss or 0) / MIB * 1.1
    cmax = max(max((r["connections"] or 0) for r in ok), 1) * 1.1
    minutes = tmax >= 300

    def x(t):
        return left + pw * t / tmax

    def y(mib):
        return top + ph * (1 - mib / ymax_mib)

    def yc(c):
        return top + ph * (1 - c / cmax)

    def poly(points, colour, width=1.5, dash=""):
        pts = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
        d = f' stroke-dasharray="{dash}"' if dash else ""
        return (f'<polyline fill="none" stroke="{colour}" stroke-width="{width}"{d} '
                f'points="{pts}"/>')

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
         f'font-family="sans-serif" font-size="12">',
         f'<rect width="{w}" height="{h}" fill="white"/>',
         f'<text x="{w / 2}" y="20" text-anchor="middle" font-size="14">{title}</text>']
    # Grid and axes.
    step_mib = nice_step(ymax_mib)
    v = 0.0
    while v <= ymax_mib:
        s.append(f'<line x1="{left}" x2="{left + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                 f'stroke="#ddd"/>')
        s.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        v += step_mib
    step_c = nice_step(cmax)
    c = 0.0
    while c <= cmax:
        s.append(f'<text x="{left + pw + 6}" y="{yc(c) + 4:.1f}" fill="#888">{c:g}</text>')
        c += step_c
    unit = 60 if minutes else 1
    step_t = nice_step(tmax / unit)
    t = 0.0
    while t <= tmax / unit:
        s.append(f'<text x="{x(t * unit):.1f}" y="{top + ph + 16}" text-anchor="middle">'
                 f'{t:g}</text>')
        t += step_t
    s.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
    s.append(f'<text x="{left + pw / 2}" y="{h - 12}" text-anchor="middle">time '
             f'({"min" if minutes else "s"})</text>')
    s.append(f'<text x="16" y="{top + ph / 2}" text-anchor="middle" '
             f'transform="rotate(-90 16 {top + ph / 2})">server RSS (MiB)</text>')
    s.append(f'<text x="{w - 14}" y="{top + ph / 2}" text-anchor="middle" fill="#888" '
             f'transform="rotate(90 {w - 14} {top + ph / 2})">open connections</text>')
    # Markers: end of warm-up, end of load, the RSS bound.
    for tt, label in ((warm_t, "warm-up end"), (load_end, "load end")):
        s.append(f'<line x1="{x(tt):.1f}" x2="{x(tt):.1f}" y1="{top}" y2="{top + ph}" '
                 f'stroke="#999" stroke-dasharray="4 3"/>')
        # Near the right edge the label goes to the left of its line.
        anchor, dx = ("end", -4) if x(tt) > left + 0.8 * pw else ("start", 4)
        s.append(f'<text x="{x(tt) + dx:.1f}" y="{top + 12}" text-anchor="{anchor}" '
                 f'fill="#666">{label}</text>')
    if bound_rss:
        s.append(f'<line x1="{x(warm_t):.1f}" x2="{left + pw}" y1="{y(bound_rss / MIB):.1f}" '
                 f'y2="{y(bound_rss / MIB):.1f}" stroke="#c33" stroke-dasharray="6 4"/>')
        s.append(f'<text x="{left + pw - 4}" y="{y(bound_rss / MIB) - 4:.1f}" '
                 f'text-anchor="end" fill="#c33">bound</text>')
    s.append(poly([(x(r["t_s"]), yc(r["connections"] or 0)) for r in ok], "#bbb", 1))
    anon = [r for r in ok if r.get("rss_anon_bytes") is not None]
    if anon:
        s.append(poly([(x(r["t_s"]), y(r["rss_anon_bytes"] / MIB)) for r in anon], "#6a6", 1.2,
                      "3 2"))
    s.append(poly([(x(r["t_s"]), y(r["rss_bytes"] / MIB)) for r in ok], "#1f5fbf", 2))
    lx = left + 10
    s.append(f'<rect x="{lx - 4}" y="{top + ph - 58}" width="190" height="54" fill="white" '
             f'fill-opacity="0.85" stroke="#ccc"/>')
    for i, (colour, label) in enumerate((("#1f5fbf", "RSS"), ("#6a6", "RssAnon (heap)"),
                                         ("#bbb", "connections (right axis)"))):
        s.append(f'<line x1="{lx}" x2="{lx + 20}" y1="{top + ph - 12 - 16 * i}" '
                 f'y2="{top + ph - 12 - 16 * i}" stroke="{colour}" stroke-width="2"/>')
        s.append(f'<text x="{lx + 26}" y="{top + ph - 8 - 16 * i}">{label}</text>')
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")


def nice_step(span):
    if span <= 0:
        return 1
    raw = span / 6
    mag = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 10 ** -len(str(int(1 / raw)))
    for m in (1, 2, 5, 10):
        if raw <= m * mag:
            return m * mag
    return 10 * mag


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--warmup", type=float, default=0.2)
    ap.add_argument("--load-end", type=float, required=True)
    ap.add_argument("--server-exit", required=True)
    ap.add_argument("--sanitized", default="0")
    a = ap.parse_args()
    sanitized = a.sanitized not in ("", "0")
    problems = []
    run_problems = []
    lanes = check_runs(os.path.join(a.out, "runs"), run_problems)

    rows = load_samples(os.path.join(a.out, "soak.csv"))
    ok = [r for r in rows if r["ok"]]
    if not rows or not ok:
        problems.append("the server answered no scrape")
        rows_ok_share = 0.0
    else:
        rows_ok_share = len(ok) / len(rows)
        if not rows[-1]["ok"]:
            problems.append("the server did not answer the final scrape (dead or hung)")
        if rows_ok_share < 0.9:
            problems.append(f"only {len(ok)} of {len(rows)} scrapes answered")
    warm_t = a.warmup * a.duration
    during = [r for r in ok if r["t_s"] <= a.load_end]
    warm = [r for r in during if r["t_s"] <= warm_t]
    post = [r for r in during if r["t_s"] > warm_t]
    summary = {"duration_s": a.duration, "load_end_s": a.load_end, "warmup_end_s": warm_t,
               "samples": len(rows), "scrapes_answered": len(ok), "sanitized": sanitized,
               "server_exit": a.server_exit, "lanes": lanes}
    bound_rss = None
    if warm and post:
        rss_warm = warm[-1]["rss_bytes"]
        rss_max = max(r["rss_bytes"] for r in post)
        rss_final = post[-1]["rss_bytes"]
        bound = max(16 * MIB, 0.2 * rss_warm)
        bound_rss = rss_warm + bound
        summary.update({
            "rss_warmup_end_bytes": rss_warm, "rss_max_after_warmup_bytes": rss_max,
            "rss_final_under_load_bytes": rss_final,
            "rss_growth_bytes": rss_max - rss_warm, "rss_bound_bytes": bound,
            "rss_slope_bytes_per_min": slope_per_min([(r["t_s"], r["rss_bytes"]) for r in post]),
            "rss_anon_slope_bytes_per_min": slope_per_min(
                [(r["t_s"], r["rss_anon_bytes"]) for r in post
                 if r.get("rss_anon_bytes") is not None]),
            "rss_after_load_bytes": ok[-1]["rss_bytes"],
            "rss_peak_bytes": max(r["rss_bytes"] for r in ok),
        })
        if not sanitized and rss_max - rss_warm > bound:
            problems.append(f"RSS grew {(rss_max - rss_warm) / MIB:.1f} MiB after warm-up "
                            f"(bound {bound / MIB:.1f} MiB)")
    else:
        problems.append("too few samples to judge memory (none in warm-up or after it)")
    if ok:
        last = ok[-1]
        summary.update({
            "connections_peak": max(r["connections"] or 0 for r in ok),
            "rooms_peak": max(r["rooms"] or 0 for r in ok),
            "outbound_queue_bytes_max": last["outbound_queue_bytes_max"],
            "connections_after_load": last["connections"], "rooms_after_load": last["rooms"],
            "connections_accepted": delta(ok, "connections_total"),
            "joins": delta(ok, "joins_total"), "server_deliveries": delta(ok, "deliveries_total"),
            "broadcasts": delta(ok, "broadcasts_total"), "dropped": last["dropped_total"],
            "write_timeouts": last["write_timeouts_total"],
            "overloaded": last["overloaded_total"], "rate_limited": last["rate_limited_total"],
            "closed": {code: last["closed_" + code] for code in
                       ("1001", "1008", "1011", "1013", "other")},
            "server_cpu_s": last.get("cpu_s"),
            "control_overflows": last.get("control_overflows_total"),
            "http_connections_refused": last.get("http_connections_refused_total"),
        })
        for code in ("1008", "1011", "other"):
            if last["closed_" + code]:
                problems.append(f"server closed {last['closed_' + code]:.0f} connections with "
                                f"{code if code != 'other' else 'a protocol-error code'}")
        if last["connections"] != 0 or last["rooms"] != 0:
            problems.append(f"after the load: {last['connections']:.0f} connections and "
                            f"{last['rooms']:.0f} rooms left (expected 0 and 0)")
        if not summary["server_deliveries"]:
            problems.append("the server delivered nothing")
    if a.server_exit != "0":
        problems.append(f"server exit status on SIGTERM: {a.server_exit}")
    deliveries = sum(t["deliveries"] for t in lanes.values())
    cycles = {k: lanes.get(k, {}).get("cycles_ok", 0) for k in ("churn", "presence")}
    if not deliveries:
        problems.append("the bench lanes received no deliveries")
    for k, v in cycles.items():
        if not v:
            problems.append(f"lane {k}: no churn cycle completed")
    # Server-level problems first: when the server died they explain the lanes' failures.
    problems += run_problems
    summary["problems"] = problems
    summary["result"] = "FAIL" if problems else "PASS"

    text = format_summary(summary, lanes)
    print(text)
    with open(os.path.join(a.out, "soak_summary.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(a.out, "soak_summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    render_svg(rows, warm_t, a.load_end, None if sanitized else bound_rss,
               os.path.join(a.out, "soak_rss.svg"),
               f"switchboard soak: {a.duration / 60:g} min of mixed traffic")
    sys.exit(1 if problems else 0)


def count(v):
    return "n/a" if v is None else f"{v:.0f}"


def format_summary(s, lanes):
    def mib(key):
        v = s.get(key)
        return "n/a" if v is None else f"{v / MIB:.1f} MiB"

    lines = [f"== soak summary: {s['result']} ==",
             f"duration {s['duration_s']:.0f} s (load ended at {s['load_end_s']:.0f} s), "
             f"warm-up {s['warmup_end_s']:.0f} s, {s['scrapes_answered']}/{s['samples']} scrapes "
             f"answered, server exit {s['server_exit']}",
             f"RSS: end of warm-up {mib('rss_warmup_end_bytes')}, max after warm-up "
             f"{mib('rss_max_after_warmup_bytes')}, final under load "
             f"{mib('rss_final_under_load_bytes')}, after load {mib('rss_after_load_bytes')}",
             ]
    if "rss_slope_bytes_per_min" in s:
        lines.append(f"RSS growth after warm-up {mib('rss_growth_bytes')} (bound "
                     f"{mib('rss_bound_bytes')}{', not applied: sanitized' if s['sanitized'] else ''}"
                     f"), slope {s['rss_slope_bytes_per_min'] / 1024:+.1f} KiB/min "
                     f"(RssAnon {s['rss_anon_slope_bytes_per_min'] / 1024:+.1f} KiB/min)")
    if "connections_peak" in s:
        lines.append(f"server: peak {s['connections_peak']:.0f} connections, "
                     f"{s['rooms_peak']:.0f} rooms; {s['connections_accepted']:.0f} connections "
                     f"accepted, {s['joins']:.0f} joins, {s['broadcasts']:.0f} broadcasts, "
                     f"{s['server_deliveries']:.0f} deliveries "
                     f"({s['server_deliveries'] / max(s['load_end_s'], 1):.0f}/s); "
                     f"largest outbound queue "
                     f"{s['outbound_queue_bytes_max']:.0f} B; closes by code "
                     + ", ".join(f"{k}: {v:.0f}" for k, v in s["closed"].items())
                     + f"; dropped {s['dropped']:.0f}, write timeouts {s['write_timeouts']:.0f}, "
                     f"control overflows {count(s['control_overflows'])}, HTTP connections "
                     f"refused {count(s['http_connections_refused'])}; CPU {s['server_cpu_s']} s")
    for lane in LANES + sorted(set(lanes) - set(LANES)):
        t = lanes.get(lane)
        if not t:
            continue
        parts = [f"{t['runs']} runs ({t['failed_runs']} failed)", f"{t['joined']} joins"]
        if t["sent"]:
            parts.append(f"{t['sent']} published, {t['deliveries']}/{t['expected']} delivered, "
                         f"missing/dup/ooo {t['missing']}/{t['duplicates']}/{t['out_of_order']}")
        if t["cycles_ok"] or t["cycles_failed"]:
            parts.append(f"cycles ok {t['cycles_ok']}, failed {t['cycles_failed']}, "
                         f"skipped at cap {t['cycles_skipped']}")
        if t["slow_outcomes"]:
            parts.append("non-readers: " + ", ".join(f"{k} {v}"
                                                     for k, v in t["slow_outcomes"].items()))
        lines.append(f"  {lane:9} " + "; ".join(parts))
    for p in s["problems"][:30]:
        lines.append("FAIL " + p)
    if len(s["problems"]) > 30:
        lines.append(f"... and {len(s['problems']) - 30} more problems")
    lines.append(s["result"])
    return "\n".join(lines)


if __name__ == "__main__":
    main()
