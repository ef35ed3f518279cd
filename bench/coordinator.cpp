#include "bench/coordinator.hpp"

#include "bench/worker.hpp"

#include <boost/json.hpp>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <poll.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace switchboard::bench {
namespace {

struct child {
  pid_t pid = -1;
  int control = -1; // we write
  int report = -1;  // we read
  std::string buf;
  bool ready = false;
  bool done = false;
  unsigned long long progress[6] = {};
};

std::string human(double v) {
  char s[32];
  if (v >= 1e6)
    std::snprintf(s, sizeof s, "%.2fM", v / 1e6);
  else if (v >= 1e4)
    std::snprintf(s, sizeof s, "%.1fk", v / 1e3);
  else
    std::snprintf(s, sizeof s, "%.0f", v);
  return s;
}

unsigned long long expected_connections(const options& o) {
  if (o.kind == scenario::churn)
    return 0;
  const bool probes = o.kind != scenario::connect && o.kind != scenario::presence;
  return static_cast<unsigned long long>(o.clients + (probes ? o.rooms * o.publishers : 0) +
                                         (o.kind == scenario::slow ? o.slow : 0));
}

void send_line(int fd, const std::string& line) {
  const std::string s = line + "\n";
  [[maybe_unused]] auto n = ::write(fd, s.data(), s.size());
}

} // namespace

