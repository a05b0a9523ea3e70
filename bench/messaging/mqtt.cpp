// MQTT 3.1.1: Debian's mosquitto 2.0 broker, started for each row, through
// libmosquitto 2.0 (libmosquitto-dev):
//   mqtt:qos0  publish and subscribe at QoS 0: at most once;
//   mqtt:qos1  at QoS 1 (PUBLISH acknowledged by PUBACK on each hop, resent
//              until then): at least once;
//   mqtt:qos2  at QoS 2 (PUBLISH, PUBREC, PUBREL, PUBCOMP on each hop: the
//              receiver keeps the packet id until PUBREL, so a resent
//              PUBLISH is not delivered twice): exactly once.
// throughput: publishing clients and consumers on one topic per row, each
// consumer a member of the row's shared subscription ($share/hotbench/<topic>:
// the broker hands each message to one member, a work queue; mosquitto 2.0
// takes the $share/ form from MQTT 3.1.1 clients too, MQTT 5 only standardised
// it); fan_out: several clients with a plain subscription each, every one to
// get every message; ping_pong: each end subscribes to its own topic and
// publishes on the other's. Each publisher's order to a subscriber is kept (one
// connection, MQTT 3.1.1 §4.6, with the broker's in-flight window of 20
// messages per client); a shared subscription's member gets its share of a
// publisher's messages in that order.
//
// Each end is its own client (clean session, random id), driven by
// mosquitto_loop() from the end's own thread with the caller's timeout (no
// library thread, no reconnection: a broker that goes away fails the row).
// Client defaults (keepalive 60 s, 20 QoS 1 messages in flight, the rest
// queued in the client) except TCP_NODELAY, which the NATS, ZeroMQ and Redis
// clients and the socket floor set as well; without it a replier's PUBACK and
// reply wait for each other (Nagle's algorithm and delayed acknowledgements).
// A producer keeps at most kWindow messages that the library has not finished
// with (QoS 0: written to the socket; QoS 1: acknowledged by the broker; QoS 2:
// completed, PUBCOMP).
// libmosquitto acknowledges a QoS 1 message it receives before it hands it to
// the application: the at-least-once promise holds between the broker and the
// client library. A QoS 2 message it hands on once, when PUBREL comes (lib/
// handle_pubrel.c: only the call that removes it from the incoming queue).
//
// The broker's configuration (mosquitto_spec): a listener on 127.0.0.1 only,
// anonymous clients, no persistence, TCP_NODELAY on its sockets, and no bound on
// the messages it queues for a subscriber that has not taken them yet
// (max_queued_messages 0): its default of 1000 silently drops the rest, QoS 1
// messages too, which is not the at-least-once promise these rows hold it to.
// As root, it stays root (user root): dropping to the mosquitto user would
// clear the PR_SET_PDEATHSIG that kills it with a killed benchmark.
#include <mosquitto.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "contract.h"

