// memcached 1.6 (Debian's memcached), ASCII protocol: gets and deletes through libmemcached 1.1
// ("awesome"), sets through a pipeline of this file's own.
//
// memcached listens on a Unix socket or on TCP, never both (-s disables the
// network), so the server is two processes with the same settings, one per
// transport. Gets are memcached_mget + memcached_fetch_result (one pipelined
// "get k1 k2 ..."; found values come back in request order, misses are
// omitted). libmemcached has no pipelined set that reports each reply: its only
// way to send several (MEMCACHED_BEHAVIOR_BUFFER_REQUESTS) reads their replies
// later without reporting them, and in our tests (docs/cache.md) the last key of
// a buffered batch of 8 or 128 sets sometimes did not read back. So a batch of
// sets is "set <key> 0 0 <bytes>" commands written on a second connection before
// the first reply is read, as memcached_set writes each (flags 0, no expiry), and
// every reply is read and judged: the same depth as Redis's pipelined SETs, with
// each key's answer known.
#include <libmemcached/memcached.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>

#include "../../harness/server.h"
#include "kv.h"

namespace hotbench::cache::kv {
namespace {

std::uint64_t stat_number(memcached_st* m, memcached_stat_st* st, const char* name, const std::string& where) {
  memcached_return_t rc;
  char* v = memcached_stat_get_value(m, st, name, &rc);
  if (!v || rc != MEMCACHED_SUCCESS) throw KvError("memcached: " + where + ": stats has no " + name);
  const std::uint64_t n = std::strtoull(v, nullptr, 10);
  std::free(v);
  return n;
}

// The sets of a batch in one pipeline over memcached's ASCII protocol, on a connection of their own.
// Writing and reading interleave (poll), so a batch larger than the socket buffers cannot deadlock
// with a server that stops reading while its replies wait to be read.
class SetPipeline {
 public:
  SetPipeline(ServerEndpoint e, Transport t, std::string where) : e_(std::move(e)), t_(t), where_(std::move(where)) {
    open();
  }
  ~SetPipeline() { close(); }
  SetPipeline(const SetPipeline&) = delete;
  SetPipeline& operator=(const SetPipeline&) = delete;

  // Stores every key the server accepts; returns how many it refused for lack of memory. Any other
  // reply throws, naming the key and the server's words; the connection is then closed (replies of
  // the batch may still be on their way) and the next batch opens another.
  std::size_t store(std::span<const std::string> keys, std::span<const std::string_view> values) {
    if (fd_ < 0) open();
    out_.clear();
    for (std::size_t i = 0; i < keys.size(); ++i)
      out_.append("set ").append(keys[i]).append(" 0 0 ").append(std::to_string(values[i].size())).append("\r\n")
          .append(values[i]).append("\r\n");
    try {
      return exchange(keys);
    } catch (...) {
      close();
      throw;
    }
  }

