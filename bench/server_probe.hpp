// What the load generator can learn about the server: its Prometheus `/metrics`
// text, and, given its pid, resident memory and CPU time from /proc.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace switchboard::bench {

class server_probe {
public:
  /// `metrics_url` like `http://127.0.0.1:4000/metrics`; `pid` 0 when unknown.
  server_probe(const std::string& metrics_url, int pid);

  /// The metrics text, or nothing when the endpoint does not answer 200 within
  /// 2 s.
  [[nodiscard]] std::optional<std::string> fetch_metrics() const;
  /// Resident memory in bytes from /metrics `process_resident_memory_bytes`,
  /// else from /proc/<pid>/status VmRSS. `source` names where it came from.
  [[nodiscard]] std::optional<double> rss_bytes(std::string* source = nullptr) const;
  /// User plus system CPU time of the server process (/proc/<pid>/stat),
  /// seconds.
  [[nodiscard]] std::optional<double> cpu_seconds() const;
  /// Metric samples whose names speak of drops, overflow, slow consumers or
  /// closes.
  [[nodiscard]] std::map<std::string, double> drop_metrics() const;

private:
  std::string host_;
  std::string port_;
  std::string path_;
  int pid_;
};

} // namespace switchboard::bench