namespace hotbench::messaging {
namespace {

using SteadyClock = std::chrono::steady_clock;

constexpr Millis kSetUp{5000};       // connecting, subscribing
constexpr std::uint64_t kWindow = 256;  // messages a producer has in flight
constexpr int kKeepAliveS = 60;

std::string why(int rc) {
  return rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : std::string(mosquitto_strerror(rc));
}

// One MQTT client: its connection, and what its callbacks have seen.
class Client {
 public:
  // id empty: a random client id and a clean session; otherwise that id, with a persistent session
  // unless `clean` (clean session off: the broker keeps the client's subscriptions and queues its
  // messages while it is away, and resumes them when a client of that id connects again).
  Client(const Endpoint& e, int qos, const std::string& id = {}, bool clean = false)
      : qos_(qos), where_(e.transport == Transport::ipc ? e.path : e.host + ":" + std::to_string(e.port)) {
    static const int initialised = mosquitto_lib_init();  // once per process; never cleaned up while ends may live
    if (initialised != MOSQ_ERR_SUCCESS) throw MessagingError("mqtt: mosquitto_lib_init: " + why(initialised));
    m_.reset(mosquitto_new(id.empty() ? nullptr : id.c_str(), id.empty() || clean, this));
    if (!m_) throw MessagingError("mqtt: mosquitto_new: " + std::string(std::strerror(errno)));
    if (e.transport == Transport::tcp) mosquitto_int_option(m_.get(), MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(m_.get(), [](mosquitto*, void* self, int rc) {
      static_cast<Client*>(self)->connack_ = rc;
    });
    mosquitto_publish_callback_set(m_.get(), [](mosquitto*, void* self, int) { ++static_cast<Client*>(self)->done_; });
    mosquitto_subscribe_callback_set(m_.get(), [](mosquitto*, void* self, int, int n, const int* granted) {
      static_cast<Client*>(self)->granted_ = n == 1 ? granted[0] : -2;
    });
    mosquitto_message_callback_set(m_.get(), [](mosquitto*, void* self, const mosquitto_message* m) {
      const auto* data = static_cast<const std::byte*>(m->payload);
      static_cast<Client*>(self)->received_.emplace_back(data, data + m->payloadlen);
    });
    // Over the broker's Unix socket: libmosquitto 2.0 connects to a path given with port 0.
    const bool unix_socket = e.transport == Transport::ipc;
    if (const int rc = mosquitto_connect(m_.get(), unix_socket ? e.path.c_str() : e.host.c_str(), unix_socket ? 0 : e.port,
                                         kKeepAliveS);
        rc != MOSQ_ERR_SUCCESS)
      throw MessagingError("mqtt: cannot connect to " + where_ + ": " + why(rc));
    wait_for([this] { return connack_ >= 0; }, "the broker's CONNACK");
    if (connack_ != 0)
      throw MessagingError("mqtt: " + where_ + " refused the connection: " + mosquitto_connack_string(connack_));
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Subscribes at the client's QoS; returns once the broker has granted it.
  void subscribe(const std::string& topic) {
    if (const int rc = mosquitto_subscribe(m_.get(), nullptr, topic.c_str(), qos_); rc != MOSQ_ERR_SUCCESS)
      fail("subscribe " + topic, rc);
    wait_for([this] { return granted_ != -1; }, "the broker's SUBACK");
    if (granted_ != qos_)
      throw MessagingError("mqtt: " + where_ + ": subscribing to " + topic + " at QoS " + std::to_string(qos_) +
                           " was answered with " + std::to_string(granted_));
  }
  void publish(const std::string& topic, Bytes m) {
    const int rc = mosquitto_publish(m_.get(), nullptr, topic.c_str(), static_cast<int>(m.size()), m.data(), qos_, false);
    if (rc != MOSQ_ERR_SUCCESS) fail("publish", rc);
    ++published_;
  }
  // A clean goodbye (DISCONNECT), for a client that is done.
  void disconnect() {
    mosquitto_disconnect(m_.get());
    mosquitto_loop(m_.get(), 10, 1);
  }
  // Messages published whose delivery the library has not finished (QoS 0: written; QoS 1: PUBACK; QoS 2: PUBCOMP).
  std::uint64_t unfinished() const { return published_ - done_; }

  // Runs the library's network loop once: waits up to `timeout` for the socket, then reads, writes and
  // answers what is due.
  void loop(Millis timeout) {
    if (const int rc = mosquitto_loop(m_.get(), static_cast<int>(timeout.count()), 1); rc != MOSQ_ERR_SUCCESS)
      fail("connection", rc);
  }
  // The next message received into out, waiting up to `timeout`.
  bool receive(std::vector<std::byte>& out, Millis timeout) {
    if (received_.empty()) loop(timeout);
    if (received_.empty()) return false;
    out = std::move(received_.front());
    received_.pop_front();
    return true;
  }
  // Loops until `done` or `timeout`; false on timeout.
  template <class Done>
  bool loop_until(Done done, Millis timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!done()) {
      const auto left = std::chrono::ceil<Millis>(deadline - SteadyClock::now());
      if (left.count() <= 0) return false;
      loop(left);
    }
    return true;
  }

 private:
  template <class Done>
  void wait_for(Done done, const std::string& what) {
    if (!loop_until(done, kSetUp))
      throw MessagingError("mqtt: " + where_ + ": no " + what + " within " + std::to_string(kSetUp.count()) + " ms");
  }
  [[noreturn]] void fail(const std::string& what, int rc) const {
    throw MessagingError("mqtt: " + where_ + ": " + what + ": " + why(rc));
  }

  int qos_;
  std::string where_;
  int connack_ = -1;  // the CONNACK's code once it came
  int granted_ = -1;  // the SUBACK's granted QoS once it came (128: refused)
  std::uint64_t published_ = 0, done_ = 0;
  std::deque<std::vector<std::byte>> received_;
  // Last, so destroyed first: no callback of the library can reach the members above once they are gone.
  std::unique_ptr<mosquitto, decltype(&mosquitto_destroy)> m_{nullptr, mosquitto_destroy};
};

class MqttProducer final : public Producer {
 public:
  MqttProducer(const Endpoint& e, int qos, std::string topic) : c_(e, qos), topic_(std::move(topic)) {}
  bool send(Bytes m, Millis timeout) override {
    if (c_.unfinished() >= kWindow && !c_.loop_until([&] { return c_.unfinished() < kWindow; }, timeout)) return false;
    c_.publish(topic_, m);
    // QoS 1 acknowledgements and anything the socket did not take at once are handled by the loop.
    if (c_.unfinished() > 0) c_.loop(Millis(0));
    return true;
  }
  void flush(Millis timeout) override {
    if (!c_.loop_until([&] { return c_.unfinished() == 0; }, timeout))
      throw MessagingError("mqtt: " + std::to_string(c_.unfinished()) + " messages still unacknowledged " +
                           std::to_string(timeout.count()) + " ms after the last send");
  }