phase_outcome run_phase(const options& o, const server_probe& probe, const std::string& label) {
  phase_outcome out;
  out.rss_before = probe.rss_bytes(&out.rss_source);
  out.drops_before = probe.drop_metrics();
  std::fflush(stdout);
  std::fflush(stderr);

  std::vector<child> kids(static_cast<std::size_t>(o.workers));
  for (int w = 0; w < o.workers; ++w) {
    int ctl[2], rep[2];
    if (::pipe2(ctl, O_CLOEXEC) != 0 || ::pipe2(rep, O_CLOEXEC) != 0) {
      out.worker_failures.push_back("pipe: " + std::string(std::strerror(errno)));
      return out;
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
      ::close(ctl[1]);
      ::close(rep[0]);
      for (int k = 0; k < w; ++k) {
        ::close(kids[static_cast<std::size_t>(k)].control);
        ::close(kids[static_cast<std::size_t>(k)].report);
      }
      int status = 1;
      {
        worker wk(o, w, ctl[0], rep[1]);
        status = wk.run();
      }
      ::_exit(status);
    }
    ::close(ctl[0]);
    ::close(rep[1]);
    auto& k = kids[static_cast<std::size_t>(w)];
    k.pid = pid;
    k.control = ctl[1];
    k.report = rep[0];
  }

  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  auto t_go = t0;
  bool all_ready = false, started = false;
  std::optional<clock::time_point> hold_until;
  std::optional<double> cpu_start;
  std::size_t finished = 0;
  auto next_print = t0 + std::chrono::seconds(1);
  unsigned long long last_deliveries = 0, last_sent = 0, last_cycles = 0;
  const bool tty = ::isatty(2);

  // The presence scenario runs in steps (join storm, then leave and join storms); every worker
  // reports Y when its step has settled and the next one starts together.
  const int total_steps = o.kind == scenario::presence ? 1 + 2 * (o.cycles - 1) : 1;
  int steps_started = 0;
  auto start_step = [&] {
    const std::uint64_t start = now_ns() + 100'000'000;
    for (auto& k : kids) {
      if (!k.done)
        send_line(k.control, "G " + std::to_string(start) + " " + std::to_string(start));
      k.ready = k.done;
    }
    ++steps_started;
  };

  auto start_all = [&] {
    cpu_start = probe.cpu_seconds();
    if (o.kind == scenario::presence) {
      start_step();
      started = true;
      t_go = clock::now();
      return;
    }
    const std::uint64_t start = now_ns() + 100'000'000;
    const auto run = o.kind == scenario::connect ? 0 : static_cast<std::uint64_t>(o.duration * 1e9);
    for (auto& k : kids)
      if (!k.done)
        send_line(k.control, "G " + std::to_string(start) + " " + std::to_string(start + run));
    started = true;
    t_go = clock::now();
  };

  while (finished < kids.size()) {
    std::vector<pollfd> fds;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < kids.size(); ++i)
      if (!kids[i].done) {
        fds.push_back({kids[i].report, POLLIN, 0});
        which.push_back(i);
      }
    ::poll(fds.data(), fds.size(), 100);
    for (std::size_t j = 0; j < fds.size(); ++j) {
      if (!(fds[j].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      auto& k = kids[which[j]];
      char buf[65536];
      const ssize_t n = ::read(k.report, buf, sizeof buf);
      if (n > 0) {
        k.buf.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        if (!k.done) {
          out.worker_failures.push_back("worker " + std::to_string(which[j]) +
                                        " ended without a result");
          k.done = k.ready = true;
          ++finished;
        }
        continue;
      }
      std::size_t eol;
      while ((eol = k.buf.find('\n')) != std::string::npos) {
        const std::string line = k.buf.substr(0, eol);
        k.buf.erase(0, eol + 1);
        if (line == "Y") {
          k.ready = true;
        } else if (line.size() > 2 && line[0] == 'P') {
          std::sscanf(line.c_str() + 2, "%llu %llu %llu %llu %llu %llu", &k.progress[0],
                      &k.progress[1], &k.progress[2], &k.progress[3], &k.progress[4],
                      &k.progress[5]);
        } else if (line.size() > 2 && line[0] == 'R') {
          try {
            out.merged.merge(results::from_json(boost::json::parse(line.substr(2))));
          } catch (const std::exception& e) {
            out.worker_failures.push_back("unreadable worker result: " + std::string(e.what()));
          }
          k.done = true;
          ++finished;
        }
      }
    }
    const auto now = clock::now();
    if (!all_ready) {
      all_ready = true;
      for (auto& k : kids)
        all_ready = all_ready && k.ready;
      if (all_ready) {
        out.setup_seconds = std::chrono::duration<double>(now - t0).count();
        if (o.kind == scenario::connect) {
          out.rss_joined = probe.rss_bytes();
          hold_until = now + std::chrono::milliseconds(static_cast<long>(o.hold * 1000));
        } else {
          start_all();
        }
      }
    }
    if (o.kind == scenario::presence && all_ready && started && steps_started < total_steps) {
      bool next = true;
      for (auto& k : kids)
        next = next && k.ready;
      if (next)
        start_step();
    }
    if (hold_until && !started && now >= *hold_until) {
      out.rss_held = probe.rss_bytes();
      out.drops_after = probe.drop_metrics();
      start_all();
    }
    if (o.progress && now >= next_print) {
      next_print += std::chrono::seconds(1);
      unsigned long long p[6] = {};
      for (auto& k : kids)
        for (int i = 0; i < 6; ++i)
          p[i] += k.progress[i];
      const double secs = std::chrono::duration<double>(now - t0).count();
      std::fprintf(stderr, "%s[%s] %5.1fs joined %s/%llu", tty ? "\r" : "", label.c_str(), secs,
                   human(double(p[0])).c_str(), expected_connections(o));
      if (o.kind == scenario::churn)
        std::fprintf(stderr, " cycles/s %s", human(double(p[5] - last_cycles)).c_str());
      else
        std::fprintf(stderr, " sent/s %s deliveries/s %s", human(double(p[2] - last_sent)).c_str(),
                     human(double(p[1] - last_deliveries)).c_str());
      std::fprintf(stderr, " closed %llu errors %llu   %s", p[3], p[4], tty ? "" : "\n");
      last_deliveries = p[1];
      last_sent = p[2];
      last_cycles = p[5];
    }
  }
  if (o.progress && tty)
    std::fprintf(stderr, "\n");
  out.run_seconds = std::chrono::duration<double>(clock::now() - t_go).count();
  if (cpu_start)
    if (auto cpu_end = probe.cpu_seconds())
      out.cpu_seconds = *cpu_end - *cpu_start;
  if (o.kind != scenario::connect)
    out.drops_after = probe.drop_metrics();
  for (auto& k : kids) {
    ::close(k.control);
    ::close(k.report);
    int status = 0;
    ::waitpid(k.pid, &status, 0);
    if (WIFSIGNALED(status))
      out.worker_failures.push_back("worker killed by signal " + std::to_string(WTERMSIG(status)));
  }
  return out;
}

} // namespace switchboard::bench
