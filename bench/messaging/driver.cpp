#include "driver.h"

#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "../harness/clock.h"
#include "../harness/crew.h"
#include "../harness/histogram.h"
#include "../harness/server.h"
#include "../queue/delivery.h"
#include "payload.h"

namespace hotbench::messaging {

const char* guarantee_name(Guarantee g) {
  switch (g) {
    case Guarantee::at_most_once: return "at_most_once";
    case Guarantee::at_least_once: return "at_least_once";
    case Guarantee::exactly_once: return "exactly_once";
  }
  return "?";
}

const char* transport_name(Transport t) {
  switch (t) {
    case Transport::inproc: return "inproc";
    case Transport::ipc: return "ipc";
    case Transport::tcp: return "tcp";
  }
  return "?";
}

const char* task_name(Task t) {
  switch (t) {
    case Task::throughput: return "throughput";
    case Task::ping_pong: return "ping_pong";
    case Task::open_loop: return "open_loop";
    case Task::fault: return "fault";
  }
  return "?";
}

bool System::has(Task t) const {
  if (t == Task::open_loop) t = Task::throughput;  // the same ends
  for (Task x : tasks)
    if (x == t) return true;
  return false;
}
bool System::speaks(Transport t) const {
  for (Transport x : transports)
    if (x == t) return true;
  return false;
}

Registry<System>& systems() {
  static Registry<System> r;
  return r;
}
void add_system(System s) { systems().add(std::move(s)); }

std::string describe_counts(const Counts& c) {
  std::ostringstream o;
  o << "sent " << c.sent << ", delivered " << c.delivered << ", lost " << c.lost << ", duplicated " << c.duplicated
    << ", reordered " << c.reordered;
  if (c.late) o << ", late " << c.late;
  if (c.corrupt) o << ", damaged " << c.corrupt;
  if (c.foreign) o << ", foreign " << c.foreign;
  return o.str();
}

std::string broken_promise(const Promise& p, const Counts& c) {
  std::string why;
  auto add = [&](const std::string& s) { why += (why.empty() ? "" : "; ") + s; };
  if (c.corrupt) add(std::to_string(c.corrupt) + " messages with a damaged payload");
  if (c.foreign) add(std::to_string(c.foreign) + " messages that no producer of the batch sent");
  if (c.lost && p.delivery != Guarantee::at_most_once) add(std::to_string(c.lost) + " messages lost");
  if (c.duplicated && p.delivery != Guarantee::at_least_once)
    add(std::to_string(c.duplicated) + " messages delivered twice or more");
  if (c.reordered && p.per_producer_order) add(std::to_string(c.reordered) + " messages out of their producer's order");
  if (why.empty()) return why;
  return "delivery check failed (promise: " + std::string(guarantee_name(p.delivery)) +
         (p.per_producer_order ? ", per-producer order" : ", no order") + "): " + why + " (" + describe_counts(c) + ")";
}

namespace {

constexpr Millis kPoll{20};  // how long an end waits before the worker polls its stop flag again
constexpr Millis kFlush{5000};

// What a row owns besides its ends: the server (or the private folder of its
// ipc socket), the endpoint, the session. Destroyed after the ends.
struct Setup {
  std::unique_ptr<ServerProcess> server;
  std::string dir;  // a private folder of ours (ipc without a server); removed at the end
  Endpoint endpoint;
  std::unique_ptr<Session> session;

  Setup() = default;
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;
  ~Setup() {
    session.reset();
    server.reset();
    if (!dir.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir, ec);
    }
  }

  // CPU seconds the server has used so far, every thread (the sum of their
  // /proc schedstat run times: nanoseconds, where /proc/PID/stat counts 10 ms
  // ticks). 0 without a server. A thread that has exited is no longer counted,
  // so a difference is a lower bound when the server retires threads mid-row.
  double server_cpu_s() const {
    if (!server || server->pid() <= 0) return 0;
    double ns = 0;
    std::error_code ec;
    const std::string tasks = "/proc/" + std::to_string(server->pid()) + "/task";
    for (const auto& t : std::filesystem::directory_iterator(tasks, ec)) {
      std::ifstream in(t.path() / "schedstat");
      double on_cpu = 0;
      if (in >> on_cpu) ns += on_cpu;
    }
    return ns / 1e9;
  }

