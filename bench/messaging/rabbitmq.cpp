// RabbitMQ 3.10 (AMQP 0-9-1): Debian's rabbitmq-server, started for each row,
// through the C client rabbitmq-c 0.11 (librabbitmq-dev):
//   rabbitmq:transient  a non-durable fanout exchange and non-durable classic
//                       queues, non-persistent messages (delivery mode 1);
//   rabbitmq:durable    durable exchange and classic queues, persistent
//                       messages (delivery mode 2).
// Both publish with publisher confirms and consume with manual acknowledgements,
// so both promise at least once while the broker runs; only the durable
// variant keeps its messages across a broker restart (the fault task: a
// message is confirmed once a durable queue has it on disk, fsynced).
//
//   throughput: a fanout exchange per row, one queue bound to it that the
//               consumers share (competing consumers: the broker hands each
//               message to one of them, at most kPrefetch unacknowledged per
//               consumer); the producer publishes to the exchange in confirm
//               mode with at most kPending messages awaiting their confirm
//               (basic.ack from the broker), and its flush waits for all of them;
//               a basic.nack fails the row, and so does a message no queue took
//               (published as mandatory, so the broker returns it instead of
//               confirming a message it dropped). A consumer acknowledges what it has
//               handed on (basic.ack, multiple) every kAckEvery messages and
//               whenever it is about to wait for the next one.
//   fan_out:    the same exchange, a queue of its own per subscriber bound to it
//               (each gets every message).
//   ping_pong:  a request queue and a reply queue, published to through the
//               default exchange without confirms and consumed with automatic
//               acknowledgement: the reply is the confirmation.
// Each end has its own connection (one channel), as separate processes would:
// rabbitmq-c has no thread safety. No heartbeats; a broker that goes away ends
// the row at once (the socket's error), never a reconnection.
//
// How the broker is started (rabbitmq_spec): Debian's start script
// (/usr/lib/rabbitmq/bin/rabbitmq-server, run as the benchmark's user: the
// /usr/sbin wrapper would change to the rabbitmq user, which clears the
// PR_SET_PDEATHSIG that kills the broker with the benchmark) with every folder
// and file in the row's private folder (node data, logs, the Erlang cookie
// through HOME, the config; no enabled-plugins file: no plugins, the
// management plugin among them; no rabbitmq-env.conf or advanced.config of
// the system's), and RABBITMQ_ALLOW_INPUT, with which the script execs the
// Erlang VM instead of waiting for it as a child: the VM is the process the
// harness started, so its SIGKILL (a fault row, a killed benchmark) ends the
// broker itself. Its Erlang distribution needs no epmd, so none is started and
// none is left behind: the node is named on the command line (-sname, which
// makes RabbitMQ skip its own epmd checks), with -start_epmd false,
// -dist_listen false (no distribution port at all: nothing but the AMQP
// listener on 127.0.0.1) and -erl_epmd_port set to the AMQP port (Erlang then
// answers "which port is this node on" without asking an epmd, which RabbitMQ
// does at start-up); ERL_ZFLAGS gives -start_epmd false and -dist_listen false
// to the "epmd-starter" Erlang node that RabbitMQ's epmd monitor starts every
// 60 s as well. A start takes 5-7 CPU-seconds of the Erlang VM (8-20 s here
// while other builds run): docs/messaging.md says which rows run it.
#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "contract.h"

