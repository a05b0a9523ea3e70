// NATS core and NATS JetStream (below): nats-server 2.9 started for each row by
// the harness, through the C client libnats 3.4 (Debian's nats-server, libnats-dev).
// NATS core:
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

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

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
    // An IPv6 address (a user's endpoint may be ::1) goes in brackets.
    const std::string host = e.host.find(':') == std::string::npos ? e.host : "[" + e.host + "]";
    const std::string url = "nats://" + host + ":" + std::to_string(e.port);
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
    if (js_) jsCtx_Destroy(js_);
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

  // This connection's JetStream context (made once, with `options` when given).
  jsCtx* jetstream(jsOptions* options = nullptr) {
    if (!js_) must(natsConnection_JetStream(&js_, c_, options), "JetStream context");
    return js_;
  }
  // A synchronous subscription bound to the existing durable push consumer `durable` of `stream`.
  void bind(const std::string& stream, const std::string& durable, const std::string& subject) {
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = stream.c_str();
    so.Consumer = durable.c_str();
    so.ManualAck = true;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = js_SubscribeSync(&sub_, jetstream(), subject.c_str(), nullptr, &so, &code);
    if (s != NATS_OK) fail("subscribe to " + stream + "/" + durable + " (JetStream error " + std::to_string(code) + ")", s);
  }
  natsSubscription* subscription() const { return sub_; }

 private:
  natsConnection* c_ = nullptr;
  natsSubscription* sub_ = nullptr;
  jsCtx* js_ = nullptr;
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

// --- JetStream ------------------------------------------------------------------
//
// A file-storage stream per row (work-queue retention: an acknowledged message
// is removed, so a long row does not grow the store), its subjects the row's
// prefix; durable push consumers made once per row with js_AddConsumer (each
// with a deliver subject outside the stream's) and bound to by each consumer
// end with a synchronous subscription (js_SubscribeSync; explicit
// acknowledgement, AckWait kAckWaitNs, the server's default of at most 1000
// messages delivered and not acknowledged).
//   throughput: the producer publishes asynchronously (js_PublishAsync) with
//               at most kPending publishes awaiting the server's
//               acknowledgement ("stored"), and its flush waits for all of them
//               (js_PublishAsyncComplete); a publish the server refused or did
//               not acknowledge fails the producer. The consumer takes each
//               message (natsSubscription_NextMsg) and acknowledges it
//               (natsMsg_Ack) when the harness asks for the next one, so it
//               has been taken by then.
//   ping_pong:  the requester publishes each request and waits for its
//               acknowledgement (js_Publish), then reads the reply from the
//               replies consumer; the replier reads a request, publishes the
//               reply (js_Publish) and acknowledges the request.
// JetStream promises at least once (an unacknowledged message is delivered
// again after AckWait, also to a consumer end opened after a restart: the
// durable consumer's state is in the store) and the stream's order, which is
// each publisher's.

constexpr int kPending = 256;               // async publishes awaiting their acknowledgement
constexpr std::int64_t kAckWaitNs = 1'000'000'000;  // unacknowledged this long: delivered again

// The row's names. A stream's and a durable's name cannot contain '.'.
struct JetStreamNames {
  std::string stream, subjects, messages, requests, replies;
  std::string deliver;  // + the durable's name: where the server pushes its messages (outside the stream's subjects)
  explicit JetStreamNames(int row) {
    const std::string id = std::to_string(::getpid()) + "_" + std::to_string(row);
    stream = "hotbench_" + id;
    const std::string prefix = "hotbench." + std::to_string(::getpid()) + "." + std::to_string(row) + ".";
    subjects = prefix + ">";
    messages = prefix + "messages";
    requests = prefix + "requests";
    replies = prefix + "replies";
    deliver = "hotbench_deliver." + std::to_string(::getpid()) + "." + std::to_string(row) + ".";
  }
};

void add_durable(jsCtx* js, const std::string& stream, const std::string& durable, const std::string& subject,
                 const std::string& deliver) {
  jsConsumerConfig cc;
  jsConsumerConfig_Init(&cc);
  cc.Durable = durable.c_str();
  cc.DeliverSubject = deliver.c_str();
  cc.AckPolicy = js_AckExplicit;
  cc.AckWait = kAckWaitNs;
  cc.FilterSubject = subject.c_str();
  jsConsumerInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_AddConsumer(&info, js, stream.c_str(), &cc, nullptr, &code);
  jsConsumerInfo_Destroy(info);
  if (s != NATS_OK) fail("add consumer " + durable + " (JetStream error " + std::to_string(code) + ")", s);
}

