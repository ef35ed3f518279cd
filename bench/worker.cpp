#include "bench/worker.hpp"

#include "bench/phoenix_codec.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

#include <charconv>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

namespace switchboard::bench {
namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr std::uint64_t ms = 1'000'000;
constexpr std::uint64_t sec = 1'000'000'000;
constexpr std::uint64_t quiet_ns = 500 * ms;    // no delivery for this long ends a drain
constexpr std::uint64_t slow_wait_ns = 3 * sec; // time given to non-readers to report a close
constexpr std::uint64_t cycle_timeout_ns = 10 * sec;

std::string describe(const close_info& info) {
  if (info.cause == "close")
    return "close " + std::to_string(info.code);
  std::string s(info.cause);
  if (info.ec)
    s += ": " + info.ec.message();
  if (!info.detail.empty())
    s += ": " + std::string(info.detail);
  return s;
}

std::string_view timeout_cause(stage at) {
  switch (at) {
    case stage::connecting: return "timeout while connecting";
    case stage::joining: return "timeout waiting for the join reply";
    case stage::leaving: return "timeout waiting for the leave reply";
    case stage::closing: return "timeout waiting for the close";
    default: return "timeout";
  }
}

bool is_limit(const error_code& ec) {
  return ec == asio::error::no_descriptors || ec.value() == ENFILE || ec.value() == EADDRNOTAVAIL ||
         ec == asio::error::no_buffer_space;
}

} // namespace

std::uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::uint64_t(ts.tv_sec) * sec + std::uint64_t(ts.tv_nsec);
}

worker::worker(const options& o, int index, int control_fd, int report_fd)
    : o_(o), index_(index), control_fd_(control_fd), report_fd_(report_fd), tick_(io_),
      rbuf_(256 * 1024) {}

int worker::run() {
  ::fcntl(control_fd_, F_SETFL, ::fcntl(control_fd_, F_GETFL) | O_NONBLOCK);
  error_code ec;
  asio::ip::tcp::resolver resolver(io_);
  auto endpoints = resolver.resolve(o_.host, o_.port, ec);
  if (ec || endpoints.empty()) {
    res_.fatal = "cannot resolve " + o_.host + ":" + o_.port + ": " + ec.message();
    write_line("Y");
    finish();
    return 1;
  }
  server_ = endpoints.begin()->endpoint();
  host_header_ = o_.host + ":" + o_.port;
  for (const auto& s : o_.source_addrs)
    sources_.push_back(asio::ip::make_address(s));
  started_ns_ = now_ns();
  next_progress_ns_ = started_ns_ + sec;
  next_heartbeat_ns_ = started_ns_ + static_cast<std::uint64_t>(o_.heartbeat * 1e9);
  plan();
  open_more();
  if (settled_ == res_.planned) {
    phase_ = phase::ready;
    write_line("Y");
  }
  arm_tick();
  io_.run();
  return res_.fatal.empty() ? 0 : 1;
}

ws_conn& worker::add_conn(role kind, int room, std::uint64_t global_index) {
  conns_.push_back(std::make_unique<ws_conn>(io_, *this, rbuf_));
  auto& c = *conns_.back();
  c.data.global_index = global_index;
  c.data.kind = kind;
  c.data.room = room;
  return c;
}

void worker::plan() {
  const int w = o_.workers;
  const bool probes =
    o_.kind == scenario::fanout || o_.kind == scenario::rooms || o_.kind == scenario::slow;
  const int rooms = o_.rooms;
  const int per_room = probes ? o_.publishers : 0;
  const int pubs = rooms * per_room;
  for (int r = 0; r < rooms; ++r)
    topics_.push_back(room_topic(o_, r));
  res_.sent.assign(static_cast<std::size_t>(pubs), 0);
  res_.receivers.assign(static_cast<std::size_t>(pubs), 0);
  res_.unique.assign(static_cast<std::size_t>(pubs), 0);
  if (o_.kind == scenario::churn) {
    churn_cap_ = static_cast<std::size_t>(std::max(1, o_.clients / w));
    return;
  }
  if (o_.kind == scenario::presence) {
    for (int i = index_; i < o_.clients; i += w)
      add_conn(role::subscriber, 0, static_cast<std::uint64_t>(i));
    res_.planned = conns_.size();
    storm_ = std::make_unique<presence_storm>(o_, w, conns_);
    storm_steps_left_ = storm_->steps();
    return;
  }
  for (int i = index_; i < o_.clients; i += w) {
    auto& c = add_conn(role::subscriber, i % rooms, static_cast<std::uint64_t>(i));
    c.data.tracks.resize(static_cast<std::size_t>(per_room));
    for (int k = 0; k < per_room; ++k)
      ++res_.receivers[static_cast<std::size_t>(c.data.room * per_room + k)];
  }
  for (int p = index_; p < pubs; p += w) {
    auto& c = add_conn(role::publisher, p / per_room, static_cast<std::uint64_t>(o_.clients + p));
    c.data.pub_id = static_cast<std::uint32_t>(p);
  }
  const int slow = o_.kind == scenario::slow ? o_.slow : 0;
  for (int k = index_; k < slow; k += w)
    add_conn(role::slow, 0, static_cast<std::uint64_t>(o_.clients + pubs + k));
  res_.planned = conns_.size();
}

