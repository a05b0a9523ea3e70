// The cache-server contract: one key-value client interface that Redis,
// memcached, an in-process cache and the socket floor all implement, so the
// server tasks (server_get, server_set, server_eviction) and the query cache
// drive each of them with the same code and the same checks.
//
// A System (one file per library in servers/, ending with HOTBENCH_REGISTER)
// says how to start its server (or that it needs none) and how to connect; a
// Client is one connection. Every batch is pipelined: all commands of a batch
// are sent before the first reply is read, so a batch of one is a plain round
// trip and a batch of 128 is pipeline depth 128.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../harness/registry.h"
#include "../../harness/server.h"

namespace hotbench::cache::kv {

// A failed command, a broken connection or a server that is gone: one line, for an error row.
struct KvError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Transport { unix_socket, tcp, memory };
const char* transport_name(Transport t);  // "unix", "tcp", "memory"

// Receives the replies of a get batch, in request order. `value` is valid only during the call.
class GetReplies {
 public:
  virtual ~GetReplies() = default;
  virtual void reply(std::size_t index, bool found, std::string_view value) = 0;
};

// The server's own view of what happened since the last reset_stats() (counters)
// and now (items, used_bytes): hotbench counts hits itself and compares (Redis
// INFO, memcached stats).
struct ServerStats {
  std::uint64_t get_hits = 0, get_misses = 0, evictions = 0;
  std::uint64_t sets = 0;        // SET commands processed (Redis, memcached; 0 where not counted)
  std::uint64_t items = 0;       // keys held now
  std::uint64_t used_bytes = 0;  // memory the server accounts for its data (used_memory, bytes)
};

class Client {
 public:
  virtual ~Client() = default;
  virtual void get(std::span<const std::string> keys, GetReplies& out) = 0;
  // Stores every key; throws KvError unless the server acknowledged each one.
  virtual void set(std::span<const std::string> keys, std::span<const std::string_view> values) = 0;
  // A cache-aside fill after misses: stores what the server accepts and returns how many keys it
  // refused for lack of memory (memcached's "SERVER_ERROR out of memory storing object", its answer
  // when a worker finds nothing it may evict in time: seen at a 2 MiB bound on a busy 2-core VM).
  // A refused fill costs a later miss, not the request, so such a client carries on. Anything else
  // throws, as set() does.
  virtual std::size_t fill(std::span<const std::string> keys, std::span<const std::string_view> values) {
    set(keys, values);
    return 0;
  }
  virtual void del(std::span<const std::string> keys) = 0;
  virtual ServerStats stats() = 0;
  virtual void reset_stats() = 0;
};

// Receives the replies of an asynchronous connection, each with the tag its request was sent with.
class AsyncReplies {
 public:
  virtual ~AsyncReplies() = default;
  virtual void reply(std::uint64_t tag, bool found, std::string_view value) = 0;
};

// An asynchronous connection, for open-loop load: get() queues a request and returns at once,
// whatever the replies do; poll() writes what is queued, then waits at most timeout_ns for
// replies and hands each to `out`. Throws KvError once the connection is lost or a command fails.
class AsyncClient {
 public:
  virtual ~AsyncClient() = default;
  virtual void get(std::string_view key, std::uint64_t tag) = 0;
  virtual void poll(std::uint64_t timeout_ns, AsyncReplies& out) = 0;
};

// What a row asks of a server: how it is bounded and how it evicts.
struct ServerOptions {
  std::uint64_t max_memory_bytes = 0;  // 0: unbounded (big enough for the row's keys)
  std::string eviction;                // the system's own policy name ("allkeys-lru"); "" = its default
  std::uint64_t max_entries = 0;       // the in-process store's capacity (servers are bounded by memory)
  // Eviction rows: bound the server's memory so that about this many entries of value_bytes under
  // kv_key() names fit (each system measures or computes its own per-entry cost); 0: unbounded.
  std::uint64_t hold_entries = 0;
  std::size_t value_bytes = 0;         // every value's size (the in-process store's slots, the floor's replies)
};

// A running server (or an in-process store); connect() may be called once per connection.
class Server {
 public:
  virtual ~Server() = default;
  virtual std::unique_ptr<Client> connect(Transport transport) = 0;
  // An asynchronous connection (systems with `async`); throws KvError where there is none.
  virtual std::unique_ptr<AsyncClient> connect_async(Transport) { throw KvError("no asynchronous client"); }
  // False once the server process has exited.
  virtual bool alive() const = 0;
  // Version, command line and configuration, for the result's metadata.
  virtual std::vector<std::pair<std::string, std::string>> describe() const = 0;
  // The last lines the server logged, for error rows.
  virtual std::string log_tail() const { return ""; }
  // The memory bound the server runs with (bytes; 0: none).
  virtual std::uint64_t memory_limit() const { return 0; }
  // The name of key id `id` here: "hb:<id>" on a server of our own; under a prefix of this process on
  // a user's endpoint (attached), whose other keys hotbench never touches.
  virtual std::string key(std::uint64_t id) const;
  // A user's endpoint: other clients may use it too, so its counters can only be at least ours, and
  // the rows delete the keys they wrote when they end.
  virtual bool attached() const { return false; }
};

struct System {
  std::string name;                  // the row's library: "redis", "memcached", "in_process", "echo"
  std::vector<Transport> transports;  // which the rows use
  // Eviction policies the server offers (its own names); empty: not an eviction row.
  std::vector<std::string> evictions;
  // The floor (echo) answers every get with a value of value_bytes but keeps nothing: it has no
  // set or eviction rows, and its gets are checked for size and key, not for a stored value.
  bool floor = false;
  // How its server is started (command line and configuration, before the port, folder and memory
  // bound of a row are filled in), recorded with every run (context hotbench_servers).
  std::string config;
  // Starts a server. Throws ServerError (harness/server.h) naming the Debian package when the
  // program is missing or does not start.
  std::function<std::unique_ptr<Server>(const ServerOptions&)> start;
  // Uses a server that is already running (the user's: --hotbench_set=endpoints=NAME=ADDRESS);
  // empty when the system has no such use. Throws KvError when it does not answer.
  std::function<std::unique_ptr<Server>(const struct Endpoint&)> attach = {};
  // Whether its client library has an asynchronous API (connect_async): the open-loop rows.
  bool async = false;
};

// A user's endpoint: "unix:/path/to/socket" or "HOST:PORT" with HOST a loopback address (the
// project sends load to loopback only).
struct Endpoint {
  Transport transport = Transport::unix_socket;
  std::string host, path;  // host for tcp, path for unix
  int port = 0;
  std::string text;        // as given
};
// Throws std::invalid_argument saying what is wrong with `text`.
Endpoint parse_endpoint(const std::string& text);
// The key prefix of this process on a user's endpoint: "hotbench:<pid>:".
std::string attached_prefix();

// What every server of the user's has in common; a system adds connect() and reads its version.
class AttachedServer : public Server {
 public:
  explicit AttachedServer(Endpoint e) : e_(std::move(e)) {}
  bool alive() const override;
  std::vector<std::pair<std::string, std::string>> describe() const override;
  std::string key(std::uint64_t id) const override { return attached_prefix() + std::to_string(id); }
  bool attached() const override { return true; }

 protected:
  Endpoint e_;
  std::string version_ = "unknown";
};

Registry<System>& systems();

// The name of key id `id` on a server the suite started ("hb:<id>").
std::string kv_key(std::uint64_t id);

// "name: config" of every system, one per line: what the run records about its servers.
std::string systems_config();

}  // namespace hotbench::cache::kv