 private:
  Client c_;
  std::string topic_;
};

class MqttConsumer final : public Consumer {
 public:
  MqttConsumer(const Endpoint& e, int qos, const std::string& topic, const std::string& id = {}) : c_(e, qos, id) {
    c_.subscribe(topic);
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return c_.receive(out, timeout); }

 private:
  Client c_;
};

// A persistent session's consumer: client id <session>-consumer-<n>, n the lowest number no live
// consumer of the session holds, so that a consumer made after another went away (a killed one,
// the fault rows) resumes its session.
class PersistentConsumer final : public Consumer {
 public:
  PersistentConsumer(const Endpoint& e, int qos, const std::string& topic, const std::string& session,
                     std::shared_ptr<std::vector<bool>> taken)
      : taken_(std::move(taken)), index_(take(*taken_)) {
    try {
      c_ = std::make_unique<MqttConsumer>(e, qos, topic, session + "-consumer-" + std::to_string(index_));
    } catch (...) {
      (*taken_)[index_] = false;
      throw;
    }
  }
  ~PersistentConsumer() override {
    c_.reset();  // no DISCONNECT: the connection closes, the broker keeps the session
    (*taken_)[index_] = false;
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return c_->receive(out, timeout); }

 private:
  static std::size_t take(std::vector<bool>& taken) {
    std::size_t i = 0;
    while (i < taken.size() && taken[i]) ++i;
    if (i == taken.size()) taken.push_back(false);
    taken[i] = true;
    return i;
  }
  std::shared_ptr<std::vector<bool>> taken_;  // made and destroyed on the main thread or the fault case's one consumer thread
  std::size_t index_;
  std::unique_ptr<MqttConsumer> c_;
};

// A requester or a replier: subscribed to its own topic, publishing on the other's.
class Exchange {
 public:
  Exchange(const Endpoint& e, int qos, const std::string& listen, std::string answer)
      : c_(e, qos), answer_(std::move(answer)) {
    c_.subscribe(listen);
  }
  void publish(Bytes m) {
    c_.publish(answer_, m);
    if (c_.unfinished() > 0) c_.loop(Millis(0));
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) { return c_.receive(out, timeout); }

