// The messaging suite's checks, on every registered system (asked from the
// registry, never a pinned list) with real servers on loopback, and on planted
// faults: a channel that drops, corrupts, duplicates or reorders one message
// must fail the row or be counted, exactly as the declared promise says.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>
#include <utility>

#include "harness/case.h"
#include "harness/redis_server.h"
#include "harness/server.h"
#include "messaging/contract.h"
#include "messaging/driver.h"
#include "messaging/payload.h"

namespace hotbench::messaging {
namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

// What check() says is wrong with a case: its error, or what it threw (the runner turns both into an error row).
std::string check_error(Case& c) {
  std::string thrown;
  Check check;
  thrown = error_of([&] { check = c.check(); });
  return thrown.empty() ? check.error : thrown;
}

double counter(const Counters& c, const std::string& name) {
  for (const auto& [k, v] : c)
    if (k == name) return v;
  ADD_FAILURE() << "no counter " << name;
  return -1;
}

// The pids of this process's children whose program is `comm`, or of all of them when `comm` is empty
// (from /proc: the process table).
std::vector<pid_t> children_named(const std::string& comm) {
  std::vector<pid_t> out;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(e.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    const auto open = line.find('('), close = line.rfind(')');
    if (open == std::string::npos || close == std::string::npos) continue;
    const std::string command = line.substr(open + 1, close - open - 1);
    char state = 0;
    long ppid = 0;
    std::sscanf(line.c_str() + close + 2, "%c %ld", &state, &ppid);
    if ((comm.empty() || command == comm) && ppid == ::getpid() && state != 'Z') out.push_back(std::stoi(name));
  }
  return out;
}

Scenario small(Task task, Transport t, std::size_t bytes, std::size_t batch) {
  Scenario s;
  s.task = task;
  s.transport = t;
  s.message_bytes = bytes;
  s.batch = batch;
  s.watchdog_s = 30;
  s.settle_s = 0.5;
  return s;
}

// A batch's counts against the system's promise: every message sent, each delivery either made or lost
// (`deliveries`: sent, or sent times the subscribers), and losses, duplicates and (with `order`) reorders
// only where the promise allows them.
void expect_promise_kept(const System& s, const Counters& got, std::size_t sent, double deliveries,
                         bool order = true) {
  EXPECT_EQ(counter(got, "sent"), sent);
  EXPECT_EQ(counter(got, "delivered") + counter(got, "lost"), deliveries);
  if (s.promise.delivery != Guarantee::at_most_once) {
    EXPECT_EQ(counter(got, "lost"), 0);
  }
  if (s.promise.delivery != Guarantee::at_least_once) {
    EXPECT_EQ(counter(got, "duplicated"), 0);
  }
  if (order && s.promise.per_producer_order) {
    EXPECT_EQ(counter(got, "reordered"), 0);
  }
}

// --- every registered system keeps its promise --------------------------------

class EverySystem : public ::testing::TestWithParam<std::string> {};

TEST_P(EverySystem, DeliversWhatItPromisesOnEveryTransportAndTask) {
  const System& s = *systems().find(GetParam());
  if (s.costly_server) GTEST_SKIP() << "a costly server start: tested on one shared server (CostlyServer.*)";
  for (Transport t : s.transports) {
    for (Task task : {Task::throughput, Task::ping_pong, Task::open_loop}) {
      if (!s.has(task)) continue;
      for (std::size_t bytes : {std::size_t{64}, std::size_t{16384}}) {
        SCOPED_TRACE(std::string(task_name(task)) + "/" + transport_name(t) + "/" + std::to_string(bytes));
        // Fewer large messages: a 16 KB round trip through a broker under ASan takes milliseconds.
        const std::size_t batch = bytes > 1024 ? 100 : 500;
        std::unique_ptr<Case> c;
        const std::string start = error_of([&] { c = make_case(s, small(task, t, bytes, batch)); });
        if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
        ASSERT_EQ(start, "");
        ASSERT_EQ(check_error(*c), "");
        c->run();
        c->run();
        const Counters got = c->observe();
        if (s.server) {
          EXPECT_GT(counter(got, "server_cpu_s_per_million"), 0);  // the server did the relaying
        }
        if (task != Task::ping_pong) {
          expect_promise_kept(s, got, batch, batch);
          EXPECT_GT(counter(got, "message_mb_per_s"), 0);
        }
        if (task != Task::throughput) {
          EXPECT_GT(counter(got, "p50_ns"), 0);
          EXPECT_GE(counter(got, "max_ns"), counter(got, "p999_ns"));
        }
      }
    }
  }
}

std::vector<std::string> system_names() {
  systems().sort();
  return systems().names();
}

std::string test_name(const ::testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

// Several ends, on the system's first transport at 64 B (kept small for the CI's time): 2 producers
// and 2 competing consumers share the messages, each exactly once across them by the promise; 2
// subscribers each receive every message.
TEST_P(EverySystem, SharesAmongCompetingConsumersAndFansOutToEverySubscriber) {
  const System& s = *systems().find(GetParam());
  if (s.costly_server) GTEST_SKIP() << "a costly server start: tested on one shared server (CostlyServer.*)";
  bool ran = false;
  for (Task task : {Task::throughput, Task::fan_out}) {
    if (!s.has(task) || (task == Task::throughput && !s.competing_consumers)) continue;
    SCOPED_TRACE(task_name(task));
    const std::size_t batch = 200;
    Scenario sc = small(task, s.transports.front(), 64, batch);
    if (task == Task::throughput) sc.producers = sc.consumers = 2;
    sc.subscribers = 2;
    std::unique_ptr<Case> c;
    const std::string start = error_of([&] { c = make_case(s, sc); });
    if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
    ASSERT_EQ(start, "");
    ASSERT_EQ(check_error(*c), "");
    c->run();
    const Counters got = c->observe();
    const double deliveries = task == Task::fan_out ? 2.0 * batch : batch;  // per subscriber, or once in all
    expect_promise_kept(s, got, batch, deliveries, /*order=*/false);
    // What reached the ends, beside what was sent: a lossy fan_out must not read as a full one.
    EXPECT_DOUBLE_EQ(counter(got, "delivered_ratio"), counter(got, "delivered") / deliveries);
    if (task == Task::fan_out) {
      EXPECT_LE(counter(got, "lost_worst_subscriber"), counter(got, "lost"));
      EXPECT_GT(counter(got, "delivered_per_subscriber_per_s"), 0);
    }
    ran = true;
  }
  if (!ran) GTEST_SKIP() << "no competing consumers and no fan_out";
}

INSTANTIATE_TEST_SUITE_P(Systems, EverySystem, ::testing::ValuesIn(system_names()), test_name);

// A consumer that goes away mid-stream: the producer's sends go on, stop being accepted or throw
// MessagingError, but never end the process (SIGPIPE on a socket whose peer has closed).
TEST_P(EverySystem, AConsumerThatGoesAwayNeverEndsTheProcess) {
  const System& s = *systems().find(GetParam());
  if (s.server || !s.has(Task::throughput)) GTEST_SKIP() << "needs a server, or has no consumer";
  for (Transport t : s.transports) {
    if (t == Transport::inproc) continue;
    SCOPED_TRACE(transport_name(t));
    Endpoint e;
    e.transport = t;
    const std::string dir = make_private_dir("messaging-test");
    e.path = dir + "/channel.sock";
    e.port = free_loopback_port("messaging-test");
    {
      auto session = s.open(e);
      auto consumer = session->consumer();
      auto producer = session->producer();
      const PayloadTemplate payload(1024);
      auto message = payload.buffer();
      std::vector<std::byte> got;
      ASSERT_TRUE(producer->send(message, Millis(1000)));
      ASSERT_TRUE(consumer->receive(got, Millis(5000)));
      consumer.reset();
      // Reaching the end of this loop alive is half the test; the producer noticing (a send not
      // accepted, or an error) before 10 MB went nowhere is the other.
      bool noticed = false;
      for (int i = 0; i < 10000 && !noticed; ++i) {
        try {
          noticed = !producer->send(message, Millis(10));
        } catch (const MessagingError&) {
          noticed = true;
        }
      }
      EXPECT_TRUE(noticed) << "10000 messages accepted with no consumer";
    }
    std::filesystem::remove_all(dir);
  }
}

TEST(Registry, EverySystemDeclaresTasksTransportsAndASession) {
  ASSERT_FALSE(systems().all().empty());
  for (const auto& s : systems().all()) {
    EXPECT_FALSE(s.tasks.empty()) << s.name;
    EXPECT_FALSE(s.transports.empty()) << s.name;
    EXPECT_TRUE(static_cast<bool>(s.open)) << s.name;
    if (s.server) {
      EXPECT_FALSE(s.server(s.transports.front()).package.empty()) << s.name << " names no package";
    }
  }
}

// --- planted faults -----------------------------------------------------------

enum class Fault { none, drop, corrupt, duplicate, reorder, never_deliver };

// An in-process channel that plants one fault at the 100th message of every 1000 (one per batch).
class Channel {
 public:
  explicit Channel(Fault f) : fault_(f) {}
  void push(Bytes m) {
    std::lock_guard lock(mutex_);
    std::vector<std::byte> copy(m.begin(), m.end());
    const bool planted = ++count_ % 1000 == 100;
    if (planted && fault_ == Fault::drop) return;
    if (planted && fault_ == Fault::corrupt) copy[copy.size() / 2] ^= std::byte{1};
    if (planted && fault_ == Fault::reorder) {  // held back, sent after the next one
      held_ = std::move(copy);
      return;
    }
    items_.push_back(copy);
    if (planted && fault_ == Fault::duplicate) items_.push_back(copy);
    if (!held_.empty()) items_.push_back(std::exchange(held_, {}));
    changed_.notify_one();
  }
  bool pop(std::vector<std::byte>& out, Millis timeout) {
    std::unique_lock lock(mutex_);
    if (!changed_.wait_for(lock, timeout, [&] { return !items_.empty() && fault_ != Fault::never_deliver; })) return false;
    out = std::move(items_.front());
    items_.pop_front();
    return true;
  }

 private:
  Fault fault_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::vector<std::byte>> items_;
  std::vector<std::byte> held_;
  std::uint64_t count_ = 0;
};

// ping_pong: the fault on the way out. fan_out: every subscriber has a channel of its own, and only
// subscriber `faulty_subscriber` (from 0) gets the fault.
class FaultySession final : public Session {
 public:
  explicit FaultySession(Fault f, int faulty_subscriber = 0) : fault_(f), faulty_(faulty_subscriber), to_(f), back_(Fault::none) {}
  std::unique_ptr<Consumer> subscriber() override {
    const int k = static_cast<int>(subscribers_.size());
    subscribers_.emplace_back(k == faulty_ ? fault_ : Fault::none);
    struct C : Consumer {
      Channel& ch;
      explicit C(Channel& c) : ch(c) {}
      bool receive(std::vector<std::byte>& out, Millis t) override { return ch.pop(out, t); }
    };
    return std::make_unique<C>(subscribers_.back());
  }
  std::unique_ptr<Consumer> consumer() override {
    struct C : Consumer {
      Channel& ch;
      explicit C(Channel& c) : ch(c) {}
      bool receive(std::vector<std::byte>& out, Millis t) override { return ch.pop(out, t); }
    };
    return std::make_unique<C>(to_);
  }
  std::unique_ptr<Producer> producer() override {
    struct P : Producer {
      std::vector<Channel*> to;
      bool send(Bytes m, Millis) override {
        for (Channel* ch : to) ch->push(m);
        return true;
      }
    };
    auto p = std::make_unique<P>();
    if (subscribers_.empty()) p->to.push_back(&to_);
    for (auto& ch : subscribers_) p->to.push_back(&ch);
    return p;
  }
  std::unique_ptr<Replier> replier() override {
    struct R : Replier {
      Channel &in, &out;
      R(Channel& i, Channel& o) : in(i), out(o) {}
      bool receive_request(std::vector<std::byte>& m, Millis t) override { return in.pop(m, t); }
      void reply(Bytes m) override { out.push(m); }
    };
    return std::make_unique<R>(to_, back_);
  }
  std::unique_ptr<Requester> requester() override {
    struct Q : Requester {
      Channel &out, &in;
      Q(Channel& o, Channel& i) : out(o), in(i) {}
      bool send_request(Bytes m, Millis) override {
        out.push(m);
        return true;
      }
      bool await_reply(std::vector<std::byte>& m, Millis t) override { return in.pop(m, t); }
    };
    return std::make_unique<Q>(to_, back_);
  }

 private:
  Fault fault_;
  int faulty_;
  Channel to_, back_;
  std::deque<Channel> subscribers_;  // fan_out (a deque: a Channel does not move)
};

System faulty(Fault f, Guarantee g, bool ordered, int faulty_subscriber = 0) {
  return {.name = "faulty",
          .promise = {g, ordered},
          .transports = {Transport::inproc},
          .tasks = {Task::throughput, Task::ping_pong, Task::fan_out},
          .open = [f, faulty_subscriber](const Endpoint&) -> std::unique_ptr<Session> {
            return std::make_unique<FaultySession>(f, faulty_subscriber);
          },
          .competing_consumers = true};  // one channel popped by every consumer: each message to one
}

// The check() result of a throughput row on a faulty channel: its error, and its counts when it passed.
struct Outcome {
  std::string error;
  Counters counts;
};
Outcome throughput(Fault f, Guarantee g, bool ordered, Scenario sc = small(Task::throughput, Transport::inproc, 64, 1000),
                   int faulty_subscriber = 0) {
  sc.settle_s = 0.05;
  sc.watchdog_s = 0.5;  // a promise of delivery waits for the missing message this long
  auto c = make_case(faulty(f, g, ordered, faulty_subscriber), sc);
  Outcome o;
  o.error = check_error(*c);
  if (o.error.empty()) o.error = error_of([&] { c->run(); });
  if (o.error.empty()) o.counts = c->observe();
  return o;
}

TEST(PlantedFaults, ACleanChannelPassesEveryPromise) {
  for (Guarantee g : {Guarantee::at_most_once, Guarantee::at_least_once, Guarantee::exactly_once}) {
    const Outcome o = throughput(Fault::none, g, true);
    EXPECT_EQ(o.error, "") << guarantee_name(g);
  }
}

TEST(PlantedFaults, OneDroppedMessageFailsAnAtLeastOnceOrExactlyOnceRow) {
  for (Guarantee g : {Guarantee::at_least_once, Guarantee::exactly_once}) {
    const Outcome o = throughput(Fault::drop, g, true);
    EXPECT_NE(o.error.find("1 messages lost"), std::string::npos) << o.error;
  }
}

TEST(PlantedFaults, OneDroppedMessageIsCountedOnAnAtMostOnceRow) {
  const Outcome o = throughput(Fault::drop, Guarantee::at_most_once, true);
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(counter(o.counts, "lost"), 1);  // per timed batch
  EXPECT_EQ(counter(o.counts, "delivered"), 999);
  EXPECT_EQ(counter(o.counts, "sent"), 1000);
}

TEST(PlantedFaults, ACorruptedByteFailsEveryPromise) {
  for (Guarantee g : {Guarantee::at_most_once, Guarantee::at_least_once, Guarantee::exactly_once}) {
    const Outcome o = throughput(Fault::corrupt, g, false);
    EXPECT_NE(o.error.find("damaged payload"), std::string::npos) << guarantee_name(g) << ": " << o.error;
  }
}

TEST(PlantedFaults, ADuplicateFailsAtMostOnceAndExactlyOnceAndIsCountedForAtLeastOnce) {
  for (Guarantee g : {Guarantee::at_most_once, Guarantee::exactly_once}) {
    const Outcome o = throughput(Fault::duplicate, g, true);
    EXPECT_NE(o.error.find("delivered twice or more"), std::string::npos) << guarantee_name(g) << ": " << o.error;
  }
  const Outcome o = throughput(Fault::duplicate, Guarantee::at_least_once, true);
  ASSERT_EQ(o.error, "");
  EXPECT_EQ(counter(o.counts, "duplicated"), 1);
  EXPECT_EQ(counter(o.counts, "reordered"), 0);  // a redelivery is not an order inversion
}

TEST(PlantedFaults, AReorderFailsAnOrderedPromiseAndIsCountedOtherwise) {
  const Outcome bad = throughput(Fault::reorder, Guarantee::exactly_once, true);
  EXPECT_NE(bad.error.find("out of their producer's order"), std::string::npos) << bad.error;
  const Outcome counted = throughput(Fault::reorder, Guarantee::exactly_once, false);
  ASSERT_EQ(counted.error, "");
  EXPECT_EQ(counter(counted.counts, "reordered"), 1);
  EXPECT_EQ(counter(counted.counts, "lost"), 0);
}

// 2 producers, 2 competing consumers: each producer's messages are judged across both consumers
// (a loss or a duplicate of one message is found whichever consumer took it). Fan-out to 3
// subscribers of which only the second misses a message: counted for that subscriber alone on an
// at-most-once row, a failed row for a promise of delivery.
TEST(PlantedFaults, ALossOrDuplicateIsFoundAcrossCompetingConsumersAndOnOneSubscriberOfAFanOut) {
  Scenario pairs = small(Task::throughput, Transport::inproc, 64, 2000);
  pairs.producers = pairs.consumers = 2;
  const Outcome clean = throughput(Fault::none, Guarantee::exactly_once, true, pairs);
  ASSERT_EQ(clean.error, "");
  EXPECT_EQ(counter(clean.counts, "delivered"), 2000);
  const Outcome duplicate = throughput(Fault::duplicate, Guarantee::exactly_once, true, pairs);
  EXPECT_NE(duplicate.error.find("delivered twice or more"), std::string::npos) << duplicate.error;
  const Outcome counted = throughput(Fault::drop, Guarantee::at_most_once, true, pairs);
  ASSERT_EQ(counted.error, "");
  EXPECT_GE(counter(counted.counts, "lost"), 1);  // one per 1000 pushes: markers ride the same channel
  EXPECT_EQ(counter(counted.counts, "delivered") + counter(counted.counts, "lost"), 2000);

  Scenario fan = small(Task::fan_out, Transport::inproc, 64, 1000);
  fan.subscribers = 3;
  const Outcome lossy = throughput(Fault::drop, Guarantee::at_most_once, true, fan, 1);
  ASSERT_EQ(lossy.error, "");
  EXPECT_EQ(counter(lossy.counts, "sent"), 1000);
  EXPECT_EQ(counter(lossy.counts, "lost"), 1);
  EXPECT_EQ(counter(lossy.counts, "lost_worst_subscriber"), 1);
  EXPECT_EQ(counter(lossy.counts, "delivered"), 2999);
  const Outcome broken = throughput(Fault::drop, Guarantee::at_least_once, true, fan, 1);
  EXPECT_NE(broken.error.find("1 messages lost"), std::string::npos) << broken.error;
  EXPECT_NE(broken.error.find("lost 1 (worst subscriber: 1)"), std::string::npos) << broken.error;
}

TEST(PlantedFaults, TheOpenLoopHoldsTheSamePromisesAndTimesOnlyFirstDeliveries) {
  Scenario sc = small(Task::open_loop, Transport::inproc, 64, 1000);
  sc.rate_per_s = 50'000;
  sc.settle_s = 0.05;
  sc.watchdog_s = 0.5;
  auto lossy = make_case(faulty(Fault::drop, Guarantee::exactly_once, true), sc);
  EXPECT_NE(check_error(*lossy).find("1 messages lost"), std::string::npos);
  auto counted = make_case(faulty(Fault::duplicate, Guarantee::at_least_once, true), sc);
  ASSERT_EQ(check_error(*counted), "");
  counted->run();
  const Counters got = counted->observe();
  EXPECT_EQ(counter(got, "duplicated"), 1);
  EXPECT_GT(counter(got, "p50_ns"), 0);
}

TEST(PlantedFaults, ACorruptedReplyFailsAPingPongRow) {
  auto c = make_case(faulty(Fault::corrupt, Guarantee::exactly_once, true), small(Task::ping_pong, Transport::inproc, 64, 300));
  const std::string error = check_error(*c);
  EXPECT_NE(error.find("replies were not the request sent"), std::string::npos) << error;
}

TEST(PlantedFaults, AChannelThatNeverDeliversIsAnErrorWithTheCountsSoFar) {
  for (Task task : {Task::throughput, Task::ping_pong}) {
    Scenario sc = small(task, Transport::inproc, 64, 200);
    sc.watchdog_s = 0.3;
    auto c = make_case(faulty(Fault::never_deliver, Guarantee::exactly_once, true), sc);
    const std::string error = check_error(*c);
    EXPECT_NE(error.find("watchdog: no progress"), std::string::npos) << error;
    EXPECT_NE(error.find(task == Task::throughput ? "sent 200, delivered 0" : "round trips done: 0 of 200"),
              std::string::npos)
        << error;
  }
}

TEST(Promises, EachCountBreaksOnlyThePromisesThatForbidIt) {
  Counts lost;
  lost.sent = 10;
  lost.lost = 1;
  EXPECT_EQ(broken_promise({Guarantee::at_most_once, true}, lost), "");
  EXPECT_NE(broken_promise({Guarantee::at_least_once, true}, lost), "");
  Counts late = {};
  late.late = 3;
  EXPECT_EQ(broken_promise({Guarantee::exactly_once, true}, late), "");  // counted in the batch it belonged to
}

// --- payloads -----------------------------------------------------------------

TEST(Payload, EveryChangedByteAndEverySizeChangeIsNotIntact) {
  for (std::size_t bytes : {std::size_t{8}, std::size_t{16}, std::size_t{64}, std::size_t{1024}}) {
    const PayloadTemplate t(bytes);
    auto b = t.buffer();
    t.write(b, 3, 12345);
    ASSERT_TRUE(t.view(b).intact());
    EXPECT_EQ(t.view(b).producer(), 3u);
    EXPECT_EQ(t.view(b).seq(), 12345u);
    for (std::size_t i = 8; i < bytes; ++i) {  // the tag's bytes are the sequence check's
      auto damaged = b;
      damaged[i] ^= std::byte{0x10};
      EXPECT_FALSE(t.view(damaged).intact()) << bytes << " bytes, byte " << i;
    }
    auto shorter = b;
    shorter.pop_back();
    EXPECT_FALSE(t.view(shorter).intact());
    auto longer = b;
    longer.push_back(std::byte{0});
    EXPECT_FALSE(t.view(longer).intact());
    if (bytes > 8) {  // another message's tag on this body
      auto spliced = b;
      const std::uint64_t other = PayloadTemplate::tag_of(3, 12346);
      std::memcpy(spliced.data(), &other, 8);
      EXPECT_FALSE(t.view(spliced).intact());
    }
  }
}

// --- servers ------------------------------------------------------------------

const System* with_server() {
  for (const auto& s : systems().all())
    if (s.server && s.has(Task::throughput) && !s.costly_server) return &s;
  return nullptr;
}

TEST(Servers, AMissingProgramNamesItsDebianPackage) {
  const System* real = with_server();
  if (!real) GTEST_SKIP() << "no registered system needs a server";
  System missing = *real;
  const auto spec = real->server(real->transports.front());
  missing.server = [spec](Transport) {
    ServerSpec s = spec;
    s.argv[0] = "/nonexistent/hotbench-missing-server";
    return s;
  };
  const std::string error =
      error_of([&] { make_case(missing, small(Task::throughput, missing.transports.front(), 64, 100)); });
  EXPECT_NE(error.find("install the Debian package " + spec.package), std::string::npos) << error;
}

// Every system with a server: its server killed in the middle of a batch ends the row in bounded
// time as an error row saying so, with the counts so far, and leaves no process behind.
TEST_P(EverySystem, AServerKilledMidRowIsAnErrorRowAndLeavesNoProcess) {
  const System& s = *systems().find(GetParam());
  if (!s.server || !s.has(Task::throughput)) GTEST_SKIP() << "no server, or no producer/consumer channel";
  if (s.costly_server) GTEST_SKIP() << "a costly server start: its kill is tested by CostlyServer.*";
  const std::string program = std::filesystem::path(s.server(s.transports.front()).argv[0]).filename();
  ASSERT_TRUE(children_named(program).empty()) << "a " << program << " is running before the test";
  std::unique_ptr<Case> c;
  const std::string start =
      error_of([&] { c = make_case(s, small(Task::throughput, s.transports.front(), 64, std::size_t{1} << 24)); });
  if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
  ASSERT_EQ(start, "");
  const auto servers = children_named(program);
  ASSERT_EQ(servers.size(), 1u);
  // The batch (16 M messages) takes far longer than this pause; the kill lands in the middle of it.
  std::thread killer([pid = servers[0]] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    ::kill(pid, SIGKILL);
  });
  const std::string error = check_error(*c);
  killer.join();
  EXPECT_NE(error.find("server exited"), std::string::npos) << error;
  EXPECT_NE(error.find("sent "), std::string::npos) << error;  // the counts so far
  c.reset();
  EXPECT_TRUE(children_named(program).empty());
}

// --- the fault task: a broker killed and restarted mid-batch -----------------------

Scenario fault_scenario(Transport t, std::size_t batch, double watchdog_s) {
  Scenario sc = small(Task::fault, t, 64, batch);
  sc.watchdog_s = watchdog_s;
  return sc;
}

std::vector<std::string> persisted_system_names() {
  std::vector<std::string> out;
  for (const auto& s : system_names())
    if (systems().find(s)->has(Task::fault) && !systems().find(s)->costly_server) out.push_back(s);
  return out;
}

class PersistedSystem : public ::testing::TestWithParam<std::string> {};

// Two cycles (check() and one timed run), each killing the server once half of the batch is
// acknowledged. A system whose acknowledged messages survive a kill (acks_survive_kill) loses none:
// every message arrives and the stall is measured. Any other may end as an error row, but only as
// the promise's verdict on acknowledged messages lost, never as a stuck producer or a server that
// did not come back. Either way the restarted server is the only one running during the row and
// none is left after it.
TEST_P(PersistedSystem, KeepsItsAcknowledgedMessagesAcrossABrokerKillOrSaysWhichWereLost) {
  const System& s = *systems().find(GetParam());
  const std::string program = std::filesystem::path(s.server(s.transports.front()).argv[0]).filename();
  ASSERT_TRUE(children_named(program).empty()) << "a " << program << " is running before the test";
  const std::size_t batch = 600;
  std::unique_ptr<Case> c;
  // 3 s without progress: JetStream redelivers after AckWait (1 s); a loss costs the test this wait.
  const std::string start = error_of([&] { c = make_case(s, fault_scenario(s.transports.front(), batch, 3)); });
  if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
  ASSERT_EQ(start, "");
  std::string error = check_error(*c);
  EXPECT_EQ(children_named(program).size(), 1u);  // the killed server was reaped, its successor runs
  if (error.empty()) error = error_of([&] { c->run(); });
  if (error.empty()) {
    const Counters got = c->observe();
    EXPECT_EQ(counter(got, "acked_lost"), 0);
    EXPECT_EQ(counter(got, "sent"), batch);
    EXPECT_EQ(counter(got, "delivered"), batch);
    EXPECT_GE(counter(got, "duplicated"), 0);  // counted, allowed by at least once
    EXPECT_GT(counter(got, "restart_ms"), 0);
    EXPECT_GT(counter(got, "stall_ms"), 0);
  } else if (s.acks_survive_kill) {
    ADD_FAILURE() << s.name << " promises that acknowledged messages survive a kill: " << error;
  } else {
    EXPECT_NE(error.find("acknowledged by the server before it was lost"), std::string::npos) << error;
  }
  c.reset();
  EXPECT_TRUE(children_named(program).empty());
}

INSTANTIATE_TEST_SUITE_P(Systems, PersistedSystem, ::testing::ValuesIn(persisted_system_names()), test_name);

// The judge of the fault task: a channel that loses one acknowledged message across the kill makes
// the row an error saying so. The "server" is a sleep(1) the case kills and restarts; the ends are
// the planted-fault channel, which acknowledges everything and drops its 100th message.
TEST(FaultTask, AnAcknowledgedMessageLostMakesTheRowAnError) {
  System lossy = faulty(Fault::drop, Guarantee::at_least_once, true);
  lossy.tasks.push_back(Task::fault);
  lossy.server = [](Transport) {
    ServerSpec spec;
    spec.name = "sleep";
    spec.argv = {"sleep", "60"};
    spec.probe = [](const ServerEndpoint&) { return true; };
    return spec;
  };
  auto c = make_case(lossy, fault_scenario(Transport::inproc, 400, 0.3));
  const std::string error = check_error(*c);
  EXPECT_NE(error.find("1 messages lost"), std::string::npos) << error;
  EXPECT_NE(error.find("1 of them acknowledged"), std::string::npos) << error;
  c.reset();
  EXPECT_TRUE(children_named("sleep").empty());
}

// --- systems whose server costs seconds to start (RabbitMQ) -------------------------------

// This process's children, any program (the tests start no other processes than servers).
std::vector<pid_t> all_children() { return children_named(""); }

// Processes named `comm` anywhere on the machine: an Erlang port mapper daemon (epmd) detaches from
// whoever started it, so a stray one is nobody's child.
int processes_named(const std::string& comm) {
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc")) {
    if (e.path().filename().string().find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "comm");
    std::string name;
    if (std::getline(in, name) && name == comm) ++n;
  }
  return n;
}

