// Redis 7.0 (Debian's redis-server, started for each row as the cache suite
// starts it: harness/redis_server.h) through hiredis 0.14, on its TCP port or
// its Unix socket:
//   redis:streams  a stream per row. Producers XADD; the consumer reads through
//                  a consumer group (XREADGROUP ... >, up to 256 entries a
//                  call) and acknowledges what it has handed on (XACK) with its
//                  next read, trimming the stream below the last acknowledged
//                  entry (XTRIM MINID ~) so that a long row does not grow the
//                  server without bound (several consumers in the group: each
//                  deletes what it acknowledged, XDEL). ping_pong: the requester XADDs to a
//                  request stream and XREADs its own reply stream; the replier
//                  reads the request stream through a group, XADDs the reply,
//                  then XACKs the request. fan_out: each subscriber is the one
//                  member of a consumer group of its own on the row's stream
//                  (every group gets every entry), acknowledging as above and
//                  deleting nothing (the other groups may not have read it).
//   redis:pubsub   PUBLISH / SUBSCRIBE on a channel per row (fan_out: each
//                  subscriber its own connection; a subscribed
//                  connection can only listen, so a requester and a replier
//                  each hold two connections: one subscribed, one publishing).
// Promises: an acknowledged consumer group is at least once (an entry read and
// not acknowledged stays pending and is delivered again to a consumer that
// reads its pending entries after a failure; a healthy consumer never sees a
// duplicate) with the stream's order; Pub/Sub is at most once (a subscriber
// that is not connected, or one Redis disconnects for falling behind its
// client-output-buffer-limit, misses what is published) in publishing order.
//
// Every connection is hiredis's non-blocking context driven by poll() with the
// caller's timeout, commands pipelined: a producer keeps up to kWindow commands
// in flight without waiting for each reply (a batch producer's usual way to use
// Redis), each reply is checked. A blocking read (XREADGROUP/XREAD ... BLOCK)
// blocks on the server for the caller's timeout; a reply that comes later is
// taken by the next call, never lost and never waited for beyond the timeout.
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../harness/redis_server.h"
#include "contract.h"

namespace hotbench::messaging {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr Millis kSetUp{5000};       // connecting, creating a group, subscribing
constexpr std::size_t kWindow = 128;  // commands a producer has in flight
constexpr int kReadCount = 256;       // entries one XREADGROUP takes

class Reply {
 public:
  Reply() = default;
  explicit Reply(void* r) : r_(static_cast<redisReply*>(r)) {}
  Reply(Reply&& o) noexcept : r_(std::exchange(o.r_, nullptr)) {}
  Reply& operator=(Reply&& o) noexcept {
    std::swap(r_, o.r_);
    return *this;
  }
  ~Reply() {
    if (r_) freeReplyObject(r_);
  }
  explicit operator bool() const { return r_ != nullptr; }
  const redisReply* operator->() const { return r_; }
  const redisReply* get() const { return r_; }

