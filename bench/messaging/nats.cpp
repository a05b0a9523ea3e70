// NATS core (no JetStream): nats-server 2.9 started for each row by the
// harness, through the C client libnats 3.4 (Debian's nats-server, libnats-dev).
//   throughput: publisher connections and synchronous subscriber connections
//               on one subject per row (natsConnection_Publish, NextMsg), the
//               subscribers in one queue group (each message to one of them);
//   fan_out:    the same without a queue group (each message to every one);
//   ping_pong:  request-reply: the requester subscribes to its own inbox and
//               publishes each request with it as the reply subject; the
//               replier answers on the request's reply subject.
// Every end has its own connection, as separate processes would; library
// defaults (buffered publishes sent by libnats's flusher thread; a subscriber
// holds at most 65536 messages or 64 MB before the library drops, "slow
// consumer") except: no reconnection, so a server that goes away fails the
// row at once instead of being waited for, and a silent error handler (the
// drops of a slow consumer are counted by the harness as losses).
// Core NATS promises at most once, and each publisher's order to a subscriber.
// The server has no Unix socket listener: tcp only.
#include <nats/nats.h>
#include <unistd.h>

#include <atomic>
#include <string>

#include "contract.h"

namespace hotbench::messaging {
namespace {

[[noreturn]] void fail(const std::string& what, natsStatus s) {
  throw MessagingError("nats: " + what + ": " + natsStatus_GetText(s) + " (" + nats_GetLastError(nullptr) + ")");
}
void must(natsStatus s, const std::string& what) {
  if (s != NATS_OK) fail(what, s);
}

class Connection {
 public:
  // send_asap: each publish is written at once by the publishing thread, not by libnats's flusher thread.
  Connection(const Endpoint& e, bool send_asap) {
    natsOptions* o = nullptr;
    must(natsOptions_Create(&o), "options");
    const std::string url = "nats://" + e.host + ":" + std::to_string(e.port);
    natsStatus s = natsOptions_SetURL(o, url.c_str());
    if (s == NATS_OK) s = natsOptions_SetAllowReconnect(o, false);
    if (s == NATS_OK) s = natsOptions_SetTimeout(o, 5000);
    if (s == NATS_OK && send_asap) s = natsOptions_SetSendAsap(o, true);
    if (s == NATS_OK) s = natsOptions_SetErrorHandler(o, [](natsConnection*, natsSubscription*, natsStatus, void*) {}, nullptr);
    if (s == NATS_OK) s = natsConnection_Connect(&c_, o);
    natsOptions_Destroy(o);
    if (s != NATS_OK) fail("connect to " + url, s);
  }
  // Close (which joins the connection's read loop) before destroying the subscription: libnats 3.4
  // crashes when a subscription is destroyed while its read loop is still handing it a message
  // (nats-io/nats.c#637, fixed in 3.6), which a row that fails mid-stream does (seen under ASan in
  // Servers.AServerKilledMidRow*).
  ~Connection() {
    natsConnection_Close(c_);
    if (sub_) natsSubscription_Destroy(sub_);
    natsConnection_Destroy(c_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A synchronous subscription the server has registered when this returns; in a queue group
  // when `queue` is given (the server hands each message to one member of the group).
  void subscribe(const std::string& subject, const std::string& queue = "") {
    if (queue.empty()) must(natsConnection_SubscribeSync(&sub_, c_, subject.c_str()), "subscribe " + subject);
    else
      must(natsConnection_QueueSubscribeSync(&sub_, c_, subject.c_str(), queue.c_str()),
           "subscribe " + subject + " in queue group " + queue);
    must(natsConnection_FlushTimeout(c_, 5000), "flush after subscribing");
  }
  // The next message's data into out; its reply subject into reply (when asked). False on timeout.
  bool next(std::vector<std::byte>& out, Millis timeout, std::string* reply = nullptr) {
    natsMsg* m = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&m, sub_, timeout.count());
    if (s == NATS_TIMEOUT) return false;
    if (s == NATS_SLOW_CONSUMER) return false;  // the library dropped messages: counted as lost
    if (s != NATS_OK) fail("next message", s);
    const auto* data = reinterpret_cast<const std::byte*>(natsMsg_GetData(m));
    out.assign(data, data + natsMsg_GetDataLength(m));
    if (reply) {
      const char* r = natsMsg_GetReply(m);
      reply->assign(r ? r : "");
    }
    natsMsg_Destroy(m);
    return true;
  }
  natsConnection* get() const { return c_; }

 private:
  natsConnection* c_ = nullptr;
  natsSubscription* sub_ = nullptr;
};

class NatsProducer final : public Producer {
 public:
  NatsProducer(const Endpoint& e, std::string subject) : c_(e, false), subject_(std::move(subject)) {}
  bool send(Bytes m, Millis) override {
    must(natsConnection_Publish(c_.get(), subject_.c_str(), m.data(), static_cast<int>(m.size())), "publish");
    return true;
  }
  void flush(Millis timeout) override { must(natsConnection_FlushTimeout(c_.get(), timeout.count()), "flush"); }