std::vector<const System*> costly_systems() {
  std::vector<const System*> out;
  for (const auto& name : system_names())
    if (systems().find(name)->costly_server) out.push_back(&*systems().find(name));
  return out;
}

// Every system with a costly server, on ONE server of that kind (a start costs 5-7 CPU-seconds, where
// the generic tests would start one per task and size): each task it declares through the real
// driver and its promise judge (throughput 1/1 at 64 B and 16 KB, 2/2 with competing consumers,
// ping_pong, fan_out to 2 subscribers), each row on a session of its own; the system is given to
// the driver without a server and opens its sessions on the shared one. Then the fault row of each
// that declares it, on the same server: one cycle, the server killed (SIGKILL) once half of the
// batch is acknowledged and restarted on the same folder and port; a system whose acknowledged
// messages survive a kill loses none. Nothing of the server is left afterwards, and no epmd.
TEST(CostlyServer, EveryTaskKeepsItsPromiseAndABrokerKillLosesNoAcknowledgedMessageOnOneServer) {
  const auto costly = costly_systems();
  if (costly.empty()) GTEST_SKIP() << "no system with a costly server";
  ASSERT_TRUE(all_children().empty());
  const int epmd_before = processes_named("epmd");
  const ServerSpec spec = costly.front()->server(costly.front()->transports.front());
  std::unique_ptr<ServerProcess> server;
  const std::string start = error_of([&] { server = std::make_unique<ServerProcess>(spec); });
  if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
  ASSERT_EQ(start, "");
  Endpoint shared_endpoint;
  shared_endpoint.transport = costly.front()->transports.front();
  shared_endpoint.host = server->endpoint().host;
  shared_endpoint.port = server->endpoint().port;
  std::vector<const System*> same_server;
  for (const System* real : costly)
    if (real->server(real->transports.front()).argv == spec.argv) same_server.push_back(real);
  for (const System* real : same_server) {
    System s = *real;
    s.server = {};
    s.open = [real, shared_endpoint](const Endpoint&) { return real->open(shared_endpoint); };
    struct Row {
      Task task;
      std::size_t bytes, batch;
      int ends;  // producers = consumers (throughput), subscribers (fan_out)
    };
    std::vector<Row> rows = {{Task::throughput, 64, 500, 1}, {Task::throughput, 16384, 100, 1}};
    if (s.competing_consumers) rows.push_back({Task::throughput, 64, 400, 2});
    if (s.has(Task::ping_pong)) rows.push_back({Task::ping_pong, 64, 100, 1});
    if (s.has(Task::fan_out)) rows.push_back({Task::fan_out, 64, 200, 2});
    for (const Row& row : rows) {
      SCOPED_TRACE(s.name + " " + task_name(row.task) + "/" + std::to_string(row.bytes) + "/ends " +
                   std::to_string(row.ends));
      Scenario sc = small(row.task, shared_endpoint.transport, row.bytes, row.batch);
      if (row.task == Task::throughput) sc.producers = sc.consumers = row.ends;
      if (row.task == Task::fan_out) sc.subscribers = row.ends;
      std::unique_ptr<Case> c;
      ASSERT_EQ(error_of([&] { c = make_case(s, sc); }), "");
      ASSERT_EQ(check_error(*c), "");
      c->run();
      const Counters got = c->observe();
      if (row.task == Task::ping_pong) {
        EXPECT_GT(counter(got, "p50_ns"), 0);
        EXPECT_GE(counter(got, "max_ns"), counter(got, "p999_ns"));
        continue;
      }
      const double deliveries = row.task == Task::fan_out ? 2.0 * row.batch : row.batch;
      expect_promise_kept(s, got, row.batch, deliveries);
    }
  }
  EXPECT_EQ(all_children().size(), 1u);  // the server, and nothing it started outside itself
  for (const System* s : same_server) {
    if (!s->has(Task::fault)) continue;
    SCOPED_TRACE(s->name + " fault");
    std::unique_ptr<Case> c;
    ASSERT_EQ(error_of([&] { c = make_fault_case(*s, fault_scenario(shared_endpoint.transport, 600, 10), *server); }), "");
    const std::string error = check_error(*c);
    if (s->acks_survive_kill) {
      EXPECT_EQ(error, "");
    } else if (!error.empty()) {
      EXPECT_NE(error.find("acknowledged by the server before it was lost"), std::string::npos) << error;
    }
    c.reset();
    EXPECT_EQ(all_children().size(), 1u);  // the killed server was reaped, its successor runs
  }
  server.reset();
  EXPECT_TRUE(all_children().empty());
  EXPECT_EQ(processes_named("epmd"), epmd_before);
}