 private:
  Client c_;
  std::string answer_;
};

class MqttRequester final : public Requester {
 public:
  MqttRequester(const Endpoint& e, int qos, const std::string& requests, const std::string& replies)
      : x_(e, qos, replies, requests) {}
  bool send_request(Bytes m, Millis) override {
    x_.publish(m);
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return x_.receive(out, timeout); }

 private:
  Exchange x_;
};

class MqttReplier final : public Replier {
 public:
  MqttReplier(const Endpoint& e, int qos, const std::string& requests, const std::string& replies)
      : x_(e, qos, requests, replies) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return x_.receive(out, timeout); }
  void reply(Bytes m) override { x_.publish(m); }

 private:
  Exchange x_;
};

class MqttSession final : public Session {
 public:
  // persistent: the consumers have persistent sessions (the _persist variants).
  MqttSession(const Endpoint& e, int qos, bool persistent = false) : e_(e), qos_(qos), persistent_(persistent) {
    static std::atomic<int> rows{0};
    const int row = rows.fetch_add(1);
    prefix_ = "hotbench/" + std::to_string(::getpid()) + "/" + std::to_string(row) + "/";
    client_prefix_ = "hotbench-" + std::to_string(::getpid()) + "-" + std::to_string(row);
  }
  // On a user's broker the persistent sessions go with the row: a clean-session connect of each id
  // discards its session (MQTT 3.1.1, 3.1.2.4). Best effort, as a destructor must be.
  ~MqttSession() override {
    if (!e_.users_server || !persistent_) return;
    for (std::size_t i = 0; i < taken_->size(); ++i) {
      try {
        Client discard(e_, qos_, client_prefix_ + "-consumer-" + std::to_string(i), true);
        discard.disconnect();
      } catch (const std::exception&) {
      }
    }
  }
  // A work queue's consumer: a member of the row's shared subscription, to which the broker hands each message
  // to one member; one consumer alone gets every message, as a plain subscriber would.
  std::unique_ptr<Consumer> consumer() override {
    const std::string topic = "$share/hotbench/" + prefix_ + "messages";
    if (persistent_) return std::make_unique<PersistentConsumer>(e_, qos_, topic, client_prefix_, taken_);
    return std::make_unique<MqttConsumer>(e_, qos_, topic);
  }
  std::unique_ptr<Producer> producer() override { return std::make_unique<MqttProducer>(e_, qos_, prefix_ + "messages"); }
  std::unique_ptr<Consumer> subscriber() override { return std::make_unique<MqttConsumer>(e_, qos_, prefix_ + "messages"); }
  std::unique_ptr<Replier> replier() override {
    return std::make_unique<MqttReplier>(e_, qos_, prefix_ + "requests", prefix_ + "replies");
  }
  std::unique_ptr<Requester> requester() override {
    return std::make_unique<MqttRequester>(e_, qos_, prefix_ + "requests", prefix_ + "replies");
  }