 private:
  Connection c_;
  std::string subject_;
};

// A competing consumer (queue group "hotbench"), or a subscriber that gets every message (no group).
class NatsConsumer final : public Consumer {
 public:
  NatsConsumer(const Endpoint& e, const std::string& subject, const std::string& queue) : c_(e, false) {
    c_.subscribe(subject, queue);
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return c_.next(out, timeout); }

 private:
  Connection c_;
};

class NatsRequester final : public Requester {
 public:
  NatsRequester(const Endpoint& e, std::string subject) : c_(e, true), subject_(std::move(subject)) {
    natsInbox* inbox = nullptr;
    must(natsInbox_Create(&inbox), "inbox");
    inbox_ = inbox;
    natsInbox_Destroy(inbox);
    c_.subscribe(inbox_);
  }
  bool send_request(Bytes m, Millis) override {
    must(natsConnection_PublishRequest(c_.get(), subject_.c_str(), inbox_.c_str(), m.data(), static_cast<int>(m.size())),
         "publish request");
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return c_.next(out, timeout); }

 private:
  Connection c_;
  std::string subject_, inbox_;
};

class NatsReplier final : public Replier {
 public:
  NatsReplier(const Endpoint& e, const std::string& subject) : c_(e, true) { c_.subscribe(subject); }
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return c_.next(out, timeout, &reply_to_); }
  void reply(Bytes m) override {
    if (reply_to_.empty()) throw MessagingError("nats: a request without a reply subject");
    must(natsConnection_Publish(c_.get(), reply_to_.c_str(), m.data(), static_cast<int>(m.size())), "publish reply");
  }

 private:
  Connection c_;
  std::string reply_to_;
};

class NatsSession final : public Session {
 public:
  explicit NatsSession(const Endpoint& e) : e_(e) {
    static std::atomic<int> rows{0};
    subject_ = "hotbench." + std::to_string(::getpid()) + "." + std::to_string(rows.fetch_add(1));
  }
  std::unique_ptr<Consumer> consumer() override { return std::make_unique<NatsConsumer>(e_, subject_, "hotbench"); }
  std::unique_ptr<Consumer> subscriber() override { return std::make_unique<NatsConsumer>(e_, subject_, ""); }
  std::unique_ptr<Producer> producer() override { return std::make_unique<NatsProducer>(e_, subject_); }
  std::unique_ptr<Replier> replier() override { return std::make_unique<NatsReplier>(e_, subject_); }
  std::unique_ptr<Requester> requester() override { return std::make_unique<NatsRequester>(e_, subject_); }

 private:
  Endpoint e_;
  std::string subject_;
};

}  // namespace

ServerSpec nats_server_spec(Transport) {
  ServerSpec s;
  s.name = "nats-server";
  s.package = "nats-server";
  s.argv = {"nats-server", "-c", "{config}"};  // in /usr/sbin: ServerProcess looks there too
  s.config_name = "nats.conf";
  // Loopback only, no monitoring port, no JetStream; everything else the server's default.
  s.config_text = "listen: 127.0.0.1:{port}\n";
  return s;
}

}  // namespace hotbench::messaging

HOTBENCH_REGISTER(nats_core) {
  using namespace hotbench::messaging;
  add_system({.name = "nats:core",
              .promise = {Guarantee::at_most_once, true},
              .transports = {Transport::tcp},
              .tasks = {Task::throughput, Task::ping_pong, Task::fan_out},
              .server = nats_server_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<NatsSession>(e); },
              .notes = "nats-server -c nats.conf (listen: 127.0.0.1:PORT); libnats defaults but no reconnection; "
                       "throughput consumers in one queue group, fan_out subscribers without one",
              .competing_consumers = true});
}