 private:
  redisReply* r_ = nullptr;
};

std::string_view text(const redisReply* r) { return {r->str, r->len}; }
bool is_bulk(const redisReply* r) { return r->type == REDIS_REPLY_STRING; }

// One connection. Commands are appended and written at once (as much as the
// socket takes; the rest when next() finds the socket writable); replies come
// back in order through next().
class Link {
 public:
  explicit Link(const Endpoint& e)
      : where_(e.transport == Transport::tcp ? e.host + ":" + std::to_string(e.port) : e.path) {
    c_ = e.transport == Transport::tcp ? redisConnectNonBlock(e.host.c_str(), e.port)
                                       : redisConnectUnixNonBlock(e.path.c_str());
    if (!c_ || c_->err) {
      const std::string why = c_ ? c_->errstr : "out of memory";
      if (c_) redisFree(c_);
      throw MessagingError("redis: cannot connect to " + where_ + ": " + why);
    }
    // A non-blocking connect finishes when the socket becomes writable; SO_ERROR says how.
    pollfd p{c_->fd, POLLOUT, 0};
    int error = 0;
    socklen_t size = sizeof error;
    const int n = ::poll(&p, 1, static_cast<int>(kSetUp.count()));
    if (n <= 0) error = n == 0 ? ETIMEDOUT : errno;
    else if (::getsockopt(c_->fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0) error = errno;
    if (error != 0) {
      redisFree(c_);
      throw MessagingError("redis: cannot connect to " + where_ + ": " + std::strerror(error));
    }
  }
  ~Link() { redisFree(c_); }
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  void command(const std::vector<std::string_view>& args) {
    argv_.clear();
    lengths_.clear();
    for (auto a : args) {
      argv_.push_back(a.data());
      lengths_.push_back(a.size());
    }
    if (redisAppendCommandArgv(c_, static_cast<int>(args.size()), argv_.data(), lengths_.data()) != REDIS_OK)
      fail(std::string(args.front()));
    // When the socket was full at the last write, the rest waits for next()'s poll: writing again
    // now would mostly move hiredis's whole output buffer down by the few bytes the socket took.
    if (!unsent_) write();
  }
  bool unsent() const { return unsent_; }

  // The next reply, waiting up to `timeout` (0: only one already here); empty when none came.
  Reply next(Millis timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    for (;;) {
      void* r = nullptr;
      if (redisGetReplyFromReader(c_, &r) != REDIS_OK) fail("reading a reply");
      if (r) return Reply(r);
      const auto left = std::chrono::ceil<Millis>(deadline - SteadyClock::now()).count();
      pollfd p{c_->fd, static_cast<short>(POLLIN | (unsent_ ? POLLOUT : 0)), 0};
      const int n = ::poll(&p, 1, static_cast<int>(std::max<long long>(0, left)));
      if (n < 0 && errno != EINTR) fail(std::string("poll: ") + std::strerror(errno));
      if (n == 0) return {};
      if (p.revents & POLLOUT) write();
      if ((p.revents & (POLLIN | POLLHUP | POLLERR)) && redisBufferRead(c_) != REDIS_OK) fail("reading");
    }
  }
  // The next reply, which must come within `timeout` (set-up commands).
  Reply must_answer(Millis timeout, const std::string& what) {
    Reply r = next(timeout);
    if (!r) throw MessagingError("redis: " + where_ + ": no answer to " + what + " within " +
                                 std::to_string(timeout.count()) + " ms");
    return r;
  }

  [[noreturn]] void unexpected(const std::string& what, const redisReply* r) const {
    throw MessagingError("redis: " + where_ + ": " + what + ": " +
                         (r->type == REDIS_REPLY_ERROR ? std::string(text(r))
                                                       : "unexpected reply of type " + std::to_string(r->type)));
  }

 private:
  void write() {
    int done = 0;
    if (redisBufferWrite(c_, &done) != REDIS_OK) fail("writing");
    unsent_ = !done;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw MessagingError("redis: " + where_ + ": " + what + ": " + (c_->err ? c_->errstr : "error"));
  }

  redisContext* c_ = nullptr;
  std::string where_;
  bool unsent_ = false;  // output still in hiredis's buffer
  std::vector<const char*> argv_;
  std::vector<std::size_t> lengths_;
};

// Keeps up to kWindow commands in flight and checks every reply. `append` sends one command per
// message, `check` judges its reply.
class PipelinedProducer : public Producer {
 public:
  explicit PipelinedProducer(const Endpoint& e) : link_(e) {}
  bool send(Bytes m, Millis timeout) override {
    if (in_flight_ >= kWindow / 2 || link_.unsent()) take(Millis(0));
    if (in_flight_ >= kWindow && !take_one(timeout)) return false;
    append(std::string_view(reinterpret_cast<const char*>(m.data()), m.size()));
    ++in_flight_;
    return true;
  }
  void flush(Millis timeout) override {
    const auto deadline = SteadyClock::now() + timeout;
    while (in_flight_ > 0)
      if (!take_one(std::chrono::ceil<Millis>(deadline - SteadyClock::now())))
        throw MessagingError("redis: " + std::to_string(in_flight_) + " replies still missing " +
                             std::to_string(timeout.count()) + " ms after the last send");
  }

 protected:
  virtual void append(std::string_view message) = 0;
  virtual void check(const redisReply* r) = 0;
  Link link_;

 private:
  void take(Millis timeout) {
    while (in_flight_ > 0 && take_one(timeout)) {
    }
  }
  bool take_one(Millis timeout) {
    Reply r = link_.next(std::max(Millis(0), timeout));
    if (!r) return false;
    --in_flight_;
    check(r.get());
    return true;
  }

