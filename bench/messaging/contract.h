// The messaging suite's contract with its systems: message queues and socket
// libraries across the process boundary (NATS, ZeroMQ, Redis Streams and
// Pub/Sub, MQTT, RabbitMQ, raw sockets). docs/messaging.md says why this is a suite of
// its own and how its rows are measured.
//
// What an adapter owns: only its library's calls. It declares what its system
// promises and which transports it speaks, and opens, on an endpoint the
// harness gives it, the ends of a channel: producers and consumers (the
// throughput task), requesters and repliers (ping_pong, where the system has
// request-reply). Each end sends or receives opaque byte payloads.
//
// What the harness owns (driver.h, suite.cpp): the threads (one per end, from
// the shared Crew), timing, the payloads (sequence numbers, producer ids and a
// checked fill, payload.h), the delivery check against the declared promise
// (the queue suite's Delivery ledger: losses, duplicates, reorders and damaged
// payloads counted per batch), the latency histogram, the watchdog (a batch
// that stops making progress is an error row with the counts so far, never a
// hang), and the server: a system that needs one gives a ServerSpec and the
// harness starts it with ServerProcess (private folder, free loopback port),
// builds the endpoint from it and stops it when the row ends.
//
// Adding a system is one file ending with
//
//   HOTBENCH_REGISTER(nats_core) {
//     messaging::add_system({.name = "nats:core",
//                            .promise = {Guarantee::at_most_once, /*per_producer_order=*/true},
//                            .transports = {Transport::tcp},
//                            .tasks = {Task::throughput, Task::ping_pong},
//                            .server = nats_server_spec,   // empty: no server
//                            .open = [](const Endpoint& e) { return std::make_unique<NatsSession>(e); }});
//   }
//
// plus its package's row(s) in cmake/dependencies.tsv (needed_by messaging; the
// server program too, so that ./hotbench installs it). The tests ask the
// registry for every system and hold each to its own promise.
//
// Rules every end follows (the harness relies on them):
// - Every call returns within about its `timeout` (a few ms late is fine): the
//   harness polls its stop flag between calls, so a dead peer or server ends
//   the row in bounded time. `false` means "nothing happened within the
//   timeout, call again"; a lost connection, a server that is gone or a
//   library error throws MessagingError (one line, for the error row).
// - An end is created on the harness's main thread and then used by exactly
//   one worker thread at a time (the Crew hands it over with a barrier).
// - consumer() and replier() return once they are subscribed/bound: a message
//   sent after they returned reaches them (a system that subscribes
//   asynchronously waits for its server to confirm, e.g. a NATS flush). The
//   harness opens them before the producers and requesters.
// - Several consumer()s of one session compete (a work queue: ZeroMQ PUSH to
//   several PULLs, a Redis Streams consumer group, a NATS queue group): each
//   message goes to exactly one of them. A system whose consumers cannot
//   (each would get every message) leaves System::competing_consumers false
//   and its throughput rows run one consumer.
// - Several subscriber()s of one session (the fan_out task) each receive
//   every message. A subscriber may return before its subscription is in
//   effect (ZeroMQ SUB's "slow joiner": the subscription reaches the PUB
//   socket some time after connecting): before it times anything the harness
//   sends sentinel messages until every subscriber has received one, and
//   ignores the sentinels that come later.
// - Payloads are copied into the harness's buffer on receipt (the same copy
//   for every system); their size is a multiple of 8, from 8 bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "../harness/registry.h"
#include "../harness/server.h"

