// The messaging drivers: one Case per row, over any registered System.
//
//   throughput  producer threads (1 by default) send a batch of messages as
//               fast as the system takes them, consumer threads receive them
//               (several compete: each message to exactly one); every message
//               is checked (payload.h) and entered in the queue suite's
//               Delivery ledger, and the batch is judged by the system's
//               promise (contract.h), per producer across all consumers.
//   fan_out     one producer, N subscribers, each of which must receive every
//               message: one ledger per subscriber, each judged by the
//               promise (an at-most-once system's losses are counted per
//               subscriber). A sentinel hand-shake before the first timed
//               batch makes sure every subscriber has joined.
//   open_loop   the same ends and checks, but the producer sends at a fixed
//               rate and the consumer records each message's one-way latency
//               from its *intended* send time (the queue suite's open loop: a
//               stall delays every later message's intended time by nothing,
//               so it cannot hide, no coordinated omission).
//   ping_pong   a requester sends one message, the replier echoes it back; the
//               round trip goes into a LatencyHistogram (the queue suite's
//               method), the reply is compared byte by byte with the request.
//
// The ends run on a Crew (harness/crew.h): persistent threads, a watchdog that
// turns a batch without progress into an error row with the counts so far, and
// fail() for an end whose connection or server is gone (an error row at once).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "../harness/case.h"
#include "../harness/server.h"
#include "contract.h"

namespace hotbench::messaging {

struct Scenario {
  Task task = Task::throughput;
  Transport transport = Transport::tcp;
  std::size_t message_bytes = 64;
  std::size_t batch = 4096;  // messages (throughput, fan_out: sent) or round trips (ping_pong) per timed run
  int producers = 1, consumers = 1;  // throughput (each producer sends batch / producers); open_loop is 1/1
  int subscribers = 1;               // fan_out
  double watchdog_s = 10;    // no progress for this long: the row is an error
  // At-most-once systems: once the producer has flushed, how long the consumer
  // waits for another message before counting the rest as lost.
  double settle_s = 0.5;
  double rate_per_s = 10'000;  // open_loop: intended messages per second
  // A broker of the user's (the `endpoints` setting): the row uses it instead of starting the
  // system's server, and leaves it running; `transport` must be its (ipc for a Unix socket).
  // Never for Task::fault, which kills the server.
  std::optional<UserEndpoint> user_endpoint;
};

// Starts the system's server when it has one (ServerError -> the row's error),
// makes the endpoint, opens the session and its ends. Call from the main thread.
std::unique_ptr<Case> make_case(const System& system, const Scenario& scenario);
// The fault tasks' case (fault.cpp; make_case hands Task::fault and Task::consumer_fault to it):
// `batch` messages per timed run; fault: the server killed once half of them are acknowledged and
// restarted at once; consumer_fault: the consumer's end destroyed once half of them are delivered
// and a new one made.
std::unique_ptr<Case> make_fault_case(const System& system, const Scenario& scenario);
// The same on a server the caller started and keeps (kill_now and restart act on it): a test that
// runs every task of a system with a costly server start on one server (CostlyServer.*).
std::unique_ptr<Case> make_fault_case(const System& system, const Scenario& scenario, ServerProcess& server);
// The endpoint of a row on a user's broker (Scenario::user_endpoint): its address, no server.
Endpoint users_endpoint(Transport transport, const UserEndpoint& user);
// The label of such a row: where it ran.
std::string users_endpoint_label(const UserEndpoint& user);

// Delivery counts of one throughput batch, judged against a promise.
struct Counts {
  std::uint64_t sent = 0, delivered = 0, lost = 0, duplicated = 0, reordered = 0;
  std::uint64_t late = 0;     // from an earlier batch (counted as lost there)
  std::uint64_t corrupt = 0;  // damaged payloads
  std::uint64_t foreign = 0;  // a producer or sequence number never sent
  // fan_out: delivered, lost, duplicated, reordered are summed over the subscribers (each should
  // get every message); this is the most messages any one subscriber missed.
  std::uint64_t lost_worst_subscriber = 0;

  // Batches added up (lost_worst_subscriber too: the sum of each batch's worst).
  Counts& operator+=(const Counts& o) {
    sent += o.sent, delivered += o.delivered, lost += o.lost, duplicated += o.duplicated, reordered += o.reordered;
    late += o.late, corrupt += o.corrupt, foreign += o.foreign, lost_worst_subscriber += o.lost_worst_subscriber;
    return *this;
  }
};
// Empty when the counts keep the promise; otherwise what broke it, one line.
std::string broken_promise(const Promise& promise, const Counts& c);
std::string describe_counts(const Counts& c);

}  // namespace hotbench::messaging