// --- a killed consumer: a new consumer end takes over -----------------------------

std::vector<std::string> consumer_fault_system_names() {
  std::vector<std::string> out;
  for (const auto& s : system_names())
    if (systems().find(s)->has(Task::consumer_fault)) out.push_back(s);
  return out;
}

class ConsumerFault : public ::testing::TestWithParam<std::string> {};

// Two cycles, each destroying the consumer's end (no goodbye) once half of the batch was delivered
// and making a new one on the same session. What the old end had taken and not acknowledged comes
// again (duplicates are allowed), and nothing acknowledged to the producer may be missing, unless
// the system's client acknowledges on receipt, before the application has the message
// (consumer_acks_on_receipt): then the row may be an error row, and it must say so.
TEST_P(ConsumerFault, RedeliversToTheNextConsumerWhatTheKilledOneHadNotAcknowledged) {
  const System& s = *systems().find(GetParam());
  const std::string program = std::filesystem::path(s.server(s.transports.front()).argv[0]).filename();
  const std::size_t batch = 600;
  std::unique_ptr<Case> c;
  // 3 s without progress: JetStream redelivers after AckWait (1 s); a loss costs the test this wait.
  Scenario sc = fault_scenario(s.transports.front(), batch, 3);
  sc.task = Task::consumer_fault;
  const std::string start = error_of([&] { c = make_case(s, sc); });
  if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
  ASSERT_EQ(start, "");
  std::string error = check_error(*c);
  if (error.empty()) error = error_of([&] { c->run(); });
  if (error.empty()) {
    const Counters got = c->observe();
    EXPECT_EQ(counter(got, "acked_lost"), 0);
    EXPECT_EQ(counter(got, "delivered"), batch);
    EXPECT_GE(counter(got, "duplicated"), 0);
    EXPECT_GT(counter(got, "stall_ms"), 0);
    for (const auto& [name, value] : got) EXPECT_NE(name, "restart_ms") << "no server was restarted";
  } else if (!s.consumer_acks_on_receipt) {
    ADD_FAILURE() << s.name << " redelivers what a consumer did not acknowledge: " << error;
  } else {
    EXPECT_NE(error.find("acknowledged by the server before the consumer was killed"), std::string::npos) << error;
  }
  EXPECT_EQ(children_named(program).size(), 1u);  // the server was not touched
  c.reset();
  EXPECT_TRUE(children_named(program).empty());
}