  // A failure of an end, with the server's state when it has one.
  std::string explain(const std::string& what) const {
    if (!server) return what;
    // A killed server's sockets close a moment before the process is seen to exit: look for up to 1 s.
    for (int i = 0; i < 100 && server->alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!server->alive()) return what + " (the server exited: " + server->log_tail(3) + ")";
    return what + " (the server is still running)";
  }
};

std::unique_ptr<Setup> set_up(const System& system, Transport t) {
  auto s = std::make_unique<Setup>();
  s->endpoint.transport = t;
  if (system.server) {
    s->server = std::make_unique<ServerProcess>(system.server(t));
    const auto& e = s->server->endpoint();
    s->endpoint.host = e.host;
    s->endpoint.port = e.port;
    s->endpoint.path = e.unix_socket;
  } else if (t == Transport::ipc) {
    s->dir = make_private_dir(system.name);
    s->endpoint.path = s->dir + "/channel.sock";
  } else if (t == Transport::tcp) {
    s->endpoint.port = free_loopback_port(system.name);
  } else {
    static std::atomic<int> rows{0};
    s->endpoint.name = "hotbench-" + std::to_string(::getpid()) + "-" + std::to_string(rows.fetch_add(1));
  }
  s->session = system.open(s->endpoint);
  return s;
}

class ThroughputCase final : public Case {
 public:
  ThroughputCase(const System& system, const Scenario& sc, std::unique_ptr<Setup> setup)
      : promise_(system.promise),
        sc_(sc),
        setup_(std::move(setup)),
        consumer_(setup_->session->consumer()),
        producer_(setup_->session->producer()),
        payload_(sc.message_bytes),
        delivery_(1, 1, sc.batch, false),
        paced_(sc.task == Task::open_loop),
        interval_ns_(paced_ ? 1e9 / sc.rate_per_s : 0),
        crew_(2, false, [this](int w, std::uint64_t b) {
          if (w == 0) produce(b);
          else consume(b);
        }) {}

  Work work() const override { return {0, 0, static_cast<double>(sc_.batch), Work::Unit::ops}; }
  Check check() override {
    batch();
    clear();
    return {};
  }
  void run() override { batch(); }
  Counters observe() override {
    Counters c;
    if (batches_ == 0) return c;
    const double n = static_cast<double>(batches_);
    c.emplace_back("sent", static_cast<double>(total_.sent) / n);
    c.emplace_back("delivered", static_cast<double>(total_.delivered) / n);
    c.emplace_back("lost", static_cast<double>(total_.lost) / n);
    c.emplace_back("duplicated", static_cast<double>(total_.duplicated) / n);
    c.emplace_back("reordered", static_cast<double>(total_.reordered) / n);
    c.emplace_back("message_mb_per_s",
                   seconds_ > 0 ? static_cast<double>(total_.delivered) * static_cast<double>(sc_.message_bytes) / seconds_ / 1e6
                                : 0.0);
    if (setup_->server) c.emplace_back("server_cpu_s_per_million", server_cpu_ / (n * static_cast<double>(sc_.batch)) * 1e6);
    if (paced_) {
      for (const auto& kv : histogram_.counters(clock_read_ns())) c.push_back(kv);
      c.emplace_back("clock_read_ns", clock_read_ns());
    }
    clear();
    return c;
  }