  std::size_t in_flight_ = 0;
};

// --- Streams --------------------------------------------------------------------

constexpr std::string_view kGroup = "hotbench";

// Creates the group (and the stream) from the stream's beginning; an existing group is fine.
void create_group(Link& link, const std::string& key, std::string_view group = kGroup) {
  link.command({"XGROUP", "CREATE", key, group, "0", "MKSTREAM"});
  Reply r = link.must_answer(kSetUp, "XGROUP CREATE");
  if (r->type == REDIS_REPLY_ERROR && text(r.get()).starts_with("BUSYGROUP")) return;
  if (r->type != REDIS_REPLY_STATUS) link.unexpected("XGROUP CREATE " + key, r.get());
}

// The entries of an XREAD/XREADGROUP reply: [[key, [[id, [field, value, ...]], ...]]], or nil.
// Appends (id, value of the entry's one field) pairs; false for nil (nothing within the block).
bool entries_of(Link& link, const redisReply* r, std::vector<std::pair<std::string_view, std::string_view>>& out) {
  if (r->type == REDIS_REPLY_NIL) return false;
  if (r->type != REDIS_REPLY_ARRAY || r->elements != 1 || r->element[0]->type != REDIS_REPLY_ARRAY ||
      r->element[0]->elements != 2 || r->element[0]->element[1]->type != REDIS_REPLY_ARRAY)
    link.unexpected("stream read", r);
  const redisReply* entries = r->element[0]->element[1];
  for (std::size_t i = 0; i < entries->elements; ++i) {
    const redisReply* e = entries->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 || !is_bulk(e->element[0]) ||
        e->element[1]->type != REDIS_REPLY_ARRAY || e->element[1]->elements != 2 || !is_bulk(e->element[1]->element[1]))
      link.unexpected("stream entry", e);
    out.emplace_back(text(e->element[0]), text(e->element[1]->element[1]));
  }
  return true;
}

std::string block_ms(Millis timeout) { return std::to_string(std::max<long long>(1, timeout.count())); }  // 0 blocks forever

class StreamProducer final : public PipelinedProducer {
 public:
  StreamProducer(const Endpoint& e, std::string key) : PipelinedProducer(e), key_(std::move(key)) {}

 private:
  void append(std::string_view m) override { link_.command({"XADD", key_, "*", "d", m}); }
  void check(const redisReply* r) override {
    if (!is_bulk(r)) link_.unexpected("XADD " + key_, r);
  }
  std::string key_;
};

// A consumer's place in its row: its number, and how many consumers the row has open (all of them
// before the first message). A consumer gives its number back when it closes, so the end the fault
// task opens after a broker kill is the same group member as the one it replaces and reads that
// one's delivered, unacknowledged entries first: under a new name they would stay pending for a
// member that is gone, delivered to no one.
// A fan_out subscriber is the one member of a group of its own on the row's stream: every group
// reads every entry, so none deletes what it has acknowledged (another group may not have read it
// yet); the stream lives as long as the row's server.
struct Place {
  int index = 0;
  std::shared_ptr<std::atomic<int>> consumers;
  std::string group = std::string(kGroup);
  bool own_group = false;  // fan_out: other groups read the same entries
};

class StreamConsumer final : public Consumer {
 public:
  StreamConsumer(const Endpoint& e, std::string key, Place place)
      : link_(e),
        key_(std::move(key)),
        name_("consumer-" + std::to_string(place.index)),
        group_(std::move(place.group)),
        consumers_(place.consumers),
        shared_stream_(place.own_group) {
    create_group(link_, key_, group_);
  }
  ~StreamConsumer() override {
    if (consumers_) consumers_->fetch_sub(1);
  }

  bool receive(std::vector<std::byte>& out, Millis timeout) override {
    if (next_ == entries_.size() && !ask(timeout)) return false;
    const std::string_view value = entries_[next_++].second;
    ++unacknowledged_;  // acknowledged with the next read: by then the harness has taken it
    const auto* data = reinterpret_cast<const std::byte*>(value.data());
    out.assign(data, data + value.size());
    return true;
  }

 private:
  enum class Awaited { ack, trim, read };