INSTANTIATE_TEST_SUITE_P(Systems, ConsumerFault, ::testing::ValuesIn(consumer_fault_system_names()), test_name);

// --- a broker of the user's (the endpoints setting) --------------------------------

// The test plays the user: it starts a redis-server of its own and points a redis:streams row at it.
// The row starts no server, runs its delivery checks there, says where it ran, leaves the server
// running and its keys deleted; a fault row (which kills the broker) is refused there.
TEST(UsersEndpoint, ARowRunsOnTheUsersBrokerAndLeavesItRunning) {
  const System& s = *systems().find("redis:streams");
  std::unique_ptr<ServerProcess> users;
  const std::string start = error_of([&] { users = std::make_unique<ServerProcess>(redis_server_spec()); });
  if (start.find("not found: install the Debian package") != std::string::npos) GTEST_SKIP() << start;
  ASSERT_EQ(start, "");
  const std::string address = "127.0.0.1:" + std::to_string(users->endpoint().port);
  Scenario sc = small(Task::throughput, Transport::tcp, 64, 500);
  sc.user_endpoint = parse_user_endpoint(address);
  {
    auto c = make_case(s, sc);
    EXPECT_EQ(children_named("redis-server").size(), 1u) << "the row started a server of its own";
    Check check;
    const std::string thrown = error_of([&] { check = c->check(); });
    ASSERT_EQ(thrown + check.error, "");
    EXPECT_NE(check.label.find(address), std::string::npos) << check.label;
    c->run();
    const Counters got = c->observe();
    EXPECT_EQ(counter(got, "delivered"), counter(got, "sent"));
    EXPECT_EQ(counter(got, "sent"), 500);
  }
  EXPECT_TRUE(users->alive()) << "the row stopped the user's server";
  EXPECT_TRUE(can_connect_tcp(users->endpoint()));

  Scenario fault = fault_scenario(Transport::tcp, 100, 1);
  fault.user_endpoint = sc.user_endpoint;
  const System& aof = *systems().find("redis:streams_aof");
  EXPECT_NE(error_of([&] { make_case(aof, fault); }).find("never a user's"), std::string::npos);
  EXPECT_TRUE(users->alive());

  EXPECT_THROW(parse_user_endpoint("192.0.2.1:6379"), std::invalid_argument);
  EXPECT_THROW(parse_user_endpoint("unix:relative.sock"), std::invalid_argument);
  EXPECT_EQ(parse_user_endpoint("[::1]:4222").host, "::1");
}

TEST(Servers, EveryRowStopsItsServer) {
  const System* s = with_server();
  if (!s) GTEST_SKIP() << "no registered system needs a server";
  const std::string program = std::filesystem::path(s->server(s->transports.front()).argv[0]).filename();
  {
    std::unique_ptr<Case> c;
    const std::string start = error_of([&] { c = make_case(*s, small(Task::throughput, s->transports.front(), 64, 100)); });
    if (!start.empty()) GTEST_SKIP() << start;
    EXPECT_EQ(children_named(program).size(), 1u);
  }
  EXPECT_TRUE(children_named(program).empty());
}

}  // namespace
}  // namespace hotbench::messaging
