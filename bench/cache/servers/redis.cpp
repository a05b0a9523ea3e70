// Redis 7 (Debian's redis-server), through hiredis's blocking API: a batch is
// every command appended to the output buffer, then the replies read in order;
// and through its asynchronous API for the open-loop rows.
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/time.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <map>

#include "../../harness/redis_server.h"
#include "../../harness/server.h"
#include "kv.h"

namespace hotbench::cache::kv {
namespace {

class Reply {
 public:
  explicit Reply(void* r) : r_(static_cast<redisReply*>(r)) {}
  ~Reply() {
    if (r_) freeReplyObject(r_);
  }
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  redisReply* operator->() const { return r_; }
  std::string_view text() const { return {r_->str, r_->len}; }

 private:
  redisReply* r_;
};

class RedisClient final : public Client {
 public:
  RedisClient(redisContext* c, std::string where) : c_(c), where_(std::move(where)) {
    if (!c_ || c_->err) {
      const std::string why = c_ ? c_->errstr : "out of memory";
      if (c_) redisFree(c_);
      throw KvError("redis: cannot connect to " + where_ + ": " + why);
    }
    const timeval tv{kIoTimeoutSeconds, 0};  // a server that stops answering fails the row, never hangs it
    redisSetTimeout(c_, tv);
  }
  ~RedisClient() override { redisFree(c_); }

  void get(std::span<const std::string> keys, GetReplies& out) override {
    for (const auto& k : keys) append({"GET", k});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      Reply r = next();
      if (r->type == REDIS_REPLY_STRING) out.reply(i, true, r.text());
      else if (r->type == REDIS_REPLY_NIL) out.reply(i, false, {});
      else fail("GET " + keys[i], r);
    }
  }
  void set(std::span<const std::string> keys, std::span<const std::string_view> values) override {
    for (std::size_t i = 0; i < keys.size(); ++i) append({"SET", keys[i], values[i]});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      Reply r = next();
      if (r->type != REDIS_REPLY_STATUS || r.text() != "OK") fail("SET " + keys[i], r);
    }
  }
  void del(std::span<const std::string> keys) override {
    for (const auto& k : keys) append({"DEL", k});
    for (std::size_t i = 0; i < keys.size(); ++i) {
      Reply r = next();
      if (r->type != REDIS_REPLY_INTEGER) fail("DEL " + keys[i], r);
    }
  }
  ServerStats stats() override {
    ServerStats s;
    const auto info = info_fields();
    s.get_hits = field(info, "keyspace_hits") - base_.get_hits;
    s.get_misses = field(info, "keyspace_misses") - base_.get_misses;
    s.evictions = field(info, "evicted_keys") - base_.evictions;
    s.sets = set_calls(info) - base_.sets;
    s.used_bytes = field(info, "used_memory");
    append({"DBSIZE"});
    Reply r = next();
    if (r->type != REDIS_REPLY_INTEGER) fail("DBSIZE", r);
    s.items = static_cast<std::uint64_t>(r->integer);
    return s;
  }
  void reset_stats() override {
    base_ = {};
    base_ = stats();
  }

  // Sends a command and returns its reply (configuration, INFO).
  std::string command(std::initializer_list<std::string_view> args) {
    append(args);
    Reply r = next();
    if (r->type == REDIS_REPLY_ERROR) fail(std::string(*args.begin()), r);
    if (r->type == REDIS_REPLY_INTEGER) return std::to_string(r->integer);
    return r->str ? std::string(r.text()) : std::string();
  }

 private:
  static constexpr long kIoTimeoutSeconds = 10;

  void append(std::initializer_list<std::string_view> args) {
    const char* argv[4];
    std::size_t len[4];
    int n = 0;
    for (auto a : args) {
      argv[n] = a.data();
      len[n++] = a.size();
    }
    if (redisAppendCommandArgv(c_, n, argv, len) != REDIS_OK) throw KvError("redis: " + where_ + ": " + c_->errstr);
  }
  Reply next() {
    void* r = nullptr;
    if (redisGetReply(c_, &r) != REDIS_OK || !r)
      throw KvError("redis: " + where_ + ": " + (c_->errstr[0] ? c_->errstr : "connection lost") +
                    " (server gone, or no answer within " + std::to_string(kIoTimeoutSeconds) + " s)");
    return Reply(r);
  }
  [[noreturn]] void fail(const std::string& what, const Reply& r) {
    throw KvError("redis: " + where_ + ": " + what.substr(0, 60) + ": unexpected reply" +
                  (r->type == REDIS_REPLY_ERROR ? ": " + std::string(r.text()) : " of type " + std::to_string(r->type)));
  }
  std::map<std::string, std::string, std::less<>> info_fields() {
    const std::string text = command({"INFO", "default", "commandstats"});
    std::map<std::string, std::string, std::less<>> out;
    std::size_t at = 0;
    while (at < text.size()) {
      const std::size_t end = std::min(text.find("\r\n", at), text.size());
      const std::string line = text.substr(at, end - at);
      if (const auto colon = line.find(':'); colon != std::string::npos && line[0] != '#')
        out[line.substr(0, colon)] = line.substr(colon + 1);
      at = end + 2;
    }
    return out;
  }
  // "cmdstat_set:calls=N,usec=...": absent until the first SET.
  static std::uint64_t set_calls(const std::map<std::string, std::string, std::less<>>& info) {
    auto it = info.find("cmdstat_set");
    if (it == info.end() || it->second.rfind("calls=", 0) != 0) return 0;
    return std::stoull(it->second.substr(6));
  }
  std::uint64_t field(const std::map<std::string, std::string, std::less<>>& info, std::string_view name) {
    auto it = info.find(name);
    if (it == info.end()) throw KvError("redis: " + where_ + ": INFO has no field " + std::string(name));
    return std::stoull(it->second);
  }

