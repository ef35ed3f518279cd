#include "bench/results.hpp"

#include <boost/json.hpp>

namespace switchboard::bench {
namespace json = boost::json;
namespace {

void add_map(std::map<std::string, std::uint64_t>& to,
             const std::map<std::string, std::uint64_t>& from) {
  for (const auto& [k, v] : from)
    to[k] += v;
}

void add_vec(std::vector<std::uint64_t>& to, const std::vector<std::uint64_t>& from) {
  if (to.size() < from.size())
    to.resize(from.size());
  for (std::size_t i = 0; i < from.size(); ++i)
    to[i] += from[i];
}

json::value map_json(const std::map<std::string, std::uint64_t>& m) {
  json::object o;
  for (const auto& [k, v] : m)
    o[k] = v;
  return o;
}

std::map<std::string, std::uint64_t> map_from(const json::value& v) {
  std::map<std::string, std::uint64_t> m;
  for (const auto& kv : v.as_object())
    m[std::string(kv.key())] = kv.value().to_number<std::uint64_t>();
  return m;
}

std::vector<std::uint64_t> vec_from(const json::value& v) {
  std::vector<std::uint64_t> out;
  for (const auto& x : v.as_array())
    out.push_back(x.to_number<std::uint64_t>());
  return out;
}

std::uint64_t u64(const json::object& o, const char* k) {
  return o.at(k).to_number<std::uint64_t>();
}

} // namespace

void results::merge(const results& o) {
  planned += o.planned;
  joined += o.joined;
  failed += o.failed;
  connect_elapsed_ns = std::max(connect_elapsed_ns, o.connect_elapsed_ns);
  connect_latency.merge(o.connect_latency);
  add_map(errors, o.errors);
  if (fatal.empty())
    fatal = o.fatal;
  deliveries += o.deliveries;
  latency.merge(o.latency);
  publish_ok += o.publish_ok;
  add_vec(sent, o.sent);
  add_vec(receivers, o.receivers);
  add_vec(unique, o.unique);
  duplicates += o.duplicates;
  out_of_order += o.out_of_order;
  last_receive_ns = std::max(last_receive_ns, o.last_receive_ns);
  add_map(closes, o.closes);
  add_map(slow_outcomes, o.slow_outcomes);
  slow_received += o.slow_received;
  cycles_started += o.cycles_started;
  cycles_ok += o.cycles_ok;
  cycles_failed += o.cycles_failed;
  cycles_skipped += o.cycles_skipped;
  cycle_latency.merge(o.cycle_latency);
  if (storm.size() < o.storm.size())
    storm.resize(o.storm.size());
  for (std::size_t i = 0; i < o.storm.size(); ++i)
    storm[i].merge(o.storm[i]);
}

json::value results::to_json() const {
  json::array steps;
  for (const auto& st : storm)
    steps.push_back(st.to_json());
  return json::object{
    {"storm", std::move(steps)},
    {"planned", planned},
    {"joined", joined},
    {"failed", failed},
    {"connect_elapsed_ns", connect_elapsed_ns},
    {"connect_latency", connect_latency.to_json()},
    {"errors", map_json(errors)},
    {"fatal", fatal},
    {"deliveries", deliveries},
    {"latency", latency.to_json()},
    {"publish_ok", publish_ok},
    {"sent", json::value_from(sent)},
    {"receivers", json::value_from(receivers)},
    {"unique", json::value_from(unique)},
    {"duplicates", duplicates},
    {"out_of_order", out_of_order},
    {"last_receive_ns", last_receive_ns},
    {"closes", map_json(closes)},
    {"slow_outcomes", map_json(slow_outcomes)},
    {"slow_received", slow_received},
    {"cycles_started", cycles_started},
    {"cycles_ok", cycles_ok},
    {"cycles_failed", cycles_failed},
    {"cycles_skipped", cycles_skipped},
    {"cycle_latency", cycle_latency.to_json()},
  };
}

results results::from_json(const json::value& v) {
  const auto& o = v.as_object();
  results r;
  r.planned = u64(o, "planned");
  r.joined = u64(o, "joined");
  r.failed = u64(o, "failed");
  r.connect_elapsed_ns = u64(o, "connect_elapsed_ns");
  r.connect_latency = histogram::from_json(o.at("connect_latency"));
  r.errors = map_from(o.at("errors"));
  r.fatal = std::string(o.at("fatal").as_string());
  r.deliveries = u64(o, "deliveries");
  r.latency = histogram::from_json(o.at("latency"));
  r.publish_ok = u64(o, "publish_ok");
  r.sent = vec_from(o.at("sent"));
  r.receivers = vec_from(o.at("receivers"));
  r.unique = vec_from(o.at("unique"));
  r.duplicates = u64(o, "duplicates");
  r.out_of_order = u64(o, "out_of_order");
  r.last_receive_ns = u64(o, "last_receive_ns");
  r.closes = map_from(o.at("closes"));
  r.slow_outcomes = map_from(o.at("slow_outcomes"));
  r.slow_received = u64(o, "slow_received");
  r.cycles_started = u64(o, "cycles_started");
  r.cycles_ok = u64(o, "cycles_ok");
  r.cycles_failed = u64(o, "cycles_failed");
  r.cycles_skipped = u64(o, "cycles_skipped");
  r.cycle_latency = histogram::from_json(o.at("cycle_latency"));
  if (const auto* steps = o.if_contains("storm"))
    for (const auto& st : steps->as_array())
      r.storm.push_back(storm_step::from_json(st));
  return r;
}

} // namespace switchboard::bench
