#include "redis_server.h"

namespace hotbench {

ServerSpec redis_server_spec(const std::string& extra_config) {
  ServerSpec s;
  s.name = "redis-server";
  s.package = "redis-server";
  s.argv = {"redis-server", "{config}"};
  s.config_name = "redis.conf";
  s.config_text =
      "port {port}\nbind 127.0.0.1\nprotected-mode yes\nunixsocket {socket}\nunixsocketperm 700\n"
      "dir {dir}\nsave \"\"\nappendonly no\ndaemonize no\nlogfile \"\"\ndatabases 1\n" +
      extra_config;
  return s;
}

}  // namespace hotbench