void worker::start_conn(ws_conn& c) {
  c.data.at = stage::connecting;
  c.data.started_ns = now_ns();
  // Source addresses round-robin by the connection's global index.
  const asio::ip::address* source =
    sources_.empty() ? nullptr : &sources_[c.data.global_index % sources_.size()];
  ++open_now_;
  c.start(server_, source, host_header_, o_.target,
          c.data.kind == role::slow ? o_.slow_receive_buffer : 0);
}

void worker::open_more() {
  while (next_to_open_ < conns_.size() &&
         in_flight_ < static_cast<std::size_t>(o_.connect_concurrency) && res_.fatal.empty()) {
    auto& c = *conns_[next_to_open_];
    ++next_to_open_;
    ++in_flight_;
    start_conn(c);
  }
}

void worker::settle_setup(ws_conn& c, bool ok) {
  --in_flight_;
  ++settled_;
  if (ok) {
    ++res_.joined;
    res_.connect_latency.record(now_ns() - c.data.started_ns);
  } else {
    ++res_.failed;
  }
  open_more();
  if (phase_ == phase::connecting && settled_ == res_.planned) {
    res_.connect_elapsed_ns = now_ns() - started_ns_;
    phase_ = phase::ready;
    write_line("Y");
  }
}

void worker::on_open(ws_conn& c) {
  if (storm_) {
    // Joins are the measured storm: they start together, at the join rate.
    c.data.at = stage::joined;
    settle_setup(c, true);
    return;
  }
  c.data.at = stage::joining;
  msg_.clear();
  std::string payload = o_.join_payload;
  const std::string index = std::to_string(c.data.global_index);
  for (auto at = payload.find("{i}"); at != std::string::npos;
       at = payload.find("{i}", at + index.size()))
    payload.replace(at, 3, index);
  encode_message(msg_, o_.vsn, o_.vsn == 2 ? "1" : "", "1", topics_[c.data.room], "phx_join",
                 payload);
  c.send_text(msg_);
}

void worker::on_text(ws_conn& c, std::string_view text) {
  incoming m;
  if (!parse_message(text, o_.vsn, m)) {
    ++res_.errors["unparsable frame"];
    ++errors_total_;
    return;
  }
  const std::uint64_t now = now_ns();
  if (storm_) {
    storm_->on_message(c, m, text.size(), now);
    return;
  }
  if (m.event == o_.event)
    on_probe(c, m, now);
  else if (m.event == "phx_reply")
    on_reply(c, m, now);
  else if ((m.event == "phx_error" || m.event == "phx_close") && c.data.at == stage::joined) {
    ++res_.errors["server sent " + std::string(m.event)];
    ++errors_total_;
  }
}

