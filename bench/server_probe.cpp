#include "bench/server_probe.hpp"

#include <boost/url/parse.hpp>

#include <cstring>
#include <fstream>
#include <netdb.h>
#include <sstream>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

namespace switchboard::bench {
namespace {

// Calls `f(name_with_labels, value)` for every sample line of a Prometheus text
// body.
template <class F>
void for_each_sample(const std::string& text, F f) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#')
      continue;
    const auto space = line.rfind(' ');
    if (space == std::string::npos)
      continue;
    try {
      f(line.substr(0, space), std::stod(line.substr(space + 1)));
    } catch (const std::exception&) {
    }
  }
}

} // namespace

server_probe::server_probe(const std::string& metrics_url, int pid) : pid_(pid) {
  auto u = boost::urls::parse_uri(metrics_url);
  if (!u)
    return;
  host_ = std::string(u->host());
  port_ = u->has_port() ? std::string(u->port()) : "80";
  path_ = u->path().empty() ? "/metrics" : std::string(u->encoded_path());
}

std::optional<std::string> server_probe::fetch_metrics() const {
  if (host_.empty())
    return std::nullopt;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0 || !res)
    return std::nullopt;
  const int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  timeval tv{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  const bool connected = fd >= 0 && ::connect(fd, res->ai_addr, res->ai_addrlen) == 0;
  freeaddrinfo(res);
  if (!connected) {
    if (fd >= 0)
      ::close(fd);
    return std::nullopt;
  }
  const std::string req =
    "GET " + path_ + " HTTP/1.1\r\nHost: " + host_ + ":" + port_ + "\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    ::close(fd);
    return std::nullopt;
  }
  std::string body;
  char buf[16384];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0)
    body.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (body.compare(0, 12, "HTTP/1.1 200") != 0 && body.compare(0, 12, "HTTP/1.0 200") != 0)
    return std::nullopt;
  const auto head_end = body.find("\r\n\r\n");
  return head_end == std::string::npos ? std::string{} : body.substr(head_end + 4);
}

std::optional<double> server_probe::rss_bytes(std::string* source) const {
  if (auto text = fetch_metrics()) {
    std::optional<double> rss;
    for_each_sample(*text, [&](const std::string& name, double v) {
      if (name == "process_resident_memory_bytes")
        rss = v;
    });
    if (rss) {
      if (source)
        *source = "/metrics";
      return rss;
    }
  }
  if (pid_ <= 0)
    return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      if (source)
        *source = "/proc/pid/status";
      return std::stod(line.substr(6)) * 1024.0;
    }
  }
  return std::nullopt;
}

std::optional<double> server_probe::cpu_seconds() const {
  if (pid_ <= 0)
    return std::nullopt;
  std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto paren = stat.rfind(')');
  if (paren == std::string::npos)
    return std::nullopt;
  // Fields after the command: state is field 3; utime and stime are fields 14
  // and 15.
  std::istringstream rest(stat.substr(paren + 2));
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14)
      utime = std::stoull(field);
    if (i == 15)
      stime = std::stoull(field);
  }
  return double(utime + stime) / double(sysconf(_SC_CLK_TCK));
}

std::map<std::string, double> server_probe::drop_metrics() const {
  std::map<std::string, double> out;
  if (auto text = fetch_metrics())
    for_each_sample(*text, [&](const std::string& name, double v) {
      for (const char* word : {"drop", "overflow", "slow", "close", "disconnect"})
        if (name.find(word) != std::string::npos) {
          out[name] = v;
          break;
        }
    });
  return out;
}

} // namespace switchboard::bench