  // Acknowledges what was handed on, trims below it, reads the next entries; true when some came.
  bool ask(Millis timeout) {
    if (!reading_) {
      if (unacknowledged_ > 0) {
        std::vector<std::string_view> args = {"XACK", key_, group_};
        for (std::size_t i = entries_.size() - unacknowledged_; i < entries_.size(); ++i) args.push_back(entries_[i].first);
        link_.command(args);
        awaited_.push_back(Awaited::ack);
        acks_.push_back(unacknowledged_);
        // One consumer: everything below its last acknowledged entry is acknowledged, trimmed cheaply.
        // Several: entries below it may be another consumer's, read and not acknowledged yet (to be
        // delivered again after a failure), so each deletes exactly what it acknowledged.
        // A fan_out subscriber's group shares the stream with the other subscribers' groups: nothing is deleted.
        if (!shared_stream_) {
          if (consumers_->load() == 1) link_.command({"XTRIM", key_, "MINID", "~", entries_.back().first});
          else {
            args[0] = "XDEL";
            args.erase(args.begin() + 2);  // no group
            link_.command(args);
          }
          awaited_.push_back(Awaited::trim);
        }
        unacknowledged_ = 0;
      }
      link_.command({"XREADGROUP", "GROUP", group_, name_, "COUNT", std::to_string(kReadCount), "BLOCK",
                     block_ms(timeout), "STREAMS", key_, history_ ? after_ : std::string(">")});
      awaited_.push_back(Awaited::read);
      reading_ = true;
    }
    const auto deadline = SteadyClock::now() + timeout;
    while (reading_) {
      Reply r = link_.next(std::max(Millis(0), std::chrono::ceil<Millis>(deadline - SteadyClock::now())));
      if (!r) return false;
      const Awaited what = awaited_.front();
      awaited_.pop_front();
      if (what == Awaited::ack) {
        const std::size_t n = acks_.front();
        acks_.pop_front();
        if (r->type != REDIS_REPLY_INTEGER) link_.unexpected("XACK", r.get());
        if (static_cast<std::size_t>(r->integer) != n)
          throw MessagingError("redis: XACK acknowledged " + std::to_string(r->integer) + " of " + std::to_string(n) +
                               " entries read and not acknowledged yet");
      } else if (what == Awaited::trim) {
        if (r->type != REDIS_REPLY_INTEGER) link_.unexpected("XTRIM/XDEL", r.get());
      } else {
        reading_ = false;
        entries_.clear();
        next_ = 0;
        batch_ = std::move(r);  // entries_ points into it
        entries_of(link_, batch_.get(), entries_);
        if (history_) {
          if (entries_.empty()) history_ = false;  // every pending entry taken: new entries from now on
          else after_.assign(entries_.back().first);
        }
      }
    }
    return !entries_.empty();
  }