void worker::on_reply(ws_conn& c, const incoming& m, std::uint64_t now) {
  const bool ok = find_string(m.payload, "status") == "ok";
  if (m.ref == "h")
    return;
  if (m.ref == "1") {
    if (c.data.at != stage::joining)
      return;
    if (!ok) {
      ++res_.errors["join refused: " + std::string(find_string(m.payload, "reason"))];
      ++errors_total_;
      c.abort("join refused");
      return;
    }
    c.data.at = stage::joined;
    if (c.data.kind == role::churn) {
      c.data.at = stage::leaving;
      msg_.clear();
      encode_message(msg_, o_.vsn, o_.vsn == 2 ? "1" : "", "L", topics_[c.data.room], "phx_leave",
                     "{}");
      c.send_text(msg_);
      return;
    }
    if (c.data.kind == role::slow)
      c.pause_reading();
    settle_setup(c, true);
    return;
  }
  if (m.ref == "L") {
    if (c.data.at != stage::leaving)
      return;
    if (!ok) {
      ++res_.errors["leave refused"];
      ++errors_total_;
      c.abort("leave refused");
      return;
    }
    c.data.at = stage::closing;
    c.send_close(1000);
    return;
  }
  (void)now;
  if (ok) {
    ++res_.publish_ok;
  } else {
    ++res_.errors["publish refused: " + std::string(find_string(m.payload, "reason"))];
    ++errors_total_;
  }
}

void worker::on_probe(ws_conn& c, const incoming& m, std::uint64_t now) {
  if (c.data.kind == role::publisher)
    return;
  if (c.data.kind == role::slow) {
    ++res_.slow_received;
    return;
  }
  std::uint64_t t = 0, seq = 0, pub = 0;
  if (!find_u64(m.payload, "\"t\":", t) || !find_u64(m.payload, "\"seq\":", seq) ||
      !find_u64(m.payload, "\"pub\":", pub)) {
    ++res_.errors["probe without t/seq/pub"];
    ++errors_total_;
    return;
  }
  ++res_.deliveries;
  ++c.data.received;
  res_.latency.record(now > t ? now - t : 0);
  res_.last_receive_ns = now;
  const std::uint64_t first = static_cast<std::uint64_t>(c.data.room) * o_.publishers;
  if (pub < first || pub - first >= c.data.tracks.size()) {
    ++res_.errors["probe from another room"];
    ++errors_total_;
    return;
  }
  auto& tr = c.data.tracks[pub - first];
  if (seq == tr.expected) {
    ++tr.expected;
    ++res_.unique[pub];
  } else if (seq > tr.expected) {
    tr.holes.emplace_back(tr.expected, seq);
    tr.expected = seq + 1;
    ++res_.unique[pub];
  } else {
    for (auto it = tr.holes.begin(); it != tr.holes.end(); ++it) {
      if (seq < it->first || seq >= it->second)
        continue;
      ++res_.out_of_order;
      ++res_.unique[pub];
      if (seq == it->first)
        ++it->first;
      else if (seq + 1 == it->second)
        --it->second;
      else {
        const auto tail = std::make_pair(seq + 1, it->second);
        it->second = seq;
        tr.holes.push_back(tail);
        return;
      }
      if (it->first == it->second)
        tr.holes.erase(it);
      return;
    }
    ++res_.duplicates;
  }
}

std::string worker::limit_message(const error_code& ec) const {
  const std::string n = std::to_string(open_now_);
  if (ec.value() == EADDRNOTAVAIL)
    return "out of ephemeral ports at " + n + " connections in worker " + std::to_string(index_) +
           "; add --source-addrs 127.0.0.2,127.0.0.3,... (about 28k "
           "connections per address)";
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  return "open-file limit reached at " + n + " connections in worker " + std::to_string(index_) +
         " (ulimit -n = " + std::to_string(rl.rlim_cur) + "); use --workers or raise the limit";
}

void worker::on_closed(ws_conn& c, const close_info& info) {
  --open_now_;
  const std::string what = describe(info);
  const stage at = c.data.at;
  c.data.at = stage::done;
  if (c.data.kind == role::churn) {
    --churn_active_;
    if (at == stage::closing && (info.cause == "close" || info.cause == "eof")) {
      ++res_.cycles_ok;
      res_.cycle_latency.record(now_ns() - c.data.started_ns);
    } else {
      ++res_.cycles_failed;
      ++res_.errors["churn: " + what];
      ++errors_total_;
      if (is_limit(info.ec) && res_.fatal.empty())
        res_.fatal = limit_message(info.ec);
    }
    return;
  }
  if (at == stage::connecting || at == stage::joining) {
    ++res_.errors[(at == stage::connecting ? "connect: " : "join: ") + what];
    ++errors_total_;
    if (is_limit(info.ec) && res_.fatal.empty()) {
      res_.fatal = limit_message(info.ec);
      // Nothing more can be opened: settle the rest so the run goes on with
      // what it has.
      const std::size_t rest = conns_.size() - next_to_open_;
      next_to_open_ = conns_.size();
      res_.failed += rest;
      settled_ += rest;
    }
    settle_setup(c, false);
    return;
  }
  if (c.data.kind == role::slow) {
    ++res_.slow_outcomes[what];
    return;
  }
  ++res_.closes[what];
  ++closes_total_;
}