namespace hotbench::messaging {
namespace {

constexpr Millis kSetUp{5000};              // connecting, logging in, declaring (each RPC)
constexpr std::uint64_t kPending = 256;     // published messages awaiting their confirm
constexpr std::uint16_t kPrefetch = 256;    // delivered, unacknowledged messages per consumer
constexpr std::uint64_t kAckEvery = 32;     // a consumer acknowledges at least this often
constexpr amqp_channel_t kChannel = 1;

timeval to_timeval(Millis m) {
  const auto ms = std::max<Millis::rep>(0, m.count());
  return {static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
}

std::string text_of(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

// The method of a frame that closes the channel or the connection, in words; empty for any other.
std::string closed_by(const amqp_method_t& m) {
  if (m.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* c = static_cast<const amqp_connection_close_t*>(m.decoded);
    return "the broker closed the connection: " + std::to_string(c->reply_code) + " " + text_of(c->reply_text);
  }
  if (m.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* c = static_cast<const amqp_channel_close_t*>(m.decoded);
    return "the broker closed the channel: " + std::to_string(c->reply_code) + " " + text_of(c->reply_text);
  }
  return "";
}

std::string describe(const amqp_rpc_reply_t& r) {
  switch (r.reply_type) {
    case AMQP_RESPONSE_NORMAL: return "ok";
    case AMQP_RESPONSE_NONE: return "no reply";
    case AMQP_RESPONSE_LIBRARY_EXCEPTION: return amqp_error_string2(r.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION: {
      const std::string closed = closed_by(r.reply);
      return closed.empty() ? "unexpected method " + std::to_string(r.reply.id) : closed;
    }
  }
  return "unknown reply";
}

// One AMQP connection with one channel open. Not thread-safe (rabbitmq-c is not): one end, one thread.
class Connection {
 public:
  explicit Connection(const Endpoint& e) : c_(amqp_new_connection()), where_(e.host + ":" + std::to_string(e.port)) {
    if (!c_) throw MessagingError("rabbitmq: amqp_new_connection failed");
    amqp_socket_t* socket = amqp_tcp_socket_new(c_.get());
    if (!socket) throw MessagingError("rabbitmq: amqp_tcp_socket_new failed");
    timeval tv = to_timeval(kSetUp);
    const int rc = amqp_socket_open_noblock(socket, e.host.c_str(), e.port, &tv);
    if (rc != AMQP_STATUS_OK) {
      const int error = errno;
      throw MessagingError("rabbitmq: connect to " + where_ + ": " + amqp_error_string2(rc) +
                           (rc == AMQP_STATUS_SOCKET_ERROR ? std::string(" (") + std::strerror(error) + ")" : ""));
    }
    opened_ = true;
    amqp_set_rpc_timeout(c_.get(), &tv);
    amqp_set_handshake_timeout(c_.get(), &tv);
    check(amqp_login(c_.get(), "/", 0, AMQP_DEFAULT_FRAME_SIZE, 0, AMQP_SASL_METHOD_PLAIN, "guest", "guest"),
          "log in to " + where_);
    amqp_channel_open(c_.get(), kChannel);
    check(amqp_get_rpc_reply(c_.get()), "open a channel");
  }
  // A connection still healthy is closed (the broker then drops its consumers at once); one that
  // failed is only freed: its socket is gone or out of step.
  ~Connection() {
    if (opened_ && !broken_) amqp_connection_close(c_.get(), AMQP_REPLY_SUCCESS);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  amqp_connection_state_t get() const { return c_.get(); }

  [[noreturn]] void fail(const std::string& what, const std::string& why) {
    broken_ = true;
    throw MessagingError("rabbitmq: " + what + ": " + why);
  }
  void check(const amqp_rpc_reply_t& r, const std::string& what) {
    if (r.reply_type != AMQP_RESPONSE_NORMAL) fail(what, describe(r));
  }
  void check(int status, const std::string& what) {
    if (status != AMQP_STATUS_OK) fail(what, amqp_error_string2(status));
  }
  // After a synchronous method (declare, bind, qos, consume, confirm.select).
  void check_rpc(const std::string& what) { check(amqp_get_rpc_reply(c_.get()), what); }

  void declare_exchange(const std::string& name, bool durable) {
    amqp_exchange_declare(c_.get(), kChannel, amqp_cstring_bytes(name.c_str()), amqp_cstring_bytes("fanout"), 0,
                          durable, 0, 0, amqp_empty_table);
    check_rpc("declare exchange " + name);
  }
  // A named queue (not exclusive, not auto-deleted), bound to the exchange when one is given.
  void declare_queue(const std::string& name, bool durable, const std::string& exchange) {
    amqp_queue_declare(c_.get(), kChannel, amqp_cstring_bytes(name.c_str()), 0, durable, 0, 0, amqp_empty_table);
    check_rpc("declare queue " + name);
    if (exchange.empty()) return;
    amqp_queue_bind(c_.get(), kChannel, amqp_cstring_bytes(name.c_str()), amqp_cstring_bytes(exchange.c_str()),
                    amqp_empty_bytes, amqp_empty_table);
    check_rpc("bind queue " + name + " to " + exchange);
  }
  // mandatory: the broker returns (basic.return) a message that no queue took, instead of dropping
  // it and confirming it all the same.
  void publish(const std::string& exchange, const std::string& routing_key, bool persistent, Bytes m,
               bool mandatory = false) {
    amqp_basic_properties_t p{};
    p._flags = AMQP_BASIC_DELIVERY_MODE_FLAG;
    p.delivery_mode = persistent ? 2 : 1;
    amqp_bytes_t body{m.size(), const_cast<std::byte*>(m.data())};
    check(amqp_basic_publish(c_.get(), kChannel, amqp_cstring_bytes(exchange.c_str()),
                             amqp_cstring_bytes(routing_key.c_str()), mandatory, 0, &p, body),
          "publish");
  }

 private:
  struct Destroy {
    void operator()(amqp_connection_state_t c) const { amqp_destroy_connection(c); }
  };
  std::unique_ptr<amqp_connection_state_t_, Destroy> c_;
  std::string where_;
  bool opened_ = false, broken_ = false;
};

// Publishes in confirm mode: at most kPending messages await their basic.ack.
class RabbitProducer final : public Producer {
 public:
  RabbitProducer(const Endpoint& e, std::string exchange, bool persistent)
      : c_(e), exchange_(std::move(exchange)), persistent_(persistent) {
    amqp_confirm_select(c_.get(), kChannel);
    c_.check_rpc("confirm.select");
  }
  bool send(Bytes m, Millis timeout) override {
    if (published_ - confirmed_ >= kPending) {
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      while (published_ - confirmed_ >= kPending)
        if (!read_confirm(remaining(deadline))) return false;
    }
    c_.publish(exchange_, "", persistent_, m, /*mandatory=*/true);
    ++published_;  // its delivery tag (the broker numbers a channel's publishes from 1)
    return true;
  }
  void flush(Millis timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (confirmed_ < published_)
      if (!read_confirm(remaining(deadline)) && std::chrono::steady_clock::now() >= deadline)
        throw MessagingError("rabbitmq: " + std::to_string(published_ - confirmed_) + " publishes still unconfirmed " +
                             std::to_string(timeout.count()) + " ms after the last one");
  }

 private:
  static Millis remaining(std::chrono::steady_clock::time_point deadline) {
    return std::max(Millis(0), std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now()));
  }
  // One frame from the broker within `timeout`: false when none came.
  bool read_confirm(Millis timeout) {
    amqp_frame_t f;
    timeval tv = to_timeval(timeout);
    const int rc = amqp_simple_wait_frame_noblock(c_.get(), &f, &tv);
    if (rc == AMQP_STATUS_TIMEOUT) return false;
    c_.check(rc, "waiting for publisher confirms");
    if (f.frame_type != AMQP_FRAME_METHOD) return true;
    const amqp_method_t& m = f.payload.method;
    if (m.id == AMQP_BASIC_ACK_METHOD) {
      const auto* a = static_cast<const amqp_basic_ack_t*>(m.decoded);
      confirm(a->delivery_tag, a->multiple);
    } else if (m.id == AMQP_BASIC_RETURN_METHOD) {
      // Its confirm follows, but no queue has it: before a consumer declared the row's queue (the
      // fault task makes its ends concurrently), or after a restart lost a non-durable queue.
      amqp_message_t returned;
      c_.check(amqp_read_message(c_.get(), kChannel, &returned, 0), "reading a returned message");
      amqp_destroy_message(&returned);
      c_.fail("publish", "the broker returned a message that no queue took (basic.return)");
    } else if (m.id == AMQP_BASIC_NACK_METHOD) {
      const auto* n = static_cast<const amqp_basic_nack_t*>(m.decoded);
      c_.fail("publish", "the broker refused message " + std::to_string(n->delivery_tag) + " (basic.nack)");
    } else {
      const std::string closed = closed_by(m);
      c_.fail("waiting for publisher confirms",
              closed.empty() ? "unexpected method " + std::to_string(m.id) : closed);
    }
    return true;
  }
  // Confirms may come one by one and out of order: confirmed_ is the contiguous prefix.
  void confirm(std::uint64_t tag, bool multiple) {
    if (multiple) confirmed_ = std::max(confirmed_, tag);
    else if (tag > confirmed_) beyond_.insert(tag);
    while (!beyond_.empty() && *beyond_.begin() <= confirmed_ + 1) {
      confirmed_ = std::max(confirmed_, *beyond_.begin());
      beyond_.erase(beyond_.begin());
    }
  }

  Connection c_;
  std::string exchange_;
  bool persistent_;
  std::uint64_t published_ = 0, confirmed_ = 0;
  std::set<std::uint64_t> beyond_;  // confirmed tags above confirmed_ + 1
};

// Consumes a queue on its own connection: manual acknowledgement (multiple, of what was handed on)
// or automatic (the ping_pong ends).
class Reader {
 public:
  Reader(const Endpoint& e, const std::string& queue, bool durable, const std::string& exchange, bool manual_ack)
      : c_(e), manual_ack_(manual_ack) {
    c_.declare_queue(queue, durable, exchange);
    if (manual_ack_) {
      amqp_basic_qos(c_.get(), kChannel, 0, kPrefetch, 0);
      c_.check_rpc("basic.qos");
    }
    amqp_basic_consume(c_.get(), kChannel, amqp_cstring_bytes(queue.c_str()), amqp_empty_bytes, 0, !manual_ack_, 0,
                       amqp_empty_table);
    c_.check_rpc("consume " + queue);
  }

  bool next(std::vector<std::byte>& out, Millis timeout) {
    if (unacked_ >= kAckEvery || (unacked_ > 0 && !amqp_data_in_buffer(c_.get()) && !amqp_frames_enqueued(c_.get())))
      acknowledge();
    amqp_maybe_release_buffers(c_.get());
    amqp_envelope_t envelope;
    timeval tv = to_timeval(timeout);
    const amqp_rpc_reply_t r = amqp_consume_message(c_.get(), &envelope, &tv, 0);
    if (r.reply_type == AMQP_RESPONSE_NORMAL) {
      const auto* body = static_cast<const std::byte*>(envelope.message.body.bytes);
      out.assign(body, body + envelope.message.body.len);
      last_tag_ = envelope.delivery_tag;
      if (manual_ack_) ++unacked_;
      amqp_destroy_envelope(&envelope);
      return true;
    }
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) return false;
    if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
      // A frame other than a delivery: the broker closing the channel or connection, or cancelling us.
      amqp_frame_t f;
      c_.check(amqp_simple_wait_frame(c_.get(), &f), "reading a frame");
      if (f.frame_type == AMQP_FRAME_METHOD) {
        const std::string closed = closed_by(f.payload.method);
        c_.fail("consume", closed.empty() ? "unexpected method " + std::to_string(f.payload.method.id) : closed);
      }
      return false;
    }
    c_.check(r, "consume");
    return false;
  }
  // Every message handed on so far (basic.ack, multiple).
  void acknowledge() {
    if (unacked_ == 0) return;
    c_.check(amqp_basic_ack(c_.get(), kChannel, last_tag_, 1), "acknowledge");
    unacked_ = 0;
  }
  Connection& connection() { return c_; }

 private:
  Connection c_;
  bool manual_ack_;
  std::uint64_t last_tag_ = 0, unacked_ = 0;
};

class RabbitConsumer final : public Consumer {
 public:
  RabbitConsumer(const Endpoint& e, const std::string& queue, bool durable, const std::string& exchange)
      : r_(e, queue, durable, exchange, true) {}
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return r_.next(out, timeout); }

 private:
  Reader r_;
};

class RabbitRequester final : public Requester {
 public:
  RabbitRequester(const Endpoint& e, const std::string& requests, const std::string& replies, bool durable)
      : replies_(e, replies, durable, "", false), requests_(requests), durable_(durable) {}
  bool send_request(Bytes m, Millis) override {
    replies_.connection().publish("", requests_, durable_, m);
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return replies_.next(out, timeout); }

