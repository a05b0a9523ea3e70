#include "kv.h"

#include <arpa/inet.h>
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
  Endpoint e;
  e.text = text;
  if (text.rfind("unix:", 0) == 0) {
    e.path = text.substr(5);
    if (e.path.empty() || e.path[0] != '/') throw std::invalid_argument("unix: wants an absolute socket path");
    return e;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::invalid_argument("expected unix:/PATH or HOST:PORT");
  e.transport = Transport::tcp;
  e.host = text.substr(0, colon);
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  try {
    std::size_t used = 0;
    e.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || e.port < 1 || e.port > 65535) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument("port '" + text.substr(colon + 1) + "' is not a number from 1 to 65535");
  }
  in_addr v4{};
  in6_addr v6{};
  const bool loopback = e.host == "localhost" ||
                        (inet_pton(AF_INET, e.host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
                        (inet_pton(AF_INET6, e.host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
  if (!loopback)
    throw std::invalid_argument("host '" + e.host + "' is not a loopback address: hotbench sends load to loopback "
                                "only (127.0.0.0/8, ::1, localhost, or a Unix socket)");
  if (e.host == "localhost") e.host = "127.0.0.1";
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
