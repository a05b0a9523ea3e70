#include "kv.h"

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

}  // namespace hotbench::cache::kv