  redisContext* c_;
  std::string where_;
  ServerStats base_;
};

// The harness's Redis (no persistence, loopback only, a private socket) with the row's eviction policy and memory bound.
ServerSpec redis_spec(const ServerOptions& o) {
  return redis_server_spec("maxmemory " + std::to_string(o.max_memory_bytes) + "\n" + "maxmemory-policy " +
                           (o.eviction.empty() ? std::string("noeviction") : o.eviction) + "\n");
}

std::string redis_spec_text() {
  std::string text = "redis-server {config} with {config}: " + redis_spec({}).config_text;
  for (auto& ch : text)
    if (ch == '\n') ch = ';';
  return text + " (maxmemory and policy: the row's)";
}

// hiredis's asynchronous API driven by a poll() loop of our own (no event library): poll() always
// waits for replies, and for writing when hiredis's ev hooks say it has queued output. hiredis
// frees the context itself when the connection drops; the disconnect callback says so.
class RedisAsync final : public AsyncClient {
 public:
  RedisAsync(redisAsyncContext* ac, std::string where) : ac_(ac), where_(std::move(where)) {
    if (!ac_ || ac_->err) {
      const std::string why = ac_ ? ac_->errstr : "out of memory";
      if (ac_) redisAsyncFree(ac_);
      throw KvError("redis " + where_ + ": " + why);
    }
    ac_->data = this;
    ac_->ev.data = this;
    ac_->ev.addWrite = [](void* p) { static_cast<RedisAsync*>(p)->write_ = true; };
    ac_->ev.delWrite = [](void* p) { static_cast<RedisAsync*>(p)->write_ = false; };
    redisAsyncSetDisconnectCallback(ac_, [](const redisAsyncContext* c, int status) {
      auto* self = static_cast<RedisAsync*>(c->data);
      self->ac_ = nullptr;
      if (status != REDIS_OK && self->error_.empty()) self->error_ = c->errstr ? c->errstr : "connection lost";
    });
  }
  ~RedisAsync() override {
    out_ = nullptr;  // the callbacks of what is still pending get no reply: ignored
    if (ac_) redisAsyncFree(ac_);
  }
  void get(std::string_view key, std::uint64_t tag) override {
    if (!ac_) fail();
    if (redisAsyncCommand(ac_, &RedisAsync::on_reply, reinterpret_cast<void*>(static_cast<std::uintptr_t>(tag)), "GET %b",
                          key.data(), key.size()) != REDIS_OK)
      fail();
  }
  void poll(std::uint64_t timeout_ns, AsyncReplies& out) override {
    if (!ac_) fail();
    out_ = &out;
    if (write_) redisAsyncHandleWrite(ac_);  // what was queued goes now, not after the wait
    if (ac_) {
      pollfd p{ac_->c.fd, static_cast<short>(POLLIN | (write_ ? POLLOUT : 0)), 0};
      const timespec wait{static_cast<time_t>(timeout_ns / 1'000'000'000), static_cast<long>(timeout_ns % 1'000'000'000)};
      const int n = ::ppoll(&p, 1, &wait, nullptr);
      if (n < 0 && errno != EINTR) error_ = std::string("poll: ") + std::strerror(errno);
      if (n > 0 && (p.revents & POLLOUT) && ac_) redisAsyncHandleWrite(ac_);
      if (n > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) && ac_) redisAsyncHandleRead(ac_);
    }
    out_ = nullptr;
    if (!ac_ || !error_.empty()) fail();
  }

 private:
  static void on_reply(redisAsyncContext* ac, void* r, void* tag) {
    auto* self = static_cast<RedisAsync*>(ac->data);
    if (!r || !self->out_) return;  // dropped with the connection: the disconnect says why
    const auto* reply = static_cast<const redisReply*>(r);
    const auto t = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(tag));
    if (reply->type == REDIS_REPLY_STRING)
      self->out_->reply(t, true, std::string_view(reply->str, reply->len));
    else if (reply->type == REDIS_REPLY_NIL)
      self->out_->reply(t, false, {});
    else if (self->error_.empty())
      self->error_ = reply->type == REDIS_REPLY_ERROR ? std::string(reply->str, reply->len) : "unexpected reply type";
  }
  [[noreturn]] void fail() const {
    throw KvError("redis " + where_ + " (async): " + (error_.empty() ? "connection lost" : error_));
  }

  redisAsyncContext* ac_;
  std::string where_, error_;
  AsyncReplies* out_ = nullptr;  // during poll()
  bool write_ = false;
};