 private:
  Reader replies_;
  std::string requests_;
  bool durable_;
};

class RabbitReplier final : public Replier {
 public:
  RabbitReplier(const Endpoint& e, const std::string& requests, const std::string& replies, bool durable)
      : requests_(e, requests, durable, "", false), replies_(replies), durable_(durable) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return requests_.next(out, timeout); }
  void reply(Bytes m) override { requests_.connection().publish("", replies_, durable_, m); }

 private:
  Reader requests_;
  std::string replies_;
  bool durable_;
};

// A row's exchange and queues, declared by the ends that use them (a queue is declared only by its
// consumers, so a fan_out row has no work queue that nobody reads); declaring again what exists
// (an end made after a broker restart) is a no-op.
class RabbitSession final : public Session {
 public:
  RabbitSession(const Endpoint& e, bool durable) : e_(e), durable_(durable) {
    static std::atomic<int> rows{0};
    base_ = "hotbench." + std::to_string(::getpid()) + "." + std::to_string(rows.fetch_add(1));
    Connection admin(e);
    admin.declare_exchange(base_, durable_);
  }
  std::unique_ptr<Consumer> consumer() override {
    return std::make_unique<RabbitConsumer>(e_, base_ + ".work", durable_, base_);
  }
  std::unique_ptr<Consumer> subscriber() override {
    return std::make_unique<RabbitConsumer>(e_, base_ + ".subscriber." + std::to_string(subscribers_++), durable_,
                                            base_);
  }
  std::unique_ptr<Producer> producer() override { return std::make_unique<RabbitProducer>(e_, base_, durable_); }
  std::unique_ptr<Replier> replier() override {
    return std::make_unique<RabbitReplier>(e_, base_ + ".requests", base_ + ".replies", durable_);
  }
  std::unique_ptr<Requester> requester() override {
    return std::make_unique<RabbitRequester>(e_, base_ + ".requests", base_ + ".replies", durable_);
  }