void worker::on_released(ws_conn& c) {
  if (c.data.kind == role::churn)
    free_.push_back(&c);
}

void worker::arm_tick() {
  tick_.expires_after(std::chrono::milliseconds(1));
  tick_.async_wait([this](const error_code& ec) {
    if (!ec)
      on_tick();
  });
}

void worker::read_control() {
  char buf[256];
  for (;;) {
    const ssize_t n = ::read(control_fd_, buf, sizeof buf);
    if (n <= 0)
      break;
    control_buf_.append(buf, static_cast<std::size_t>(n));
  }
  std::size_t eol;
  while ((eol = control_buf_.find('\n')) != std::string::npos) {
    const std::string line = control_buf_.substr(0, eol);
    control_buf_.erase(0, eol + 1);
    if (line.size() > 2 && line[0] == 'G') {
      unsigned long long start = 0, end = 0;
      if (std::sscanf(line.c_str() + 2, "%llu %llu", &start, &end) == 2) {
        run_start_ns_ = start;
        run_end_ns_ = end;
        phase_ = phase::running;
        phase_since_ns_ = start;
        if (storm_) {
          storm_->start_step(start);
          continue;
        }
        if (o_.rate > 0)
          publish_interval_ns_ = static_cast<std::uint64_t>(1e9 / o_.rate);
        const std::size_t pubs = res_.sent.size();
        for (auto& c : conns_) {
          if (c->data.kind != role::publisher || c->data.at != stage::joined ||
              !publish_interval_ns_)
            continue;
          // Stagger publishers evenly over one interval so they do not send in
          // bursts.
          const std::uint64_t offset =
            publish_interval_ns_ * c->data.pub_id / std::max<std::size_t>(pubs, 1);
          c->data.seq = 0;
          due_.emplace(start + offset, c.get());
        }
        if (o_.kind == scenario::churn && o_.rate > 0) {
          cycle_interval_ns_ = static_cast<std::uint64_t>(1e9 * o_.workers / o_.rate);
          next_cycle_ns_ = start + cycle_interval_ns_ * static_cast<std::uint64_t>(index_) /
                                     static_cast<std::uint64_t>(o_.workers);
        }
      }
    }
  }
}

void worker::publish_due(std::uint64_t now) {
  char ref[24];
  while (!due_.empty() && due_.top().first <= now) {
    auto [due, c] = due_.top();
    due_.pop();
    if (due >= run_end_ns_ || c->current() != ws_conn::state::open)
      continue;
    payload_.clear();
    encode_probe(payload_, now, c->data.seq, c->data.pub_id, o_.payload_bytes);
    const auto r = std::to_chars(ref, ref + sizeof ref, c->data.seq + 2);
    msg_.clear();
    encode_message(msg_, o_.vsn, o_.vsn == 2 ? "1" : "", std::string_view(ref, r.ptr - ref),
                   topics_[c->data.room], o_.event, payload_);
    c->send_text(msg_);
    ++res_.sent[c->data.pub_id];
    ++c->data.seq;
    due_.emplace(due + publish_interval_ns_, c);
  }
}

void worker::churn_due(std::uint64_t now) {
  while (cycle_interval_ns_ && next_cycle_ns_ <= now && next_cycle_ns_ < run_end_ns_ &&
         res_.fatal.empty()) {
    next_cycle_ns_ += cycle_interval_ns_;
    if (churn_active_ >= churn_cap_) {
      ++res_.cycles_skipped;
      continue;
    }
    ws_conn* c = nullptr;
    if (!free_.empty()) {
      c = free_.back();
      free_.pop_back();
    } else {
      c = &add_conn(role::churn, 0, 0);
    }
    c->data.global_index = churn_counter_++ * static_cast<std::uint64_t>(o_.workers) +
                           static_cast<std::uint64_t>(index_);
    c->data.room = static_cast<int>(res_.cycles_started % topics_.size());
    ++res_.cycles_started;
    ++churn_active_;
    start_conn(*c);
  }
  // A cycle that hangs (no reply, no close) counts as failed after a while.
  if (now < next_timeout_scan_ns_)
    return;
  next_timeout_scan_ns_ = now + 100 * ms;
  for (auto& c : conns_)
    if (c->data.kind == role::churn && c->data.at != stage::done &&
        c->current() != ws_conn::state::closed && c->current() != ws_conn::state::idle &&
        now > c->data.started_ns + cycle_timeout_ns)
      c->abort(timeout_cause(c->data.at));
}