  Link link_;
  std::string key_, name_, group_;
  std::shared_ptr<std::atomic<int>> consumers_;
  bool shared_stream_;  // fan_out: other groups read this stream too
  Reply batch_;  // the last read's reply
  std::vector<std::pair<std::string_view, std::string_view>> entries_;  // (id, payload) in batch_
  std::size_t next_ = 0;                                                  // the next entry to hand on
  std::size_t unacknowledged_ = 0;  // the entries before next_ not acknowledged yet
  std::deque<Awaited> awaited_;
  std::deque<std::size_t> acks_;  // entries each awaited XACK acknowledges
  bool reading_ = false;          // an XREADGROUP is awaited
  // A new end first reads the group's entries delivered to this consumer name and not acknowledged
  // (XREADGROUP ... <id>, after the last one taken), which a consumer that went away left pending
  // (the fault task), then new entries (">"). A healthy row's first read finds none.
  bool history_ = true;
  std::string after_ = "0";
};

class StreamRequester final : public Requester {
 public:
  StreamRequester(const Endpoint& e, std::string requests, std::string replies)
      : link_(e), requests_(std::move(requests)), replies_(std::move(replies)) {}
  bool send_request(Bytes m, Millis) override {
    link_.command({"XADD", requests_, "*", "d", std::string_view(reinterpret_cast<const char*>(m.data()), m.size())});
    awaited_.push_back(false);
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override {
    if (!reading_) {
      link_.command({"XREAD", "COUNT", "1", "BLOCK", block_ms(timeout), "STREAMS", replies_, last_});
      awaited_.push_back(true);
      reading_ = true;
    }
    const auto deadline = SteadyClock::now() + timeout;
    while (reading_) {
      Reply r = link_.next(std::max(Millis(0), std::chrono::ceil<Millis>(deadline - SteadyClock::now())));
      if (!r) return false;
      const bool read = awaited_.front();
      awaited_.pop_front();
      if (!read) {
        if (!is_bulk(r.get())) link_.unexpected("XADD " + requests_, r.get());
        continue;
      }
      reading_ = false;
      entries_.clear();
      if (!entries_of(link_, r.get(), entries_)) return false;
      last_.assign(entries_.front().first);
      const auto* data = reinterpret_cast<const std::byte*>(entries_.front().second.data());
      out.assign(data, data + entries_.front().second.size());
      return true;
    }
    return false;
  }

 private:
  Link link_;
  std::string requests_, replies_;
  std::string last_ = "0-0";  // the last reply read: XREAD returns the entries after it
  std::deque<bool> awaited_;  // true: an XREAD, false: an XADD
  bool reading_ = false;
  std::vector<std::pair<std::string_view, std::string_view>> entries_;
};

class StreamReplier final : public Replier {
 public:
  StreamReplier(const Endpoint& e, std::string requests, std::string replies)
      : link_(e), requests_(std::move(requests)), replies_(std::move(replies)) {
    create_group(link_, requests_);
  }
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override {
    if (!reading_) {
      link_.command({"XREADGROUP", "GROUP", kGroup, "replier", "COUNT", "1", "BLOCK", block_ms(timeout), "STREAMS",
                     requests_, ">"});
      awaited_.push_back(Awaited::read);
      reading_ = true;
    }
    const auto deadline = SteadyClock::now() + timeout;
    while (reading_) {
      Reply r = link_.next(std::max(Millis(0), std::chrono::ceil<Millis>(deadline - SteadyClock::now())));
      if (!r) return false;
      const Awaited what = awaited_.front();
      awaited_.pop_front();
      if (what == Awaited::add) {
        if (!is_bulk(r.get())) link_.unexpected("XADD " + replies_, r.get());
      } else if (what == Awaited::ack) {
        if (r->type != REDIS_REPLY_INTEGER || r->integer != 1) link_.unexpected("XACK " + requests_, r.get());
      } else {
        reading_ = false;
        entries_.clear();
        if (!entries_of(link_, r.get(), entries_)) return false;
        request_.assign(entries_.front().first);
        const auto* data = reinterpret_cast<const std::byte*>(entries_.front().second.data());
        out.assign(data, data + entries_.front().second.size());
        return true;
      }
    }
    return false;
  }
  // The reply first (the requester is waiting for it), then the request's acknowledgement.
  void reply(Bytes m) override {
    link_.command({"XADD", replies_, "*", "d", std::string_view(reinterpret_cast<const char*>(m.data()), m.size())});
    awaited_.push_back(Awaited::add);
    link_.command({"XACK", requests_, kGroup, request_});
    awaited_.push_back(Awaited::ack);
  }

 private:
  enum class Awaited { add, ack, read };
  Link link_;
  std::string requests_, replies_, request_;
  std::deque<Awaited> awaited_;
  bool reading_ = false;
  std::vector<std::pair<std::string_view, std::string_view>> entries_;
};

// --- Pub/Sub --------------------------------------------------------------------

class Publisher final : public PipelinedProducer {
 public:
  Publisher(const Endpoint& e, std::string channel) : PipelinedProducer(e), channel_(std::move(channel)) {}

 private:
  void append(std::string_view m) override { link_.command({"PUBLISH", channel_, m}); }
  void check(const redisReply* r) override {  // the number of subscribers it reached
    if (r->type != REDIS_REPLY_INTEGER) link_.unexpected("PUBLISH " + channel_, r);
  }
  std::string channel_;
};

// A subscribed connection; returns once Redis has confirmed the subscription.
class Subscription {
 public:
  Subscription(const Endpoint& e, const std::string& channel) : link_(e) {
    link_.command({"SUBSCRIBE", channel});
    Reply r = link_.must_answer(kSetUp, "SUBSCRIBE");
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || !is_bulk(r->element[0]) ||
        text(r->element[0]) != "subscribe")
      link_.unexpected("SUBSCRIBE " + channel, r.get());
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) {
    Reply r = link_.next(timeout);
    if (!r) return false;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 || !is_bulk(r->element[0]) ||
        text(r->element[0]) != "message" || !is_bulk(r->element[2]))
      link_.unexpected("a subscribed connection's message", r.get());
    const auto* data = reinterpret_cast<const std::byte*>(r->element[2]->str);
    out.assign(data, data + r->element[2]->len);
    return true;
  }

 private:
  Link link_;
};

class Subscriber final : public Consumer {
 public:
  Subscriber(const Endpoint& e, const std::string& channel, Place = {}) : s_(e, channel) {}
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }

 private:
  Subscription s_;
};