 private:
  Endpoint e_;
  bool durable_;
  std::string base_;
  int subscribers_ = 0;
};

ServerSpec rabbitmq_spec(Transport) {
  ServerSpec s;
  s.name = "rabbitmq-server";
  s.package = "rabbitmq-server";
  s.argv = {"/usr/lib/rabbitmq/bin/rabbitmq-server"};
  s.config_name = "rabbitmq.config";  // the classic Erlang-term format: no cuttlefish translation at start-up
  s.config_text = "[{rabbit, [{tcp_listeners, [{\"127.0.0.1\", {port}}]},\n"
                  "           {log, [{console, [{level, warning}]}]}]}].\n";
  const std::string node = "hotbench{port}@localhost";
  s.env = {{"HOME", "{dir}"},  // the Erlang cookie
           {"RABBITMQ_NODENAME", node},
           {"RABBITMQ_CONFIG_FILE", "{config}"},
           {"RABBITMQ_MNESIA_BASE", "{dir}/mnesia"},
           {"RABBITMQ_LOG_BASE", "{dir}/log"},
           {"RABBITMQ_LOGS", "-"},  // to standard output: the server's log in its folder
           {"RABBITMQ_ENABLED_PLUGINS_FILE", "{dir}/enabled_plugins"},  // never written: no plugins
           {"RABBITMQ_CONF_ENV_FILE", "{dir}/rabbitmq-env.conf"},      // never written
           {"RABBITMQ_ADVANCED_CONFIG_FILE", "{dir}/advanced.config"},  // never written
           {"RABBITMQ_ALLOW_INPUT", "true"},  // the script execs the VM (the Erlang shell stays off: -noinput)
           {"RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS",
            "-noinput -sname " + node + " -start_epmd false -dist_listen false -erl_epmd_port {port}"},
           {"ERL_ZFLAGS", "-start_epmd false -dist_listen false"},
           {"ERL_CRASH_DUMP", "{dir}/erl_crash.dump"}};
  // Measured here: 8-20 s while other builds run (5-7 CPU-seconds of the VM).
  s.start_deadline = std::chrono::seconds(90);
  // Its folder is deleted right after: a clean shutdown (~1.3 s here) would keep nothing.
  s.stop_signal = SIGKILL;
  return s;
}

}  // namespace
}  // namespace hotbench::messaging