 private:
  void open() {
    try {
      fd_ = connect_stream(e_, t_ == Transport::tcp);
    } catch (const ServerError& e) {
      throw KvError(std::string("memcached: set connection: ") + e.what());
    }
    if (t_ == Transport::tcp) {
      const int one = 1;
      ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    const timeval tv{10, 0};  // a bounded wait for replies, as the libmemcached connection's
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  // Writes out_ and reads a reply per key.
  std::size_t exchange(std::span<const std::string> keys) {
    in_.clear();
    std::size_t sent = 0, parsed = 0, replies = 0, refused = 0;
    while (replies < keys.size()) {
      bool moved = false;
      if (sent < out_.size()) {
        const ssize_t w = ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w > 0) {
          sent += static_cast<std::size_t>(w);
          moved = true;
        } else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
          fail("write");
        }
      }
      if (sent < out_.size() && moved) continue;
      // Everything written: a blocking read (SO_RCVTIMEO bounds it). Else: wait until the socket
      // takes more or a reply arrives.
      if (sent < out_.size()) {
        pollfd p{fd_, POLLIN | POLLOUT, 0};
        const int ready = ::poll(&p, 1, 10'000);
        if (ready < 0 && errno != EINTR) fail("poll");
        if (ready == 0) throw KvError("memcached: " + where_ + ": set: no progress within 10 s");
        if (ready < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
      }
      char buf[1 << 14];
      const ssize_t r = ::recv(fd_, buf, sizeof buf, sent < out_.size() ? MSG_DONTWAIT : 0);
      if (r == 0) throw KvError("memcached: " + where_ + ": set: the server closed the connection");
      if (r < 0) {
        if (errno == EINTR || (sent < out_.size() && (errno == EAGAIN || errno == EWOULDBLOCK))) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) throw KvError("memcached: " + where_ + ": set: no reply within 10 s");
        fail("read");
      }
      in_.append(buf, static_cast<std::size_t>(r));
      for (std::size_t end; (end = in_.find("\r\n", parsed)) != std::string::npos; parsed = end + 2) {
        const std::string_view line(in_.data() + parsed, end - parsed);
        if (replies == keys.size())
          throw KvError("memcached: " + where_ + ": set: a reply to no command: " + std::string(line));
        if (line == "SERVER_ERROR out of memory storing object") ++refused;
        else if (line != "STORED")
          throw KvError("memcached: " + where_ + ": set " + keys[replies] + ": " + std::string(line));
        ++replies;
      }
    }
    if (parsed != in_.size()) throw KvError("memcached: " + where_ + ": set: bytes after the last reply");
    return refused;
  }
  [[noreturn]] void fail(const char* what) {
    const std::string why = std::strerror(errno);
    close();
    throw KvError("memcached: " + where_ + ": set connection: " + what + ": " + why);
  }

  ServerEndpoint e_;
  Transport t_;
  std::string where_, out_, in_;
  int fd_ = -1;
};

class MemcachedClient final : public Client {
 public:
  MemcachedClient(const ServerEndpoint& e, Transport t) : m_(memcached_create(nullptr)) {
    if (!m_) throw KvError("memcached: out of memory");
    memcached_return_t rc;
    if (t == Transport::tcp) {
      where_ = e.host + ":" + std::to_string(e.port);
      rc = memcached_server_add(m_, e.host.c_str(), static_cast<in_port_t>(e.port));
    } else {
      where_ = e.unix_socket;
      rc = memcached_server_add_unix_socket(m_, e.unix_socket.c_str());
    }
    if (rc != MEMCACHED_SUCCESS) {
      memcached_free(m_);
      throw KvError("memcached: " + where_ + ": add server failed");
    }
    // Bounded waits: a server that stops answering fails the row.
    for (auto b : {MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, MEMCACHED_BEHAVIOR_POLL_TIMEOUT})
      memcached_behavior_set(m_, b, 10'000);
    memcached_behavior_set(m_, MEMCACHED_BEHAVIOR_TCP_NODELAY, 1);
    // Keep talking to the one server after an error (libmemcached would mark it dead for a while).
    memcached_behavior_set(m_, MEMCACHED_BEHAVIOR_SERVER_FAILURE_LIMIT, 0);
    if (const auto rc = memcached_version(m_); rc != MEMCACHED_SUCCESS) {
      const std::string why = memcached_last_error_message(m_);
      memcached_free(m_);  // no destructor runs for an object whose constructor throws
      throw KvError("memcached: " + where_ + ": connect: " + why);
    }
    result_ = memcached_result_create(m_, &result_storage_);
    try {
      sets_.emplace(e, t, where_);
    } catch (...) {
      memcached_result_free(result_);
      memcached_free(m_);
      throw;
    }
  }
  // The result lives inside this object: libmemcached frees what it allocated for it, not the struct.
  ~MemcachedClient() override {
    memcached_result_free(result_);
    memcached_free(m_);
  }

  void get(std::span<const std::string> keys, GetReplies& out) override {
    ptrs_.clear();
    lens_.clear();
    for (const auto& k : keys) {
      ptrs_.push_back(k.data());
      lens_.push_back(k.size());
    }
    check(memcached_mget(m_, ptrs_.data(), lens_.data(), keys.size()), "get");
    std::size_t next = 0;
    memcached_return_t rc;
    while (memcached_fetch_result(m_, result_, &rc)) {
      const std::string_view key(memcached_result_key_value(result_), memcached_result_key_length(result_));
      while (next < keys.size() && keys[next] != key) out.reply(next++, false, {});
      if (next == keys.size()) throw KvError("memcached: " + where_ + ": a reply for a key not asked, or out of order");
      out.reply(next++, true, {memcached_result_value(result_), memcached_result_length(result_)});
    }
    if (rc != MEMCACHED_END && rc != MEMCACHED_SUCCESS && rc != MEMCACHED_NOTFOUND) check(rc, "get");
    while (next < keys.size()) out.reply(next++, false, {});
  }
  // Every key stored: a set refused for lack of memory is an error here, as any other failure.
  void set(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    if (const std::size_t refused = fill(keys, values))
      throw KvError("memcached: " + where_ + ": set: " + std::to_string(refused) + " of " + std::to_string(keys.size()) +
                    " keys refused for lack of memory (SERVER_ERROR out of memory storing object)");
  }
  std::size_t fill(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    return sets_->store(keys, values);
  }
  void del(std::span<const std::string> keys) override {
    for (const auto& k : keys) {
      const auto rc = memcached_delete(m_, k.data(), k.size(), 0);
      if (rc != MEMCACHED_NOTFOUND) check(rc, "delete");
    }
  }
  ServerStats stats() override {
    ServerStats s;
    with_stats([&](memcached_stat_st* st) {
      s.get_hits = stat_number(m_, st, "get_hits", where_) - base_.get_hits;
      s.get_misses = stat_number(m_, st, "get_misses", where_) - base_.get_misses;
      s.evictions = stat_number(m_, st, "evictions", where_) - base_.evictions;
      s.sets = stat_number(m_, st, "cmd_set", where_) - base_.sets;
      s.items = stat_number(m_, st, "curr_items", where_);
      s.used_bytes = stat_number(m_, st, "bytes", where_);
    });
    return s;
  }
  void reset_stats() override {
    base_ = {};
    base_ = stats();
  }

 private:
  template <class F>
  void with_stats(F&& f) {
    memcached_return_t rc;
    memcached_stat_st* st = memcached_stat(m_, nullptr, &rc);
    if (!st || rc != MEMCACHED_SUCCESS) {
      if (st) memcached_stat_free(m_, st);
      check(rc == MEMCACHED_SUCCESS ? MEMCACHED_FAILURE : rc, "stats");
    }
    try {
      f(st);
    } catch (...) {
      memcached_stat_free(m_, st);
      throw;
    }
    memcached_stat_free(m_, st);
  }
  void check(memcached_return_t rc, const char* what) {
    if (rc == MEMCACHED_SUCCESS) return;
    // The return code names what happened (the last error message said "SUCCESS" for a refused set).
    std::string why = memcached_strerror(m_, rc);
    if (const std::string detail = memcached_last_error_message(m_); detail != why && detail != "SUCCESS")
      why += " (" + detail + ")";
    throw KvError("memcached: " + where_ + ": " + what + ": " + why + " (server gone, or no answer within 10 s?)");
  }

  memcached_st* m_;
  memcached_result_st result_storage_{};
  memcached_result_st* result_ = nullptr;
  std::string where_;
  std::vector<const char*> ptrs_;
  std::vector<std::size_t> lens_;
  ServerStats base_;
  std::optional<SetPipeline> sets_;
};

// memcached stores an item in the smallest slab chunk that holds its header
// (48 bytes + 8 for CAS), key, and value with its "\r\n"; chunk sizes grow by
// the factor -f (1.25) from 96 bytes. It takes memory a 1 MiB page at a time
// per slab class, so a bound of M MiB holds about M * (2^20 / chunk) items of one size.
std::uint64_t chunk_bytes(std::size_t key_bytes, std::size_t value_bytes) {
  const double need = 56.0 + static_cast<double>(key_bytes) + 1 + static_cast<double>(value_bytes) + 2;
  double chunk = 96;
  while (chunk < need) chunk = std::ceil(chunk * 1.25 / 8) * 8;
  return static_cast<std::uint64_t>(chunk);
}

std::string memcached_version(const ServerEndpoint& e, Transport t) {
  memcached_st* m = memcached_create(nullptr);
  if (t == Transport::tcp) memcached_server_add(m, e.host.c_str(), static_cast<in_port_t>(e.port));
  else memcached_server_add_unix_socket(m, e.unix_socket.c_str());
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_CONNECT_TIMEOUT, 5000);
  memcached_behavior_set(m, MEMCACHED_BEHAVIOR_POLL_TIMEOUT, 5000);
  std::string v = "unknown";
  memcached_return_t rc;
  if (memcached_stat_st* st = memcached_stat(m, nullptr, &rc)) {
    if (char* s = memcached_stat_get_value(m, st, "version", &rc)) {
      v = s;
      std::free(s);
    }
    memcached_stat_free(m, st);
  }
  memcached_free(m);
  return v;
}

class MemcachedServer final : public Server {
 public:
  explicit MemcachedServer(const ServerOptions& o) {
    std::uint64_t megabytes = 1024;  // unbounded rows: far more than any row stores
    if (o.hold_entries) {
      const std::uint64_t per_page = (1u << 20) / chunk_bytes(kv_key(o.hold_entries).size(), o.value_bytes);
      // memcached's smallest bound is 1 MiB ... and it keeps a page per slab class it touched.
      megabytes = std::max<std::uint64_t>(1, (o.hold_entries + per_page - 1) / per_page);
    } else if (o.max_memory_bytes) {
      megabytes = std::max<std::uint64_t>(1, o.max_memory_bytes >> 20);
    }
    limit_ = megabytes << 20;
    unix_.emplace(spec(megabytes, true));
    tcp_.emplace(spec(megabytes, false));
    version_ = version();
  }
  std::unique_ptr<Client> connect(Transport t) override {
    return std::make_unique<MemcachedClient>(t == Transport::tcp ? tcp_->endpoint() : unix_->endpoint(), t);
  }
  bool alive() const override { return unix_->alive() && tcp_->alive(); }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    auto d = unix_->describe();
    for (auto& [k, v] : tcp_->describe()) d.emplace_back("tcp_" + k, v);
    d.emplace_back("version", version_);
    d.emplace_back("client", "gets and deletes: libmemcached, ASCII protocol; sets: pipelined ASCII set commands "
                             "on a second connection, every reply read (bench/cache/servers/memcached.cpp)");
    return d;
  }
  std::string log_tail() const override { return unix_->log_tail() + " | " + tcp_->log_tail(); }
  std::uint64_t memory_limit() const override { return limit_; }