class JsProducer final : public Producer {
 public:
  JsProducer(const Endpoint& e, std::string subject) : c_(e, false), subject_(std::move(subject)) {
    jsOptions o;
    jsOptions_Init(&o);
    o.PublishAsync.MaxPending = kPending;
    o.PublishAsync.StallWait = 20;  // a full window: send() says "not accepted" after this, and is called again
    o.PublishAsync.ErrHandler = [](jsCtx*, jsPubAckErr* e, void* self) {
      static_cast<JsProducer*>(self)->refused(e->ErrText ? e->ErrText : natsStatus_GetText(e->Err));
    };
    o.PublishAsync.ErrHandlerClosure = this;
    c_.jetstream(&o);
  }
  bool send(Bytes m, Millis) override {
    raise_refusal();
    const natsStatus s = js_PublishAsync(c_.jetstream(), subject_.c_str(), m.data(), static_cast<int>(m.size()), nullptr);
    if (s == NATS_TIMEOUT) return false;  // kPending publishes still await their acknowledgement
    must(s, "publish");
    return true;
  }
  // Waits in slices: js_PublishAsyncComplete does not return when the connection closes (a server
  // that died), it waits out its MaxWait.
  void flush(Millis timeout) override {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      jsPubOptions po;
      jsPubOptions_Init(&po);
      po.MaxWait = 50;
      const natsStatus s = js_PublishAsyncComplete(c_.jetstream(), &po);
      if (s == NATS_OK) break;
      if (s != NATS_TIMEOUT) fail("waiting for the publish acknowledgements", s);
      if (natsConnection_IsClosed(c_.get())) fail("waiting for the publish acknowledgements", NATS_CONNECTION_CLOSED);
      if (std::chrono::steady_clock::now() > deadline)
        throw MessagingError("nats: JetStream acknowledgements still missing " + std::to_string(timeout.count()) +
                             " ms after the last publish");
    }
    raise_refusal();
  }

 private:
  // On libnats's thread that delivers the acknowledgements.
  void refused(const char* why) {
    std::lock_guard lock(mutex_);
    if (refusals_++ == 0) first_refusal_ = why;
  }
  void raise_refusal() {
    std::lock_guard lock(mutex_);
    if (refusals_ > 0)
      throw MessagingError("nats: JetStream did not store " + std::to_string(refusals_) + " publishes (first: " +
                           first_refusal_ + ")");
  }
  // Before the connection, so that they outlive it: libnats may still report a refusal while the
  // connection closes.
  std::mutex mutex_;  // the refusals are counted on libnats's thread
  std::uint64_t refusals_ = 0;
  std::string first_refusal_;
  Connection c_;
  std::string subject_;
};

// Reads a durable push consumer (a synchronous subscription bound to it); each message is
// acknowledged when the next one is asked for. Not a pull consumer: libnats 3.4.1's
// natsSubscription_Fetch wrote past the end of its message list (ASan, reading the list it
// returned, in Servers.AServerKilledMidRow under load), so the adapter does not use it.
class Reader {
 public:
  Reader(const Endpoint& e, bool send_asap, const std::string& stream, const std::string& durable,
         const std::string& subject)
      : c_(e, send_asap) {
    c_.bind(stream, durable, subject);
  }
  ~Reader() { natsMsg_Destroy(taken_); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  bool next(std::vector<std::byte>& out, Millis timeout) {
    acknowledge();
    natsMsg* m = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&m, c_.subscription(), timeout.count());
    if (s == NATS_TIMEOUT || s == NATS_SLOW_CONSUMER) return false;  // dropped: the server delivers it again
    if (s != NATS_OK) fail("next message", s);
    taken_ = m;
    const auto* data = reinterpret_cast<const std::byte*>(natsMsg_GetData(m));
    out.assign(data, data + natsMsg_GetDataLength(m));
    return true;
  }
  // The message handed on last, acknowledged now.
  void acknowledge() {
    if (!taken_) return;
    const natsStatus s = natsMsg_Ack(taken_, nullptr);
    natsMsg_Destroy(std::exchange(taken_, nullptr));
    must(s, "acknowledge");
  }
  Connection& connection() { return c_; }

 private:
  Connection c_;
  natsMsg* taken_ = nullptr;
};

class JsConsumer final : public Consumer {
 public:
  JsConsumer(const Endpoint& e, const std::string& stream, const std::string& subject)
      : r_(e, false, stream, "messages", subject) {}
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return r_.next(out, timeout); }

 private:
  Reader r_;
};

void publish_acknowledged(jsCtx* js, const std::string& subject, Bytes m) {
  jsPubAck* ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  const natsStatus s = js_Publish(&ack, js, subject.c_str(), m.data(), static_cast<int>(m.size()), nullptr, &code);
  jsPubAck_Destroy(ack);
  if (s != NATS_OK) fail("publish to " + subject + " (JetStream error " + std::to_string(code) + ")", s);
}