 private:
  void clear() {
    total_ = {};
    batches_ = 0;
    seconds_ = 0;
    server_cpu_ = 0;
    histogram_.clear();
  }
  void batch() {
    delivery_.begin(crew_.batches(), true);
    sent_ = unique_ = late_ = 0;
    producer_done_.store(false);
    start_ns_ = now_ns() + 200'000;  // open_loop: leaves the ends 200 us to wake up before the first send
    const std::uint64_t t0 = now_ns();
    const double cpu0 = setup_->server_cpu_s();
    try {
      crew_.run_batch([this] { return delivery_.delivered(); }, sc_.batch, sc_.watchdog_s);
    } catch (const std::exception& e) {
      // The counts so far, judged: a promise they already break says so first.
      const Counts c = counts();
      const std::string broken = broken_promise(promise_, c);
      throw std::runtime_error(broken.empty() ? setup_->explain(e.what()) + " (" + describe_counts(c) + ")"
                                              : broken + "; then " + setup_->explain(e.what()));
    }
    seconds_ += static_cast<double>(now_ns() - t0) / 1e9;
    server_cpu_ += setup_->server_cpu_s() - cpu0;
    const Counts c = counts();
    if (const std::string why = broken_promise(promise_, c); !why.empty()) throw std::runtime_error(why);
    total_.sent += c.sent;
    total_.delivered += c.delivered;
    total_.lost += c.lost;
    total_.duplicated += c.duplicated;
    total_.reordered += c.reordered;
    ++batches_;
  }
  Counts counts() const {
    const auto t = delivery_.tally();
    Counts c;
    c.sent = sent_;
    c.delivered = t.delivered;
    c.lost = t.lost;
    c.duplicated = t.duplicated;
    c.reordered = t.reordered;
    c.corrupt = t.corrupt;
    c.foreign = t.foreign;
    c.late = late_;
    return c;
  }
  void produce(std::uint64_t b) {
    try {
      auto buffer = payload_.buffer();
      const std::uint64_t first = b * sc_.batch;
      if (paced_) ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
      for (std::uint64_t i = 0; i < sc_.batch; ++i) {
        if (paced_ && !wait_until(intended(i))) return;
        payload_.write(buffer, 0, first + i);
        while (!producer_->send(buffer, kPoll))
          if (crew_.stopping()) return;
        ++sent_;
      }
      producer_->flush(kFlush);
      producer_done_.store(true);
    } catch (const std::exception& e) {
      crew_.fail(setup_->explain(std::string("producer: ") + e.what()));
    }
  }
  void consume(std::uint64_t b) {
    try {
      const std::uint64_t first = b * sc_.batch;
      const bool may_lose = promise_.delivery == Guarantee::at_most_once;
      std::vector<std::byte> buffer;
      std::uint64_t quiet_since = 0;
      while (!crew_.stopping()) {
        if (consumer_->receive(buffer, kPoll)) {
          quiet_since = 0;
          const auto view = payload_.view(buffer);
          if (view.producer() == 0 && view.seq() < first && view.intact()) {
            ++late_;  // a message of an earlier batch, counted as lost there
            continue;
          }
          const auto accepted = delivery_.accept(0, view);
          if (accepted == queue::Delivery::Accepted::first) {
            if (paced_) {
              const std::uint64_t t = now_ns(), due = intended(view.seq() - first);
              histogram_.record(t > due ? t - due : 0);
            }
            if (++unique_ == sc_.batch) return;
          }
          continue;
        }
        // Nothing came. A system that may lose messages: once the producer has flushed and the
        // channel has been quiet for settle_s, what has not come is lost.
        if (may_lose && producer_done_.load()) {
          const std::uint64_t now = now_ns();
          if (quiet_since == 0) quiet_since = now;
          else if (static_cast<double>(now - quiet_since) / 1e9 > sc_.settle_s) return;
        }
      }
    } catch (const std::exception& e) {
      crew_.fail(setup_->explain(std::string("consumer: ") + e.what()));
    }
  }

  std::uint64_t intended(std::uint64_t index) const {
    return start_ns_ + static_cast<std::uint64_t>(static_cast<double>(index) * interval_ns_);
  }
  // Sleeps until 20 us before `due`, then spins: a sleeping producer leaves the CPU to the consumer
  // and the server (two vCPUs here), a spinning one would take a whole one. The producer thread's
  // timer slack is 1 us (prctl), not the default 50 us, so the sleep ends close to its time.
  // now_ns() is steady_clock, which is CLOCK_MONOTONIC on Linux. False if stopped first.
  bool wait_until(std::uint64_t due) {
    for (std::uint64_t now = now_ns(); now < due; now = now_ns()) {
      if (crew_.stopping()) return false;
      if (due - now > 30'000) {
        const std::uint64_t wake = due - 20'000;
        const timespec t{static_cast<time_t>(wake / 1'000'000'000), static_cast<long>(wake % 1'000'000'000)};
        ::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr);
      }
    }
    return true;
  }

  Promise promise_;
  Scenario sc_;
  std::unique_ptr<Setup> setup_;
  std::unique_ptr<Consumer> consumer_;
  std::unique_ptr<Producer> producer_;
  PayloadTemplate payload_;
  queue::Delivery delivery_;
  bool paced_;
  double interval_ns_;
  std::uint64_t start_ns_ = 0;  // open_loop: the first message's intended send time, set before each batch
  LatencyHistogram histogram_;  // open_loop: written by the consumer during a batch
  std::uint64_t sent_ = 0, unique_ = 0, late_ = 0;  // per batch, written by one worker each
  std::atomic<bool> producer_done_{false};
  Counts total_;  // of the timed batches since the last observe()
  std::uint64_t batches_ = 0;
  double seconds_ = 0, server_cpu_ = 0;
  Crew crew_;  // last: its threads use the members above, and it joins them first
};