 private:
  static ServerSpec spec(std::uint64_t megabytes, bool unix_socket) {
    ServerSpec s;
    s.name = "memcached";
    s.package = "memcached";
    s.argv = {"memcached", "-m", std::to_string(megabytes), "-c", "1024", "-U", "0"};
    // Its largest item may be at most half its memory (-I, 1 MiB by default).
    if (megabytes < 2) s.argv.insert(s.argv.end(), {"-I", "512k"});
    // It keeps nothing worth a graceful exit, which takes it ~0.9 s (its background threads' sleeps).
    s.stop_signal = SIGKILL;
    if (unix_socket) {
      s.argv.insert(s.argv.end(), {"-s", "{socket}", "-a", "0700"});
    } else {
      s.argv.insert(s.argv.end(), {"-l", "127.0.0.1", "-p", "{port}"});
    }
    if (::geteuid() == 0) s.argv.insert(s.argv.end(), {"-u", "root"});  // it refuses root otherwise
    return s;
  }
  std::string version() { return memcached_version(unix_->endpoint(), Transport::unix_socket); }

  std::optional<ServerProcess> unix_, tcp_;
  std::uint64_t limit_ = 0;
  std::string version_;
};

// A memcached the user runs: keys under this process's prefix, never flushed.
class AttachedMemcached final : public AttachedServer {
 public:
  explicit AttachedMemcached(const Endpoint& e) : AttachedServer(e), where_{e.host, e.port, e.path} {
    connect(e.transport);  // throws KvError when nothing answers there
    version_ = memcached_version(where_, e.transport);
  }
  std::unique_ptr<Client> connect(Transport) override { return std::make_unique<MemcachedClient>(where_, e_.transport); }

 private:
  ServerEndpoint where_;
};

}  // namespace
}  // namespace hotbench::cache::kv

HOTBENCH_REGISTER(memcached) {
  using namespace hotbench::cache::kv;
  systems().add({"memcached",
                 {Transport::unix_socket, Transport::tcp},
                 {"lru"},  // memcached's own segmented LRU (hot/warm/cold), its only policy
                 false,
                 "memcached -m <MiB: the row's bound, else 1024> -c 1024 -U 0 [-I 512k below 2 MiB] "
                 "{-s {socket} -a 0700 | -l 127.0.0.1 -p {port}} [-u root as root]; stopped with SIGKILL; gets through "
                 "libmemcached, sets through the suite's pipelined ASCII client",
                 [](const ServerOptions& o) -> std::unique_ptr<Server> { return std::make_unique<MemcachedServer>(o); },
                 [](const Endpoint& e) -> std::unique_ptr<Server> { return std::make_unique<AttachedMemcached>(e); }});
}