class JsRequester final : public Requester {
 public:
  JsRequester(const Endpoint& e, const JetStreamNames& n)
      : replies_(e, true, n.stream, "replies", n.replies), requests_(n.requests) {}
  bool send_request(Bytes m, Millis) override {
    publish_acknowledged(replies_.connection().jetstream(), requests_, m);
    return true;
  }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override {
    if (!replies_.next(out, timeout)) return false;
    replies_.acknowledge();
    return true;
  }

 private:
  Reader replies_;
  std::string requests_;
};

class JsReplier final : public Replier {
 public:
  JsReplier(const Endpoint& e, const JetStreamNames& n)
      : requests_(e, true, n.stream, "requests", n.requests), replies_(n.replies) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return requests_.next(out, timeout); }
  // The reply first (the requester is waiting for it), then the request's acknowledgement.
  void reply(Bytes m) override {
    publish_acknowledged(requests_.connection().jetstream(), replies_, m);
    requests_.acknowledge();
  }

 private:
  Reader requests_;
  std::string replies_;
};

class JetStreamSession final : public Session {
 public:
  explicit JetStreamSession(const Endpoint& e) : e_(e), names_(next_row()) {
    Connection admin(e, false);
    jsStreamConfig sc;
    jsStreamConfig_Init(&sc);
    const char* subjects[] = {names_.subjects.c_str()};
    sc.Name = names_.stream.c_str();
    sc.Subjects = subjects;
    sc.SubjectsLen = 1;
    sc.Storage = js_FileStorage;
    sc.Retention = js_WorkQueuePolicy;
    jsStreamInfo* info = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    const natsStatus s = js_AddStream(&info, admin.jetstream(), &sc, nullptr, &code);
    jsStreamInfo_Destroy(info);
    if (s != NATS_OK) fail("add stream " + names_.stream + " (JetStream error " + std::to_string(code) + ")", s);
    for (const std::string* subject : {&names_.messages, &names_.requests, &names_.replies}) {
      const std::string durable = subject->substr(subject->rfind('.') + 1);
      add_durable(admin.jetstream(), names_.stream, durable, *subject, names_.deliver + durable);
    }
  }
  // On a user's server: the row's stream (its messages and durable consumers) goes with it. Best
  // effort: a server that went away has nothing to delete, and a destructor has nobody to tell.
  ~JetStreamSession() override {
    if (!e_.users_server) return;
    try {
      Connection admin(e_, false);
      jsErrCode code = static_cast<jsErrCode>(0);
      js_DeleteStream(admin.jetstream(), names_.stream.c_str(), nullptr, &code);
    } catch (const std::exception&) {
    }
  }
  std::unique_ptr<Consumer> consumer() override {
    return std::make_unique<JsConsumer>(e_, names_.stream, names_.messages);
  }
  std::unique_ptr<Producer> producer() override { return std::make_unique<JsProducer>(e_, names_.messages); }
  std::unique_ptr<Replier> replier() override { return std::make_unique<JsReplier>(e_, names_); }
  std::unique_ptr<Requester> requester() override { return std::make_unique<JsRequester>(e_, names_); }

 private:
  static int next_row() {
    static std::atomic<int> rows{0};
    return rows.fetch_add(1);
  }
  Endpoint e_;
  JetStreamNames names_;
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

// The same server with JetStream on, its store in the row's private folder.
ServerSpec jetstream_server_spec(Transport t) {
  ServerSpec s = nats_server_spec(t);
  s.config_text += "jetstream {\n  store_dir: \"{dir}/jetstream\"\n}\n";
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
  add_system({.name = "nats:jetstream",
              .promise = {Guarantee::at_least_once, true},
              .transports = {Transport::tcp},
              // consumer_fault: a consumer end made after a killed one binds the same durable, which
              // redelivers what was not acknowledged after AckWait.
              .tasks = {Task::throughput, Task::ping_pong, Task::fault, Task::consumer_fault},
              .server = jetstream_server_spec,
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<JetStreamSession>(e); },
              .notes = "nats-server -c nats.conf with jetstream { store_dir } in the row's folder; a file-storage "
                       "work-queue stream per row; js_PublishAsync with at most 256 acknowledgements pending "
                       "(ping_pong: js_Publish); durable push consumers read with js_SubscribeSync, explicit "
                       "natsMsg_Ack of what was handed on, AckWait 1 s; libnats 3.4, no reconnection",
              .default_rows = DefaultRows::sample,
              // ~20k messages/s at 64 B here: a quarter of the suite's batch keeps a timed run near 0.1 s.
              .batch_scale = 0.25,
              // Measured (docs/messaging.md, Faults): after a SIGKILL, nats-server 2.9.10 sometimes
              // keeps acknowledged messages in the stream that the durable consumer never delivers
              // (the consumer's recovered position is past them), which the fault row reports as an
              // error. Its file store writes what it acknowledges from a buffer, without an fsync
              // setting before 2.10 (sync_interval).
              .acks_survive_kill = false});
}