// A publishing connection whose PUBLISH replies are taken when they are there, never waited for.
class Announcer {
 public:
  Announcer(const Endpoint& e, std::string channel) : link_(e), channel_(std::move(channel)) {}
  void publish(Bytes m) {
    while (in_flight_ > 0) {
      Reply r = link_.next(Millis(0));
      if (!r) break;
      --in_flight_;
      if (r->type != REDIS_REPLY_INTEGER) link_.unexpected("PUBLISH " + channel_, r.get());
    }
    link_.command({"PUBLISH", channel_, std::string_view(reinterpret_cast<const char*>(m.data()), m.size())});
    ++in_flight_;
  }

 private:
  Link link_;
  std::string channel_;
  std::size_t in_flight_ = 0;
};

class PubSubRequester final : public Requester {
 public:
  PubSubRequester(const Endpoint& e, const std::string& requests, const std::string& replies)
      : replies_(e, replies), requests_(e, requests) {}
  bool send_request(Bytes m, Millis) override {
    requests_.publish(m);
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return replies_.receive(out, timeout); }

 private:
  Subscription replies_;
  Announcer requests_;
};

class PubSubReplier final : public Replier {
 public:
  PubSubReplier(const Endpoint& e, const std::string& requests, const std::string& replies)
      : requests_(e, requests), replies_(e, replies) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return requests_.receive(out, timeout); }
  void reply(Bytes m) override { replies_.publish(m); }

 private:
  Subscription requests_;
  Announcer replies_;
};

// --- sessions -------------------------------------------------------------------

// Keys and channels of one row: hotbench:<pid>:<row>:<what>.
std::string row_prefix() {
  static std::atomic<int> rows{0};
  return "hotbench:" + std::to_string(::getpid()) + ":" + std::to_string(rows.fetch_add(1)) + ":";
}

// One row's session: its consumers, producers, replier, requester and (Pub/Sub) subscribers on the row's keys.
template <class TheConsumer, class TheProducer, class TheReplier, class TheRequester, bool kPubSub>
class RedisSession final : public Session {
 public:
  explicit RedisSession(const Endpoint& e) : e_(e), prefix_(row_prefix()) {}
  // On a user's server: the row's keys (its streams and their groups) go with it. Best effort: a
  // server that went away has nothing to delete, and a destructor has nobody to tell.
  ~RedisSession() override {
    if (!e_.users_server || kPubSub) return;
    try {
      Link link(e_);
      link.command({"DEL", prefix_ + "messages", prefix_ + "requests", prefix_ + "replies"});
      link.must_answer(kSetUp, "DEL");
    } catch (const std::exception&) {
    }
  }
  std::unique_ptr<Consumer> consumer() override {
    const int index = consumers_->fetch_add(1);
    try {
      return std::make_unique<TheConsumer>(e_, prefix_ + "messages", Place{index, consumers_});
    } catch (...) {  // not opened (a restarting server refuses): the number is free again
      consumers_->fetch_sub(1);
      throw;
    }
  }
  std::unique_ptr<Producer> producer() override { return std::make_unique<TheProducer>(e_, prefix_ + "messages"); }
  std::unique_ptr<Replier> replier() override {
    return std::make_unique<TheReplier>(e_, prefix_ + "requests", prefix_ + "replies");
  }
  std::unique_ptr<Requester> requester() override {
    return std::make_unique<TheRequester>(e_, prefix_ + "requests", prefix_ + "replies");
  }
  // Pub/Sub: a subscribed connection. Streams: a consumer group of its own on the row's stream (every group
  // gets every entry), read and acknowledged as a work queue's consumer reads its group.
  std::unique_ptr<Consumer> subscriber() override {
    if constexpr (kPubSub) {
      return std::make_unique<Subscriber>(e_, prefix_ + "messages");
    } else {
      const std::string group = "subscriber-" + std::to_string(subscribers_++);
      return std::make_unique<TheConsumer>(e_, prefix_ + "messages",
                                           Place{0, std::make_shared<std::atomic<int>>(1), group, true});
    }
  }

 private:
  Endpoint e_;
  std::string prefix_;
  std::shared_ptr<std::atomic<int>> consumers_ = std::make_shared<std::atomic<int>>(0);
  int subscribers_ = 0;  // fan_out: each one's group is subscriber-<n>
};
using StreamSession = RedisSession<StreamConsumer, StreamProducer, StreamReplier, StreamRequester, false>;
using PubSubSession = RedisSession<Subscriber, Publisher, PubSubReplier, PubSubRequester, true>;