void worker::send_heartbeats() {
  msg_.clear();
  encode_message(msg_, o_.vsn, "", "h", "phoenix", "heartbeat", "{}");
  for (auto& c : conns_)
    if (c->data.kind != role::churn && c->current() == ws_conn::state::open)
      c->send_text(msg_);
}

void worker::report_progress() {
  std::uint64_t sent = 0;
  for (auto s : res_.sent)
    sent += s;
  char line[200];
  std::snprintf(
    line, sizeof line, "P %llu %llu %llu %llu %llu %llu",
    static_cast<unsigned long long>(res_.joined), static_cast<unsigned long long>(res_.deliveries),
    static_cast<unsigned long long>(sent), static_cast<unsigned long long>(closes_total_),
    static_cast<unsigned long long>(errors_total_),
    static_cast<unsigned long long>(res_.cycles_ok));
  write_line(line);
}

void worker::on_tick() {
  const std::uint64_t now = now_ns();
  read_control();
  if (now >= next_progress_ns_) {
    next_progress_ns_ += sec;
    report_progress();
  }
  if (now >= next_heartbeat_ns_) {
    next_heartbeat_ns_ += static_cast<std::uint64_t>(o_.heartbeat * 1e9);
    send_heartbeats();
  }
  switch (phase_) {
    case phase::connecting:
    case phase::ready: break;
    case phase::running:
      if (storm_) {
        if (!storm_->tick(now))
          break;
        if (--storm_steps_left_ > 0) {
          phase_ = phase::ready;
          write_line("Y");
          break;
        }
        phase_ = phase::done;
        finish();
        return;
      }
      if (now < run_start_ns_)
        break;
      publish_due(now);
      churn_due(now);
      if (now >= run_end_ns_) {
        phase_ = phase::draining;
        phase_since_ns_ = now;
      }
      break;
    case phase::draining: {
      bool settled;
      if (o_.kind == scenario::churn)
        settled = churn_active_ == 0 || now - run_end_ns_ > cycle_timeout_ns;
      else if (o_.kind == scenario::connect)
        settled = true;
      else
        settled = (now - std::max(res_.last_receive_ns, run_end_ns_) >= quiet_ns) ||
                  now - run_end_ns_ >= static_cast<std::uint64_t>(o_.drain * 1e9);
      if (o_.kind == scenario::churn)
        churn_due(now);
      if (!settled)
        break;
      phase_ = phase::slow_finish;
      phase_since_ns_ = now;
      // Read what the non-readers were sent, to learn whether and how the server
      // closed them.
      for (auto& c : conns_)
        if (c->data.kind == role::slow && c->current() == ws_conn::state::open)
          c->resume_reading();
      break;
    }
    case phase::slow_finish: {
      bool any_open = false;
      for (auto& c : conns_)
        any_open = any_open || (c->data.kind == role::slow && c->current() == ws_conn::state::open);
      if (any_open && now - phase_since_ns_ < slow_wait_ns)
        break;
      for (auto& c : conns_)
        if (c->data.kind == role::slow && c->current() == ws_conn::state::open)
          ++res_.slow_outcomes["still open"];
      phase_ = phase::done;
      finish();
      return;
    }
    case phase::done: return;
  }
  arm_tick();
}

void worker::write_line(const std::string& line) {
  std::string s = line + "\n";
  const char* p = s.data();
  std::size_t left = s.size();
  while (left) {
    const ssize_t n = ::write(report_fd_, p, left);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return;
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

void worker::finish() {
  if (storm_)
    res_.storm = storm_->results();
  write_line("R " + boost::json::serialize(res_.to_json()));
  io_.stop();
}

} // namespace switchboard::bench
