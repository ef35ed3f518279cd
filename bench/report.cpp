#include "bench/report.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <sstream>

namespace switchboard::bench {
namespace json = boost::json;
namespace {

json::object latency_ms(const histogram& h) {
  auto ms = [](std::uint64_t ns) { return double(ns) / 1e6; };
  return {{"count", h.count()},          {"p50", ms(h.quantile(0.5))},
          {"p99", ms(h.quantile(0.99))}, {"p999", ms(h.quantile(0.999))},
          {"max", ms(h.max())},          {"mean", h.mean() / 1e6}};
}

json::object map_json(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (const auto& [k, v] : m)
    o[k] = v;
  return o;
}

json::object map_json(const std::map<std::string, double>& m) {
  json::object o;
  for (const auto& [k, v] : m)
    o[k] = v;
  return o;
}

json::value opt(const std::optional<double>& v) {
  return v ? json::value(*v) : json::value(nullptr);
}

std::string fmt(const json::value& v, const char* f = "%.2f") {
  if (v.is_null())
    return "n/a";
  char s[64];
  std::snprintf(s, sizeof s, f, v.to_number<double>());
  return s;
}

json::object storm_json(const options& o, const std::vector<storm_step>& steps) {
  json::array out;
  for (const auto& st : steps) {
    const auto last = std::max(st.last_frame_ns, st.last_request_ns);
    json::object j{{"kind", st.kind},
                   {"requests", st.requests},
                   {"ok", st.ok},
                   {"refused", st.refused},
                   {"timed_out", st.timed_out},
                   {"late_replies", st.late},
                   {"latency_ms", latency_ms(st.latency)},
                   {"frames", st.frames},
                   {"bytes", st.bytes},
                   {"state_frames", st.state_frames},
                   {"state_bytes", st.state_bytes},
                   {"diff_frames", st.diff_frames},
                   {"diff_bytes", st.diff_bytes},
                   {"requests_seconds", double(st.last_request_ns - st.first_request_ns) / 1e9},
                   {"settle_seconds", double(last - st.last_request_ns) / 1e9},
                   {"settle_capped", st.settle_capped},
                   {"errors", map_json(st.errors)}};
    if (st.kind == "join")
      j["sample"] = json::object{{"clients", st.sampled},
                                 {"complete", st.sampled_complete},
                                 {"expected_keys", o.clients},
                                 {"keys_min", st.sampled_keys_min},
                                 {"keys_max", st.sampled_keys_max}};
    out.push_back(std::move(j));
  }
  return json::object{{"topic", o.topic},
                      {"join_rate", o.rate},
                      {"cycles", o.cycles},
                      {"request_timeout_s", o.request_timeout},
                      {"settle_quiet_s", o.settle_quiet},
                      {"steps", std::move(out)}};
}

} // namespace

json::object summarize(const options& o, const phase_outcome& p) {
  const results& r = p.merged;
  json::object s;
  s["scenario"] = to_string(o.kind);
  s["url"] = o.url;
  s["vsn"] = o.vsn;
  s["workers"] = o.workers;
  s["clients"] = o.clients;
  s["rooms"] = o.rooms;
  s["publishers_per_room"] = o.publishers;
  s["rate"] = o.rate;
  s["duration_s"] = o.duration;
  s["payload_bytes"] = o.payload_bytes;
  s["slow"] = o.kind == scenario::slow ? o.slow : 0;

  const double setup_s = double(r.connect_elapsed_ns) / 1e9;
  s["connect"] = json::object{{"planned", r.planned},
                              {"joined", r.joined},
                              {"failed", r.failed},
                              {"seconds", setup_s},
                              {"rate_per_s", setup_s > 0 ? double(r.joined) / setup_s : 0.0},
                              {"latency_ms", latency_ms(r.connect_latency)}};
  s["errors"] = map_json(r.errors);
  s["fatal"] = r.fatal;
  json::array failures;
  for (const auto& f : p.worker_failures)
    failures.push_back(json::value(f));
  s["worker_failures"] = std::move(failures);

  json::object server{{"rss_source", p.rss_source},
                      {"rss_before_bytes", opt(p.rss_before)},
                      {"rss_joined_bytes", opt(p.rss_joined)},
                      {"rss_held_bytes", opt(p.rss_held)},
                      {"cpu_seconds", opt(p.cpu_seconds)}};
  if (p.rss_before && r.joined) {
    if (p.rss_joined)
      server["rss_per_connection_bytes"] = (*p.rss_joined - *p.rss_before) / double(r.joined);
    if (p.rss_held)
      server["rss_per_connection_held_bytes"] = (*p.rss_held - *p.rss_before) / double(r.joined);
  }

  if (o.kind == scenario::presence) {
    s["presence"] = storm_json(o, r.storm);
  } else if (o.kind == scenario::churn) {
    const double secs = o.duration;
    s["churn"] = json::object{{"target_rate", o.rate},
                              {"started", r.cycles_started},
                              {"ok", r.cycles_ok},
                              {"failed", r.cycles_failed},
                              {"skipped_at_cap", r.cycles_skipped},
                              {"achieved_rate", double(r.cycles_ok) / secs},
                              {"cycle_latency_ms", latency_ms(r.cycle_latency)}};
  } else if (o.kind != scenario::connect) {
    std::uint64_t sent = 0, expected = 0, unique = 0;
    for (std::size_t i = 0; i < r.sent.size(); ++i) {
      sent += r.sent[i];
      expected += r.sent[i] * (i < r.receivers.size() ? r.receivers[i] : 0);
      unique += i < r.unique.size() ? r.unique[i] : 0;
    }
    s["delivery"] = json::object{{"sent", sent},
                                 {"publish_ok", r.publish_ok},
                                 {"expected", expected},
                                 {"deliveries", r.deliveries},
                                 {"deliveries_per_s", double(r.deliveries) / o.duration},
                                 {"offered_per_s", double(expected) / o.duration},
                                 {"latency_ms", latency_ms(r.latency)},
                                 {"missing", expected > unique ? expected - unique : 0},
                                 {"duplicates", r.duplicates},
                                 {"out_of_order", r.out_of_order},
                                 {"server_closed", map_json(r.closes)},
                                 {"run_seconds", p.run_seconds}};
    if (p.cpu_seconds && r.deliveries)
      server["cpu_us_per_delivery"] = *p.cpu_seconds * 1e6 / double(r.deliveries);
    if (o.kind == scenario::slow)
      s["slow_subscribers"] = json::object{{"outcomes", map_json(r.slow_outcomes)},
                                           {"probes_read_afterwards", r.slow_received}};
  }
  server["drop_metrics_before"] = map_json(p.drops_before);
  server["drop_metrics_after"] = map_json(p.drops_after);
  s["server"] = std::move(server);
  return s;
}

std::string render_text(const json::object& s) {
  std::ostringstream out;
  const auto& c = s.at("connect").as_object();
  const auto& srv = s.at("server").as_object();
  out << "scenario " << s.at("scenario").as_string().c_str() << " ("
      << s.at("url").as_string().c_str() << ", vsn " << s.at("vsn").as_int64() << ", workers "
      << s.at("workers").as_int64() << ")\n";
  if (!s.at("fatal").as_string().empty())
    out << "  LIMIT: " << s.at("fatal").as_string().c_str() << "\n";
  for (const auto& f : s.at("worker_failures").as_array())
    out << "  WORKER FAILURE: " << f.as_string().c_str() << "\n";
  if (c.at("planned").to_number<double>() > 0) {
    const auto& l = c.at("latency_ms").as_object();
    out << "  connect+join  " << c.at("joined").to_number<std::uint64_t>() << "/"
        << c.at("planned").to_number<std::uint64_t>() << " in " << fmt(c.at("seconds"))
        << " s = " << fmt(c.at("rate_per_s"), "%.0f") << "/s; latency p50 " << fmt(l.at("p50"))
        << " ms, p99 " << fmt(l.at("p99")) << " ms\n";
  }
  if (srv.contains("rss_per_connection_bytes"))
    out << "  server RSS    " << fmt(srv.at("rss_before_bytes"), "%.0f") << " -> "
        << fmt(srv.at("rss_joined_bytes"), "%.0f")
        << " bytes = " << fmt(srv.at("rss_per_connection_bytes"), "%.0f")
        << " B/connection (after hold " << fmt(srv.at("rss_per_connection_held_bytes"), "%.0f")
        << ", via " << srv.at("rss_source").as_string().c_str() << ")\n";
  if (const auto* d = s.if_contains("delivery")) {
    const auto& dd = d->as_object();
    const auto& l = dd.at("latency_ms").as_object();
    out << "  published     " << dd.at("sent").to_number<std::uint64_t>() << " ("
        << dd.at("publish_ok").to_number<std::uint64_t>() << " acknowledged)\n"
        << "  deliveries    " << dd.at("deliveries").to_number<std::uint64_t>() << " of "
        << dd.at("expected").to_number<std::uint64_t>() << " = "
        << fmt(dd.at("deliveries_per_s"), "%.0f") << "/s\n"
        << "  latency ms    p50 " << fmt(l.at("p50"), "%.3f") << "  p99 "
        << fmt(l.at("p99"), "%.3f") << "  p99.9 " << fmt(l.at("p999"), "%.3f") << "  max "
        << fmt(l.at("max"), "%.3f") << "\n"
        << "  missing " << dd.at("missing").to_number<std::uint64_t>() << "  duplicates "
        << dd.at("duplicates").to_number<std::uint64_t>() << "  out of order "
        << dd.at("out_of_order").to_number<std::uint64_t>() << "\n";
    for (const auto& kv : dd.at("server_closed").as_object())
      out << "  server closed " << kv.value().to_number<std::uint64_t>()
          << " subscribers: " << kv.key() << "\n";
  }
  if (const auto* sl = s.if_contains("slow_subscribers"))
    for (const auto& kv : sl->as_object().at("outcomes").as_object())
      out << "  non-readers   " << kv.value().to_number<std::uint64_t>() << " x " << kv.key()
          << "\n";
  if (const auto* ch = s.if_contains("churn")) {
    const auto& cc = ch->as_object();
    const auto& l = cc.at("cycle_latency_ms").as_object();
    out << "  churn cycles  " << cc.at("ok").to_number<std::uint64_t>() << " ok, "
        << cc.at("failed").to_number<std::uint64_t>() << " failed, "
        << cc.at("skipped_at_cap").to_number<std::uint64_t>() << " skipped at cap; "
        << fmt(cc.at("achieved_rate"), "%.1f") << "/s of " << fmt(cc.at("target_rate"), "%.1f")
        << "/s target; cycle p50 " << fmt(l.at("p50")) << " ms p99 " << fmt(l.at("p99")) << " ms\n";
  }
  if (const auto* pr = s.if_contains("presence"))
    for (const auto& step : pr->as_object().at("steps").as_array()) {
      const auto& st = step.as_object();
      const auto& l = st.at("latency_ms").as_object();
      auto n = [&](const char* k) { return st.at(k).to_number<std::uint64_t>(); };
      out << "  " << st.at("kind").as_string().c_str() << " storm    " << n("ok") << " ok, "
          << n("refused") << " refused, " << n("timed_out") << " timed out of " << n("requests")
          << " in " << fmt(st.at("requests_seconds")) << " s (" << n("late_replies")
          << " late replies); reply p50 " << fmt(l.at("p50")) << " ms p99 " << fmt(l.at("p99"))
          << " ms max " << fmt(l.at("max")) << " ms\n"
          << "                received " << n("frames") << " frames, " << n("bytes")
          << " bytes (states " << n("state_frames") << " / " << n("state_bytes") << " B, diffs "
          << n("diff_frames") << " / " << n("diff_bytes") << " B); settled "
          << fmt(st.at("settle_seconds")) << " s after the last request"
          << (st.at("settle_capped").as_bool() ? " (CAPPED: still receiving)" : "") << "\n";
      if (const auto* sm = st.if_contains("sample")) {
        const auto& ss = sm->as_object();
        out << "                sampled presence lists: "
            << ss.at("complete").to_number<std::uint64_t>() << "/"
            << ss.at("clients").to_number<std::uint64_t>() << " complete ("
            << ss.at("expected_keys").to_number<std::uint64_t>() << " keys; seen "
            << ss.at("keys_min").to_number<std::uint64_t>() << ".."
            << ss.at("keys_max").to_number<std::uint64_t>() << ")\n";
      }
      for (const auto& kv : st.at("errors").as_object())
        out << "                error " << kv.value().to_number<std::uint64_t>() << " x "
            << kv.key() << "\n";
    }
  if (srv.contains("cpu_us_per_delivery"))
    out << "  server CPU    " << fmt(srv.at("cpu_seconds"), "%.2f")
        << " s = " << fmt(srv.at("cpu_us_per_delivery"), "%.3f") << " us/delivery\n";
  for (const auto& kv : srv.at("drop_metrics_after").as_object())
    out << "  metric        " << kv.key() << " = " << fmt(kv.value(), "%.0f") << "\n";
  for (const auto& kv : s.at("errors").as_object())
    out << "  error         " << kv.value().to_number<std::uint64_t>() << " x " << kv.key() << "\n";
  return out.str();
}

} // namespace switchboard::bench