class PingPongCase final : public Case {
 public:
  PingPongCase(const Scenario& sc, std::unique_ptr<Setup> setup)
      : sc_(sc),
        setup_(std::move(setup)),
        replier_(setup_->session->replier()),
        requester_(setup_->session->requester()),
        payload_(sc.message_bytes),
        crew_(2, false, [this](int w, std::uint64_t b) {
          if (w == 0) initiate(b);
          else echo();
        }) {}

  Work work() const override { return {0, 0, static_cast<double>(sc_.batch), Work::Unit::ops}; }
  Check check() override {
    batch();
    histogram_.clear();
    server_cpu_ = 0;
    return {};
  }
  void run() override { batch(); }
  Counters observe() override {
    Counters c = histogram_.counters(clock_read_ns());
    c.emplace_back("clock_read_ns", clock_read_ns());
    if (setup_->server && histogram_.count() > 0)
      c.emplace_back("server_cpu_s_per_million", server_cpu_ / static_cast<double>(histogram_.count()) * 1e6);
    histogram_.clear();
    server_cpu_ = 0;
    return c;
  }

 private:
  void batch() {
    done_.store(0);
    bad_ = 0;
    const double cpu0 = setup_->server_cpu_s();
    try {
      crew_.run_batch([this] { return done_.load(std::memory_order_relaxed); }, sc_.batch, sc_.watchdog_s);
    } catch (const std::exception& e) {
      throw std::runtime_error(setup_->explain(e.what()) + " (round trips done: " + std::to_string(done_.load()) + " of " +
                               std::to_string(sc_.batch) + ")");
    }
    server_cpu_ += setup_->server_cpu_s() - cpu0;
    if (bad_)
      throw std::runtime_error("delivery check failed: " + std::to_string(bad_) + " of " + std::to_string(sc_.batch) +
                               " replies were not the request sent");
  }
  void initiate(std::uint64_t b) {
    try {
      auto request = payload_.buffer();
      std::vector<std::byte> reply;
      const std::uint64_t first = b * sc_.batch;
      for (std::uint64_t i = 0; i < sc_.batch; ++i) {
        payload_.write(request, 0, first + i);
        const std::uint64_t t0 = now_ns();
        while (!requester_->send_request(request, kPoll))
          if (crew_.stopping()) return;
        while (!requester_->await_reply(reply, kPoll))
          if (crew_.stopping()) return;
        const std::uint64_t t1 = now_ns();
        histogram_.record(t1 - t0);
        if (reply.size() != request.size() || std::memcmp(reply.data(), request.data(), reply.size()) != 0) ++bad_;
        done_.store(i + 1, std::memory_order_relaxed);
      }
    } catch (const std::exception& e) {
      crew_.fail(setup_->explain(std::string("requester: ") + e.what()));
    }
  }
  void echo() {
    try {
      std::vector<std::byte> request;
      while (done_.load(std::memory_order_relaxed) < sc_.batch && !crew_.stopping())
        if (replier_->receive_request(request, kPoll)) replier_->reply(request);
    } catch (const std::exception& e) {
      crew_.fail(setup_->explain(std::string("replier: ") + e.what()));
    }
  }

  Scenario sc_;
  std::unique_ptr<Setup> setup_;
  std::unique_ptr<Replier> replier_;
  std::unique_ptr<Requester> requester_;
  PayloadTemplate payload_;
  LatencyHistogram histogram_;  // written by the requester during a batch, read between batches
  std::atomic<std::uint64_t> done_{0};
  std::uint64_t bad_ = 0;
  double server_cpu_ = 0;  // of the batches since the last observe()
  Crew crew_;
};

}  // namespace

std::unique_ptr<Case> make_case(const System& system, const Scenario& sc) {
  if (!system.has(sc.task))
    throw std::invalid_argument(system.name + " has no " + task_name(sc.task) + " task");
  if (!system.speaks(sc.transport))
    throw std::invalid_argument(system.name + " does not speak " + transport_name(sc.transport));
  if (sc.message_bytes < 8 || sc.message_bytes % 8 != 0)
    throw std::invalid_argument("message_bytes must be a multiple of 8, from 8: " + std::to_string(sc.message_bytes));
  if (sc.task == Task::fault) return make_fault_case(system, sc);
  auto setup = set_up(system, sc.transport);
  if (sc.task != Task::ping_pong) return std::make_unique<ThroughputCase>(system, sc, std::move(setup));
  return std::make_unique<PingPongCase>(sc, std::move(setup));
}

}  // namespace hotbench::messaging