HOTBENCH_REGISTER(rabbitmq) {
  using namespace hotbench::messaging;
  const std::string common =
      "rabbitmq-server 3.10 started per row from /usr/lib/rabbitmq/bin/rabbitmq-server, everything in the row's "
      "folder, AMQP on 127.0.0.1 only, no plugins, no epmd (-sname, -start_epmd false, -dist_listen false); "
      "rabbitmq-c 0.11, one connection per end, no heartbeats; a fanout exchange per row, one classic queue shared "
      "by the consumers (fan_out: one per subscriber); publisher confirms (at most 256 awaiting), manual "
      "consumer acknowledgements (multiple, every 32 messages or before waiting; prefetch 256); ping_pong: default "
      "exchange, no confirms, automatic acknowledgement";
  for (const bool durable : {false, true})
    add_system({.name = durable ? "rabbitmq:durable" : "rabbitmq:transient",
                .promise = {Guarantee::at_least_once, true},
                .transports = {Transport::tcp},
                .tasks = durable ? std::vector<Task>{Task::throughput, Task::ping_pong, Task::fan_out, Task::fault}
                                 : std::vector<Task>{Task::throughput, Task::ping_pong, Task::fan_out},
                .server = rabbitmq_spec,
                .open = [durable](const Endpoint& e) -> std::unique_ptr<Session> {
                  return std::make_unique<RabbitSession>(e, durable);
                },
                .notes = common + (durable ? "; durable exchange and queues, persistent messages (delivery mode 2)"
                                           : "; non-durable exchange and queues, non-persistent messages"),
                // A broker start costs 5-7 CPU-seconds: no room in the default run.
                .default_rows = DefaultRows::none,
                // 8-15k messages/s at 64 B here: a quarter of the suite's batch keeps a timed run near 0.2 s.
                .batch_scale = 0.25,
                .competing_consumers = true,
                // A persistent message routed to a durable queue is confirmed once it is on disk.
                .acks_survive_kill = durable,
                .costly_server = true});
}
