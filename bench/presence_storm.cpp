#include "bench/presence_storm.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <limits>

namespace switchboard::bench {
namespace json = boost::json;
namespace {

constexpr std::uint64_t sec = 1'000'000'000;

std::uint64_t u64(const json::object& o, const char* k) {
  return o.at(k).to_number<std::uint64_t>();
}

std::uint64_t seconds_ns(double s) {
  return static_cast<std::uint64_t>(s * 1e9);
}

} // namespace

void storm_step::merge(const storm_step& o) {
  if (kind.empty())
    kind = o.kind;
  requests += o.requests;
  ok += o.ok;
  refused += o.refused;
  timed_out += o.timed_out;
  late += o.late;
  latency.merge(o.latency);
  frames += o.frames;
  bytes += o.bytes;
  state_frames += o.state_frames;
  state_bytes += o.state_bytes;
  diff_frames += o.diff_frames;
  diff_bytes += o.diff_bytes;
  if (o.first_request_ns && (!first_request_ns || o.first_request_ns < first_request_ns))
    first_request_ns = o.first_request_ns;
  last_request_ns = std::max(last_request_ns, o.last_request_ns);
  last_frame_ns = std::max(last_frame_ns, o.last_frame_ns);
  settle_capped = settle_capped || o.settle_capped;
  if (o.sampled) {
    sampled_keys_min =
      sampled ? std::min(sampled_keys_min, o.sampled_keys_min) : o.sampled_keys_min;
    sampled_keys_max = std::max(sampled_keys_max, o.sampled_keys_max);
  }
  sampled += o.sampled;
  sampled_complete += o.sampled_complete;
  for (const auto& [k, v] : o.errors)
    errors[k] += v;
}

json::value storm_step::to_json() const {
  json::object errs;
  for (const auto& [k, v] : errors)
    errs[k] = v;
  return json::object{{"kind", kind},
                      {"requests", requests},
                      {"ok", ok},
                      {"refused", refused},
                      {"timed_out", timed_out},
                      {"late", late},
                      {"latency", latency.to_json()},
                      {"frames", frames},
                      {"bytes", bytes},
                      {"state_frames", state_frames},
                      {"state_bytes", state_bytes},
                      {"diff_frames", diff_frames},
                      {"diff_bytes", diff_bytes},
                      {"first_request_ns", first_request_ns},
                      {"last_request_ns", last_request_ns},
                      {"last_frame_ns", last_frame_ns},
                      {"settle_capped", settle_capped},
                      {"sampled", sampled},
                      {"sampled_complete", sampled_complete},
                      {"sampled_keys_min", sampled_keys_min},
                      {"sampled_keys_max", sampled_keys_max},
                      {"errors", std::move(errs)}};
}

storm_step storm_step::from_json(const json::value& v) {
  const auto& o = v.as_object();
  storm_step s;
  s.kind = std::string(o.at("kind").as_string());
  s.requests = u64(o, "requests");
  s.ok = u64(o, "ok");
  s.refused = u64(o, "refused");
  s.timed_out = u64(o, "timed_out");
  s.late = u64(o, "late");
  s.latency = histogram::from_json(o.at("latency"));
  s.frames = u64(o, "frames");
  s.bytes = u64(o, "bytes");
  s.state_frames = u64(o, "state_frames");
  s.state_bytes = u64(o, "state_bytes");
  s.diff_frames = u64(o, "diff_frames");
  s.diff_bytes = u64(o, "diff_bytes");
  s.first_request_ns = u64(o, "first_request_ns");
  s.last_request_ns = u64(o, "last_request_ns");
  s.last_frame_ns = u64(o, "last_frame_ns");
  s.settle_capped = o.at("settle_capped").as_bool();
  s.sampled = u64(o, "sampled");
  s.sampled_complete = u64(o, "sampled_complete");
  s.sampled_keys_min = u64(o, "sampled_keys_min");
  s.sampled_keys_max = u64(o, "sampled_keys_max");
  for (const auto& kv : o.at("errors").as_object())
    s.errors[std::string(kv.key())] = kv.value().to_number<std::uint64_t>();
  return s;
}

presence_storm::presence_storm(const options& o, int workers,
                               std::vector<std::unique_ptr<ws_conn>>& conns)
    : o_(o), workers_(workers) {
  const std::uint64_t stride = std::max<std::uint64_t>(
    1, static_cast<std::uint64_t>(o.clients) / static_cast<std::uint64_t>(std::max(1, o.sample)));
  clients_.resize(conns.size());
  for (std::size_t k = 0; k < conns.size(); ++k) {
    clients_[k].conn = conns[k].get();
    if (o.sample > 0 && conns[k]->data.global_index % stride == 0)
      clients_[k].model = std::make_unique<presence_model>();
  }
}

void presence_storm::start_step(std::uint64_t start_ns) {
  ++step_;
  start_ns_ = start_ns;
  interval_ns_ = o_.rate > 0 ? static_cast<std::uint64_t>(1e9 / o_.rate) : 0;
  next_ = 0;
  cur_ = storm_step{};
  cur_.kind = joining() ? "join" : "leave";
  join_ref_ = std::to_string(cycle());
}

void presence_storm::send_request(client& cl, std::uint64_t now) {
  auto& c = *cl.conn;
  msg_.clear();
  const std::string topic = o_.topic;
  if (joining()) {
    if (cl.model)
      cl.model->reset();
    char payload[48];
    std::snprintf(payload, sizeof payload, "{\"user_id\":\"u%llu\"}",
                  static_cast<unsigned long long>(c.data.global_index));
    encode_message(msg_, o_.vsn, o_.vsn == 2 ? join_ref_ : "", join_ref_, topic, "phx_join",
                   payload);
  } else {
    encode_message(msg_, o_.vsn, o_.vsn == 2 ? join_ref_ : "", "L" + join_ref_, topic, "phx_leave",
                   "{}");
  }
  c.send_text(msg_);
  cl.sent_ns = now;
  cl.waiting = true;
  cl.expired = false;
  ++waiting_;
  ++cur_.requests;
  if (!cur_.first_request_ns)
    cur_.first_request_ns = now;
  cur_.last_request_ns = now;
  in_flight_.push_back(static_cast<std::size_t>(&cl - clients_.data()));
}

bool presence_storm::tick(std::uint64_t now) {
  if (step_ < 0 || now < start_ns_)
    return false;
  while (next_ < clients_.size()) {
    auto& cl = clients_[next_];
    const std::uint64_t due = start_ns_ + cl.conn->data.global_index * interval_ns_;
    if (due > now)
      break;
    ++next_;
    const bool open = cl.conn->current() == ws_conn::state::open;
    // A leave storm leaves what the join storm admitted; a closed connection joins nothing.
    if (!open || (!joining() && !cl.joined))
      continue;
    send_request(cl, now);
  }
  expire(now);
  if (next_ < clients_.size() || waiting_ > 0)
    return false;
  const std::uint64_t last = std::max(cur_.last_frame_ns, cur_.last_request_ns);
  const bool quiet = now - last >= seconds_ns(o_.settle_quiet);
  const bool capped = now - cur_.last_request_ns >= seconds_ns(o_.settle_max);
  if (!quiet && !capped)
    return false;
  cur_.settle_capped = !quiet;
  finish_step();
  return true;
}

void presence_storm::expire(std::uint64_t now) {
  const std::uint64_t timeout = seconds_ns(o_.request_timeout);
  while (!in_flight_.empty()) {
    auto& cl = clients_[in_flight_.front()];
    if (cl.waiting && now - cl.sent_ns < timeout)
      break;
    in_flight_.pop_front();
    if (!cl.waiting)
      continue;
    cl.waiting = false;
    cl.expired = true;
    --waiting_;
    ++cur_.timed_out;
    if (joining() && cl.conn->current() == ws_conn::state::open) {
      // As phoenix.js does when a join times out: leave, so a join the server admits late
      // does not linger (phoenix.js would then rejoin with backoff; this client does not).
      msg_.clear();
      encode_message(msg_, o_.vsn, o_.vsn == 2 ? join_ref_ : "", "T", o_.topic, "phx_leave", "{}");
      cl.conn->send_text(msg_);
    }
  }
}

void presence_storm::on_message(ws_conn& c, const incoming& m, std::size_t bytes,
                                std::uint64_t now) {
  if (m.ref == "h" || step_ < 0)
    return;
  auto& cl = clients_[c.data.global_index / static_cast<std::uint64_t>(workers_)];
  ++cur_.frames;
  cur_.bytes += bytes;
  cur_.last_frame_ns = now;
  if (m.event == "phx_reply") {
    on_reply(cl, m, now);
  } else if (m.event == "presence_state") {
    ++cur_.state_frames;
    cur_.state_bytes += bytes;
    if (cl.model && m.join_ref == join_ref_ && !cl.model->on_state(m.payload))
      ++cur_.errors["unparsable presence_state"];
  } else if (m.event == "presence_diff") {
    ++cur_.diff_frames;
    cur_.diff_bytes += bytes;
    if (cl.model && cl.joined && !cl.model->on_diff(m.payload))
      ++cur_.errors["unparsable presence_diff"];
  } else if (m.event == "phx_error" || (m.event == "phx_close" && joining() && cl.joined)) {
    // A phx_close answering a leave (or the leave of a timed-out join) is expected.
    ++cur_.errors["server sent " + std::string(m.event)];
  }
}

void presence_storm::on_reply(client& cl, const incoming& m, std::uint64_t now) {
  const std::string expected = joining() ? join_ref_ : "L" + join_ref_;
  if (m.ref != expected)
    return; // a reply to a timed-out join's phx_leave, or to an earlier step
  if (!cl.waiting) {
    // The first reply after a timeout; the server's connection may add its own error reply.
    cur_.late += cl.expired ? 1 : 0;
    cl.expired = false;
    return;
  }
  cl.waiting = false;
  --waiting_;
  cur_.latency.record(now - cl.sent_ns);
  if (find_string(m.payload, "status") != "ok") {
    ++cur_.refused;
    ++cur_.errors[std::string(joining() ? "join" : "leave") +
                  " refused: " + std::string(find_string(m.payload, "reason"))];
    return;
  }
  ++cur_.ok;
  cl.joined = joining();
}

void presence_storm::finish_step() {
  in_flight_.clear();
  if (joining()) {
    const auto users = static_cast<std::uint64_t>(o_.clients);
    cur_.sampled_keys_min = std::numeric_limits<std::uint64_t>::max();
    for (auto& cl : clients_) {
      if (!cl.model)
        continue;
      ++cur_.sampled;
      const std::uint64_t keys = cl.joined && cl.model->has_state() ? cl.model->keys() : 0;
      cur_.sampled_keys_min = std::min(cur_.sampled_keys_min, keys);
      cur_.sampled_keys_max = std::max(cur_.sampled_keys_max, keys);
      if (keys == users && cl.model->one_meta_per_key())
        ++cur_.sampled_complete;
    }
    if (!cur_.sampled)
      cur_.sampled_keys_min = 0;
  }
  done_.push_back(std::move(cur_));
  cur_ = storm_step{};
}

} // namespace switchboard::bench
