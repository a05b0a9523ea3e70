#include "kv.h"

#include <unistd.h>

namespace hotbench::cache::kv {

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::unix_socket: return "unix";
    case Transport::tcp: return "tcp";
    case Transport::memory: return "memory";
  }
  return "?";
}

Registry<System>& systems() {
  static Registry<System> registry;
  return registry;
}

std::string kv_key(std::uint64_t id) { return "hb:" + std::to_string(id); }

std::string Server::key(std::uint64_t id) const { return kv_key(id); }

std::string attached_prefix() { return "hotbench:" + std::to_string(::getpid()) + ":"; }

Endpoint parse_endpoint(const std::string& text) {
  const UserEndpoint u = parse_user_endpoint(text);  // the harness's parser, shared with the messaging suite
  Endpoint e;
  e.transport = u.unix_socket ? Transport::unix_socket : Transport::tcp;
  e.host = u.host;
  e.path = u.path;
  e.port = u.port;
  e.text = u.text;
  return e;
}

bool AttachedServer::alive() const {
  const ServerEndpoint where{e_.host, e_.port, e_.path};
  return e_.transport == Transport::tcp ? can_connect_tcp(where) : can_connect_unix(where);
}

std::vector<std::pair<std::string, std::string>> AttachedServer::describe() const {
  return {{"endpoint", e_.text}, {"attached", "the user's server"}, {"version", version_}};
}

std::string systems_config() {
  std::string out;
  for (const auto& s : systems().all()) out += s.name + ": " + s.config + "\n";
  return out;
}

}  // namespace hotbench::cache::kv
