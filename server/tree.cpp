#include "server/tree.hpp"

#include "actors/registry.hpp"
#include "actors/room.hpp"
#include "supervision/api.hpp"
#include "supervision/names.hpp"
#include "supervision/supervisor.hpp"

#include <caf/all.hpp>

#include <sstream>

namespace switchboard::server {

namespace sv = supervision;
using namespace std::chrono_literals;

namespace {

sv::supervisor_options named(std::string name, const tree_settings& s) {
  return sv::supervisor_options{std::move(name), s.on_report, {}};
}

// The shape of the tree: every spec below is plain data (OTP child specs), built here and
// nowhere else.

sv::child_spec partition(std::size_t i, const tree_settings& s) {
  sv::child_spec room{"room", actors::start_room, sv::restart_type::temporary,
                      sv::shutdown_spec::after(5000ms)};
  auto rooms_id = "rooms_" + std::to_string(i);
  auto rooms = sv::registered(
    actors::rooms_name(i),
    sv::supervisor_child(rooms_id, {sv::restart_strategy::simple_one_for_one, 10, 1s}, {room},
                         named(rooms_id, s)));
  auto shard = sv::registered(
    actors::shard_name(i),
    sv::child_spec{"shard_" + std::to_string(i),
                   [i, limits = s.room_limits](caf::actor_system& sys, const caf::message&) {
                     return sv::start_result{
                       caf::actor_cast<caf::actor>(actors::spawn_registry_shard(sys, i, limits))};
                   },
                   sv::restart_type::permanent, sv::shutdown_spec::after(5000ms)});
  auto name = "partition_" + std::to_string(i);
  return sv::supervisor_child(name, {sv::restart_strategy::one_for_all, 3, 10s},
                              {std::move(rooms), std::move(shard)}, named(name, s));
}

std::string ms(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0)
    return std::to_string(d.count() / 1000) + "s";
  return std::to_string(d.count()) + "ms";
}

/// "one_for_all, intensity 3/10s": what the supervisor says of itself.
std::string flags_note(const caf::expected<sv::supervisor_flags>& f) {
  if (!f)
    return "?";
  auto out = sv::to_string(f->strategy) + ", intensity " + std::to_string(f->intensity) + "/" +
             ms(f->period);
  if (f->auto_shutdown != sv::auto_shutdown_mode::never)
    out += ", auto_shutdown " + sv::to_string(f->auto_shutdown);
  return out;
}

/// "worker, transient, shutdown 5000ms": what the supervisor's spec of the child says.
std::string spec_note(caf::scoped_actor& self, const sv::supervisor_actor& sup,
                      const std::string& id) {
  auto spec = sv::get_childspec(self, sup, id, caf::duration{std::chrono::seconds(5)});
  if (!spec)
    return "?";
  return sv::to_string(spec->type) + ", " + sv::to_string(spec->restart) + ", shutdown " +
         sv::to_string(sv::effective_shutdown(*spec));
}

// Walks the live tree: every note comes from the supervisors' own answers.
void describe(caf::scoped_actor& self, const sv::supervisor_actor& sup, const std::string& label,
              const std::string& indent, std::ostringstream& out) {
  auto f = sv::get_flags(self, sup, caf::duration{std::chrono::seconds(5)});
  out << label << "  (" << flags_note(f) << ")\n";
  auto children = sv::which_children(self, sup, caf::duration{std::chrono::seconds(5)});
  if (!children)
    return;
  if (f && f->strategy == sv::restart_strategy::simple_one_for_one) {
    if (children->empty()) {
      out << indent << "└─ (no dynamic children running)\n";
      return;
    }
    const auto& id = children->front().id;
    out << indent << "└─ " << children->size() << " x " << id << "  (" << spec_note(self, sup, id)
        << ")\n";
    return;
  }
  for (std::size_t k = 0; k < children->size(); ++k) {
    const auto& c = (*children)[k];
    bool last = k + 1 == children->size();
    out << indent << (last ? "└─ " : "├─ ");
    if (c.type == sv::child_type::supervisor && c.child) {
      describe(self, caf::actor_cast<sv::supervisor_actor>(c.child), c.id,
               indent + (last ? "   " : "│  "), out);
      continue;
    }
    out << c.id << "  (" << spec_note(self, sup, c.id) << ")" << (c.child ? "" : " [not running]")
        << "\n";
  }
}

} // namespace

caf::expected<sv::supervisor_actor> start_tree(caf::actor_system& sys, const tree_settings& s) {
  std::vector<sv::child_spec> partitions;
  for (std::size_t i = 0; i < s.partitions; ++i)
    partitions.push_back(partition(i, s));
  sv::child_spec connection{"connection", s.start_connection, sv::restart_type::temporary,
                            sv::shutdown_spec::after(5000ms)};
  std::vector<sv::child_spec> top{
    sv::supervisor_child("partitions", {sv::restart_strategy::one_for_one, 3, 10s},
                         std::move(partitions), named("partitions", s)),
    sv::registered(connections_name,
                   sv::supervisor_child("connections",
                                        {sv::restart_strategy::simple_one_for_one, 3, 10s},
                                        {connection}, named("connections", s))),
    sv::registered(listener_name,
                   sv::child_spec{"listener", s.start_listener, sv::restart_type::permanent,
                                  sv::shutdown_spec::after(5000ms)}),
  };
  return sv::start_supervisor(sys, {sv::restart_strategy::rest_for_one, 3, 60s}, std::move(top),
                              named("switchboard", s));
}

std::string describe_tree(caf::scoped_actor& self, const sv::supervisor_actor& root) {
  std::ostringstream out;
  describe(self, root, "switchboard", "", out);
  return out.str();
}

} // namespace switchboard::server