std::unique_ptr<AsyncClient> connect_async_to(Transport t, const std::string& host, int port, const std::string& socket,
                                              const std::string& where) {
  if (t == Transport::tcp) return std::make_unique<RedisAsync>(redisAsyncConnect(host.c_str(), port), where);
  return std::make_unique<RedisAsync>(redisAsyncConnectUnix(socket.c_str()), where);
}

class RedisServer final : public Server {
 public:
  explicit RedisServer(const ServerOptions& o) : process_(spec(o)), limit_(o.max_memory_bytes) {
    auto c = connect(Transport::unix_socket);
    auto& rc = static_cast<RedisClient&>(*c);
    const std::string info = rc.command({"INFO", "server"});
    if (auto at = info.find("redis_version:"); at != std::string::npos)
      version_ = info.substr(at + 14, info.find("\r\n", at) - at - 14);
    if (o.hold_entries) size_for(rc, o);
  }
  std::unique_ptr<Client> connect(Transport t) override {
    const timeval tv{5, 0};
    const auto& e = process_.endpoint();
    if (t == Transport::tcp)
      return std::make_unique<RedisClient>(redisConnectWithTimeout(e.host.c_str(), e.port, tv),
                                           e.host + ":" + std::to_string(e.port));
    return std::make_unique<RedisClient>(redisConnectUnixWithTimeout(e.unix_socket.c_str(), tv), e.unix_socket);
  }
  std::unique_ptr<AsyncClient> connect_async(Transport t) override {
    const auto& e = process_.endpoint();
    return connect_async_to(t, e.host, e.port, e.unix_socket,
                            t == Transport::tcp ? e.host + ":" + std::to_string(e.port) : e.unix_socket);
  }
  bool alive() const override { return process_.alive(); }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    auto d = process_.describe();
    d.emplace_back("version", version_);
    return d;
  }
  std::string log_tail() const override { return process_.log_tail(); }
  std::uint64_t memory_limit() const override { return limit_; }

 private:
  // Redis bounds used_memory, which counts its own dictionaries and allocator rounding: fill it
  // with the entries it should hold, read what they cost, bound it there, and start empty.
  void size_for(RedisClient& c, const ServerOptions& o) {
    const std::string value(o.value_bytes, 'v');
    std::vector<std::string> keys;
    std::vector<std::string_view> values;
    for (std::uint64_t id = 0; id < o.hold_entries; ++id) {
      keys.push_back(kv_key(id));
      values.push_back(value);
      if (keys.size() == 512 || id + 1 == o.hold_entries) {
        c.set(keys, values);
        keys.clear();
        values.clear();
      }
    }
    // Plus room for the connection's own buffers, which used_memory counts too: with a bound at
    // the data alone, a pipelined batch could push Redis over it with no key left to evict
    // (OOM errors in small rows). The entries it then holds are measured, not assumed.
    limit_ = c.stats().used_bytes + kClientSlack;
    c.command({"CONFIG", "SET", "maxmemory", std::to_string(limit_)});
    c.command({"FLUSHALL"});
  }
  static ServerSpec spec(const ServerOptions& o) { return redis_spec(o); }
  static constexpr std::uint64_t kClientSlack = 128 << 10;
  ServerProcess process_;
  std::uint64_t limit_;
  std::string version_ = "unknown";
};

// A Redis the user runs: keys under this process's prefix, no configuration change, no flush.
class AttachedRedis final : public AttachedServer {
 public:
  explicit AttachedRedis(const Endpoint& e) : AttachedServer(e) {
    auto c = connect(e.transport);
    const std::string info = static_cast<RedisClient&>(*c).command({"INFO", "server"});
    if (auto at = info.find("redis_version:"); at != std::string::npos)
      version_ = info.substr(at + 14, info.find("\r\n", at) - at - 14);
  }
  std::unique_ptr<Client> connect(Transport) override {
    const timeval tv{5, 0};
    if (e_.transport == Transport::tcp)
      return std::make_unique<RedisClient>(redisConnectWithTimeout(e_.host.c_str(), e_.port, tv), e_.text);
    return std::make_unique<RedisClient>(redisConnectUnixWithTimeout(e_.path.c_str(), tv), e_.text);
  }
  std::unique_ptr<AsyncClient> connect_async(Transport) override {
    return connect_async_to(e_.transport, e_.host, e_.port, e_.path, e_.text);
  }
};

}  // namespace

}  // namespace hotbench::cache::kv

HOTBENCH_REGISTER(redis) {
  using namespace hotbench::cache::kv;
  systems().add({"redis",
                 {Transport::unix_socket, Transport::tcp},
                 {"allkeys-lru", "allkeys-lfu", "allkeys-random"},
                 false,
                 redis_spec_text(),
                 [](const ServerOptions& o) -> std::unique_ptr<Server> { return std::make_unique<RedisServer>(o); },
                 [](const Endpoint& e) -> std::unique_ptr<Server> { return std::make_unique<AttachedRedis>(e); },
                 true});
}
