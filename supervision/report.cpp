#include "supervision/report.hpp"

#include <cstdio>
#include <memory>
#include <mutex>

#include "supervision/errors.hpp"

namespace switchboard::supervision {

namespace {

std::mutex global_mtx;
std::shared_ptr<const report_handler> global_handler; // null means stderr

} // namespace

std::string to_string(report_context x) {
  switch (x) {
    case report_context::start_error: return "start_error";
    case report_context::child_terminated: return "child_terminated";
    case report_context::shutdown_error: return "shutdown_error";
    case report_context::reached_max_restart_intensity: return "reached_max_restart_intensity";
    case report_context::progress: return "progress";
  }
  return "?";
}

std::string to_string(const report& x) {
  std::string out = "supervisor=" + x.supervisor + " context=" + to_string(x.context);
  if (x.context != report_context::progress)
    out += " reason=" + describe(x.reason);
  const auto& o = x.offender;
  out += " offender={id=" + o.id + ", child=";
  out += o.child == 0 ? std::string{"undefined"} : "#" + std::to_string(o.child);
  out += ", restart=" + to_string(o.restart) + ", shutdown=" + to_string(o.shutdown);
  out += ", type=" + to_string(o.type);
  if (o.significant)
    out += ", significant";
  out += "}";
  return out;
}

void stderr_report_handler(const report& x) {
  if (x.context == report_context::progress)
    return;
  auto line = to_string(x);
  line += '\n';
  // One fwrite per line keeps concurrent reports from interleaving.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void set_global_report_handler(report_handler handler) {
  std::shared_ptr<const report_handler> ptr;
  if (handler)
    ptr = std::make_shared<const report_handler>(std::move(handler));
  std::lock_guard<std::mutex> guard{global_mtx};
  global_handler = std::move(ptr);
}

void emit_report(const report_handler& local, const report& x) {
  if (local) {
    local(x);
    return;
  }
  std::shared_ptr<const report_handler> handler;
  {
    std::lock_guard<std::mutex> guard{global_mtx};
    handler = global_handler;
  }
  if (handler)
    (*handler)(x);
  else
    stderr_report_handler(x);
}

} // namespace switchboard::supervision