namespace hotbench::messaging {

struct MessagingError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What a system promises about each message, in normal operation.
//   at_most_once: a message may be lost, never delivered twice (core NATS,
//     ZeroMQ, Redis Pub/Sub, MQTT QoS 0): losses are counted on the row;
//   at_least_once: never lost, maybe delivered twice (acknowledged
//     consumption: a Redis Streams consumer group read with XREADGROUP and
//     acknowledged with XACK, MQTT QoS 1): a loss fails the row, duplicates
//     are counted;
//   exactly_once: neither (a stream socket, MQTT QoS 2): both fail the row.
enum class Guarantee { at_most_once, at_least_once, exactly_once };
const char* guarantee_name(Guarantee g);

struct Promise {
  Guarantee delivery = Guarantee::at_most_once;
  // Each consumer sees one producer's messages in the order they were sent.
  // Promised: an inversion fails the row. Not promised: inversions are counted.
  bool per_producer_order = true;
};

// Where the ends meet. inproc: inside this process (a name unique per row);
// ipc: a Unix socket (a path in a private folder); tcp: 127.0.0.1 and a port.
enum class Transport { inproc, ipc, tcp };
const char* transport_name(Transport t);  // the row's dataset: "inproc", "ipc", "tcp"

struct Endpoint {
  Transport transport = Transport::tcp;
  std::string name;               // inproc: a name unique in this process
  std::string path;               // ipc: the socket path
  std::string host = "127.0.0.1";  // tcp
  int port = 0;                   // tcp
  // A broker of the user's (the `endpoints` setting), not one the harness started for the row:
  // other clients may use it, so the session removes what it made there (streams, keys,
  // durable sessions) when it ends, and changes nothing else.
  bool users_server = false;
};

using Bytes = std::span<const std::byte>;
using Millis = std::chrono::milliseconds;

class Producer {
 public:
  virtual ~Producer() = default;
  // Hands one message to the system; false when it was not accepted within
  // `timeout` (flow control: a full buffer), to be offered again.
  virtual bool send(Bytes message, Millis timeout) = 0;
  // After the batch's last send: returns once what was sent has left this
  // client (NATS: the server has it), or throws. Default: nothing to do.
  virtual void flush(Millis) {}
};

class Consumer {
 public:
  virtual ~Consumer() = default;
  // The next message into `out` (resized to it); false when none came within `timeout`.
  virtual bool receive(std::vector<std::byte>& out, Millis timeout) = 0;
};

class Requester {
 public:
  virtual ~Requester() = default;
  // Sends a request; false when not accepted within `timeout`.
  virtual bool send_request(Bytes request, Millis timeout) = 0;
  // The reply to the request sent last into `out`; false when none came within `timeout`.
  virtual bool await_reply(std::vector<std::byte>& out, Millis timeout) = 0;
};

class Replier {
 public:
  virtual ~Replier() = default;
  // The next request into `out`; false when none came within `timeout`.
  virtual bool receive_request(std::vector<std::byte>& out, Millis timeout) = 0;
  // Answers the request received last with `reply` (the harness echoes the request).
  virtual void reply(Bytes reply) = 0;
};

// One row's channel on one endpoint. Each call makes a new end with its own
// connection (socket, client) where the system has connections, as separate
// processes would. The default of a task the system lacks throws.
class Session {
 public:
  virtual ~Session() = default;
  virtual std::unique_ptr<Consumer> consumer() { throw MessagingError("no producer/consumer channel"); }
  virtual std::unique_ptr<Producer> producer() { throw MessagingError("no producer/consumer channel"); }
  virtual std::unique_ptr<Replier> replier() { throw MessagingError("no request-reply"); }
  virtual std::unique_ptr<Requester> requester() { throw MessagingError("no request-reply"); }
  // fan_out: a consumer that receives every message published on the session's channel.
  virtual std::unique_ptr<Consumer> subscriber() { throw MessagingError("no publish/subscribe"); }
};

// throughput and open_loop use producers and consumers (a system declares
// throughput for both); ping_pong uses requesters and repliers; fan_out one
// producer and subscribers. fault (a persisted system's broker-kill
// measurement, fault.cpp) uses producers and consumers across a SIGKILL and a
// restart of the server on the same folder and port: a system that declares it
// makes ends on the same session after the restart that resume its durable
// state (the consumer first takes what was delivered to it and not
// acknowledged), and its producer's flush() returns only once the server has
// acknowledged every message sent before it. Those ends are made on the worker
// threads that use them (still one thread each).
//
// consumer_fault (fault.cpp too) uses the same ends and the same cycle with the
// consumer's end destroyed mid-batch instead of the server (its connection
// closed with no goodbye, what it had taken and not acknowledged unacknowledged)
// and a new consumer end made on the same session: a system that declares it
// redelivers to that new end what the old one had not acknowledged (a Redis
// consumer of the same name reads its pending entries, a JetStream durable
// redelivers after AckWait, an MQTT persistent session resumes).
enum class Task { throughput, ping_pong, open_loop, fan_out, fault, consumer_fault };
const char* task_name(Task t);

// A system's share of the rows of the default and quick profiles (the full
// profile runs all of its rows). all: every row the profile's settings select.
// sample: only throughput at the smallest message size and 1/1, and ping_pong,
// on its first transport; the default run's time budget has no room for every row of
// every system (docs/messaging.md). A setting given on the command line (tasks,
// transports, message_bytes) is run as given.
// none: no rows unless `systems` is given and names it (then its sample); for a
// variant whose rows cost seconds each and add little to its siblings' (MQTT QoS 2).
enum class DefaultRows { all, sample, none };

struct System {
  std::string name;  // the rows' implementation, library[:variant]: "nats:core", "zeromq:push_pull"
  Promise promise;
  std::vector<Transport> transports;
  std::vector<Task> tasks;  // throughput: producer/consumer (open_loop too); ping_pong: requester/replier;
                            // fan_out: producer/subscriber
  // The server it needs, started by the harness for each row (placeholders as
  // in ServerSpec); empty: none (a socket library). The endpoint's port is the
  // server's {port}, its ipc path the server's {socket}.
  std::function<ServerSpec(Transport)> server = {};
  // Opens a row's session on the endpoint (the server's, when it has one).
  std::function<std::unique_ptr<Session>(const Endpoint&)> open;
  // Anything else the result set should record about how it is configured.
  std::string notes = {};
  DefaultRows default_rows = DefaultRows::all;
  // Its throughput rows' default batch as a fraction of the suite's (driver.h): a system whose
  // messages/s are a tenth of the others' would otherwise spend a second per timed run where the
  // suite plans about 0.1 s. A batch given as a setting is used as given.
  double batch_scale = 1;
  // throughput with several consumers: true when they compete for the messages, each message to
  // exactly one (a work queue, see the rules above); false: its throughput rows run one consumer.
  bool competing_consumers = false;
  // The fault task: whether its server writes what it acknowledges where a SIGKILL cannot take it
  // (Redis with appendfsync always). The fault rows judge every system alike (an acknowledged
  // message lost is an error row); the tests require none lost only of a system that says true.
  bool acks_survive_kill = false;
  // Its server costs seconds of CPU to start (RabbitMQ's Erlang VM: 5-7 s), where the others' take
  // milliseconds. Outside the default run (set default_rows too), its rows in every profile are its
  // sample unless tasks, transports, message_bytes or ends are given; and the generic tests, which
  // start a server per task, transport and size (EverySystem.*, PersistedSystem.*), leave it to a
  // test of its own that starts it once or twice.
  bool costly_server = false;
  // The consumer_fault task: whether its client library acknowledges a message to the server when it
  // receives it, before the application has taken it (libmosquitto at QoS 1 and 2): what it had
  // received and not handed on is gone with a killed consumer. The tests require no acknowledged
  // loss across a consumer kill of a system that says false.
  bool consumer_acks_on_receipt = false;

  bool has(Task t) const;
  bool speaks(Transport t) const;
};

void add_system(System s);
Registry<System>& systems();

}  // namespace hotbench::messaging