ServerSpec redis_spec(Transport) { return redis_server_spec(); }

// Persisted: every write command goes to the append-only file, which is written and fsynced before
// the reply is sent (appendfsync always), so an acknowledged XADD survives a killed server and a
// power cut alike. everysec would survive a SIGKILL too as long as Redis writes the file before
// replying, but Redis 7.0 postpones that write for up to 2 s while a background fsync is slow
// ("Asynchronous AOF fsync is taking too long"), and a kill then loses acknowledged entries: the
// at-least-once promise here is the one that holds without such a window.
ServerSpec redis_aof_spec(Transport) { return redis_server_spec("appendonly yes\nappendfsync always\n"); }
// The append-only file's default fsync: written before the reply, fsynced once a second by a
// background thread. A SIGKILL leaves what was written in the page cache, so the file is whole
// unless the write itself was postponed (a slow fsync, above); an OS crash or power cut loses up to
// the last second. The fault rows measure the first case only.
ServerSpec redis_aof_everysec_spec(Transport) { return redis_server_spec("appendonly yes\nappendfsync everysec\n"); }

}  // namespace
}  // namespace hotbench::messaging

HOTBENCH_REGISTER(redis_messaging) {
  using namespace hotbench::messaging;
  // tcp first: the transport of the default run's rows (DefaultRows::sample), the one NATS and MQTT share.
  const std::vector<Transport> transports = {Transport::tcp, Transport::ipc};
  add_system({.name = "redis:streams",
              .promise = {Guarantee::at_least_once, true},
              .transports = transports,
              // consumer_fault: a consumer end made after a killed one takes its name and reads its pending entries.
              .tasks = {Task::throughput, Task::ping_pong, Task::fan_out, Task::consumer_fault},
              .server = redis_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<StreamSession>(e); },
              .notes = "hiredis 0.14, non-blocking, up to 128 XADDs in flight; consumer group, XREADGROUP COUNT 256, "
                       "XACK of what was handed on and XTRIM MINID ~ below it with the next read (several consumers "
                       "in the group: XDEL of what each acknowledged instead); fan_out: a consumer group per "
                       "subscriber on one stream, XACK, nothing deleted",
              .default_rows = DefaultRows::sample,
              .competing_consumers = true});
  add_system({.name = "redis:streams_aof",
              .promise = {Guarantee::at_least_once, true},
              // tcp only: over the Unix socket it is the same code waiting for the same fsyncs.
              .transports = {Transport::tcp},
              // No ping_pong: each hop waits for an fsync (p50 ~12 ms here, 300 round trips a 3.5 s batch),
              // a figure of the disk, which the throughput rows show as well.
              .tasks = {Task::throughput, Task::fault},
              .server = redis_aof_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<StreamSession>(e); },
              .notes = "redis:streams with the append-only file on (appendonly yes, appendfsync always: written and "
                       "fsynced before each reply)",
              .default_rows = DefaultRows::sample,
              // ~9k messages/s at 64 B (an fsync per pipelined window): an eighth of the batch, ~0.1 s.
              .batch_scale = 0.125,
              .acks_survive_kill = true});
  add_system({.name = "redis:streams_aof_everysec",
              .promise = {Guarantee::at_least_once, true},
              .transports = {Transport::tcp},
              // The fault task only: its throughput rows would be redis:streams_aof's code and a test's
              // seconds under ASan for a figure between the in-memory and the always rows.
              .tasks = {Task::fault},
              .server = redis_aof_everysec_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<StreamSession>(e); },
              .notes = "redis:streams with the append-only file on, Redis's default fsync (appendonly yes, appendfsync "
                       "everysec: written before each reply, fsynced once a second)",
              // Beside redis:streams_aof's fault rows; not in the default or quick run.
              .default_rows = DefaultRows::none});
  add_system({.name = "redis:pubsub",
              .promise = {Guarantee::at_most_once, true},
              .transports = transports,
              .tasks = {Task::throughput, Task::ping_pong, Task::fan_out},
              .server = redis_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<PubSubSession>(e); },
              .notes = "hiredis 0.14, non-blocking, up to 128 PUBLISHes in flight; ping_pong ends hold a subscribed "
                       "and a publishing connection",
              .default_rows = DefaultRows::sample});
}