 private:
  Endpoint e_;
  int qos_;
  bool persistent_;
  std::string prefix_, client_prefix_;
  std::shared_ptr<std::vector<bool>> taken_ = std::make_shared<std::vector<bool>>();  // persistent consumers' ids in use
};

ServerSpec mosquitto_spec(Transport t) {
  ServerSpec s;
  s.name = "mosquitto";
  s.package = "mosquitto";
  s.argv = {"mosquitto", "-c", "{config}"};  // in /usr/sbin: ServerProcess looks there too
  s.config_name = "mosquitto.conf";
  // ipc: mosquitto 2.0's Unix socket listener (port 0 and a path) in the row's folder.
  s.config_text = std::string(t == Transport::ipc ? "listener 0 {socket}\n" : "listener {port} 127.0.0.1\n") +
                  "allow_anonymous true\npersistence false\nset_tcp_nodelay true\nmax_queued_messages 0\n"
                  "log_dest stderr\n";
  if (::geteuid() == 0) s.config_text += "user root\n";
  return s;
}

// The broker of the _persist variants: mosquitto's persistence on, the database in the row's folder,
// saved after every change (autosave_on_changes true: autosave_interval counts changes, subscriptions
// and queued messages, instead of seconds; 1 is the most often mosquitto saves). mosquitto writes the
// whole database then, from its main loop, after the packets of one pass were handled (and
// answered): whatever it acknowledged after its last save is gone with a SIGKILL
// (docs/messaging.md, Faults, measures how much).
ServerSpec mosquitto_persist_spec(Transport t) {
  ServerSpec s = mosquitto_spec(t);
  s.config_text = std::string("persistence true\npersistence_location {dir}/\nautosave_on_changes true\n") +
                  "autosave_interval 1\n" + s.config_text;
  s.config_text.replace(s.config_text.find("persistence false\n"), 18, "");
  return s;
}

}  // namespace
}  // namespace hotbench::messaging

HOTBENCH_REGISTER(mqtt) {
  using namespace hotbench::messaging;
  constexpr Guarantee kPromise[] = {Guarantee::at_most_once, Guarantee::at_least_once, Guarantee::exactly_once};
  for (int qos : {0, 1, 2})
    add_system({.name = "mqtt:qos" + std::to_string(qos),
                .promise = {kPromise[qos], true},
                .transports = {Transport::tcp, Transport::ipc},
                .tasks = {Task::throughput, Task::ping_pong, Task::fan_out},
                .server = mosquitto_spec,
                .open = [qos](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<MqttSession>(e, qos); },
                .notes = "libmosquitto 2.0, MQTT 3.1.1, clean sessions, TCP_NODELAY, mosquitto_loop() on each end's "
                         "thread, up to 256 messages in flight per producer; throughput consumers in one shared "
                         "subscription ($share/hotbench/<topic>), fan_out subscribers each with a plain one",
                // QoS 2's rows cost ~3 s each in the default run (a broker started for the timed and the
                // counting pass, ~600 us round trips): only in the full profile or when named.
                .default_rows = qos == 2 ? DefaultRows::none : DefaultRows::sample,
                // ~10-15k messages/s here at QoS 0 (the broker spends ~20 us of CPU per message): 1024 per
                // timed run; QoS 2 (four packets a hop, ~6k/s) 512.
                .batch_scale = qos == 2 ? 0.0625 : 0.125,
                .competing_consumers = true});
  // QoS 1 and 2 with the broker's persistence and persistent sessions: what survives a killed broker
  // or consumer. The fault tasks only: their throughput and latency are the plain variants' code on
  // a broker that writes its whole database after every change (seconds per row under ASan, nothing
  // the fault table needs).
  for (int qos : {1, 2})
    add_system({.name = "mqtt:qos" + std::to_string(qos) + "_persist",
                .promise = {kPromise[qos], true},
                .transports = {Transport::tcp},
                .tasks = {Task::fault, Task::consumer_fault},
                .server = mosquitto_persist_spec,
                .open = [qos](const Endpoint& e) -> std::unique_ptr<Session> {
                  return std::make_unique<MqttSession>(e, qos, true);
                },
                .notes = "mqtt:qos" + std::to_string(qos) + " with persistence true, persistence_location in the "
                         "row's folder, autosave_on_changes true, autosave_interval 1 (the database saved after "
                         "every change); consumers with persistent sessions (clean session off, client id "
                         "<row>-consumer-<n>) in the shared subscription",
                .default_rows = DefaultRows::none,
                .consumer_acks_on_receipt = true});
}
