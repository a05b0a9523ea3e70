#include "driver.h"

#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
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
    case Task::fan_out: return "fan_out";
    case Task::fault: return "fault";
    case Task::consumer_fault: return "consumer_fault";
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
  o << "sent " << c.sent << ", delivered " << c.delivered << ", lost " << c.lost;
  if (c.lost_worst_subscriber) o << " (worst subscriber: " << c.lost_worst_subscriber << ")";
  o << ", duplicated " << c.duplicated << ", reordered " << c.reordered;
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

Endpoint users_endpoint(Transport transport, const UserEndpoint& user) {
  Endpoint e;
  e.transport = transport;
  e.users_server = true;
  if (user.unix_socket) {
    e.path = user.path;
  } else {
    e.host = user.host;
    e.port = user.port;
  }
  return e;
}

std::string users_endpoint_label(const UserEndpoint& user) { return "the user's server at " + user.text; }

namespace {

std::string seconds_text(double s) {
  std::ostringstream o;
  o << s;
  return o.str();
}

constexpr Millis kPoll{20};  // how long an end waits before the worker polls its stop flag again
constexpr Millis kFlush{5000};

// What a row owns besides its ends: the server (or the private folder of its
// ipc socket), the endpoint, the session. Destroyed after the ends.
struct Setup {
  std::unique_ptr<ServerProcess> server;
  std::string dir;  // a private folder of ours (ipc without a server); removed at the end
  Endpoint endpoint;
  std::string label;  // the row's label: on a user's broker, where it ran
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

std::unique_ptr<Setup> set_up(const System& system, const Scenario& sc) {
  const Transport t = sc.transport;
  auto s = std::make_unique<Setup>();
  s->endpoint.transport = t;
  if (sc.user_endpoint) {
    if (!system.server) throw std::invalid_argument(system.name + " has no server: it cannot use a user's");
    s->endpoint = users_endpoint(t, *sc.user_endpoint);
    s->label = users_endpoint_label(*sc.user_endpoint);
  } else if (system.server) {
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

// The throughput, open_loop and fan_out rows: producers and consumers (fan_out: one producer and
// subscribers) on a Crew, workers 0..P-1 producing, P..P+C-1 consuming.
class ThroughputCase final : public Case {
 public:
  ThroughputCase(const System& system, const Scenario& sc, std::unique_ptr<Setup> setup)
      : promise_(system.promise),
        sc_(sc),
        fan_out_(sc.task == Task::fan_out),
        producers_n_(fan_out_ ? 1 : sc.producers),
        consumers_n_(fan_out_ ? sc.subscribers : sc.consumers),
        per_producer_(sc.batch / static_cast<std::size_t>(producers_n_)),
        // A work queue's consumer returns when the batch is complete, which another consumer may
        // see first: it waits at most this long in a receive before it looks.
        poll_(consumers_n_ > 1 && !fan_out_ ? Millis(2) : kPoll),
        setup_(std::move(setup)),
        payload_(sc.message_bytes),
        paced_(sc.task == Task::open_loop),
        interval_ns_(paced_ ? 1e9 / sc.rate_per_s : 0),
        sent_(static_cast<std::size_t>(producers_n_)),
        late_(static_cast<std::size_t>(consumers_n_)),
        markers_(system.promise.delivery == Guarantee::at_most_once && system.promise.per_producer_order) {
    // Consumers first: each is subscribed/bound before any producer sends (contract.h).
    for (int k = 0; k < consumers_n_; ++k)
      consumers_.push_back(fan_out_ ? setup_->session->subscriber() : setup_->session->consumer());
    for (int p = 0; p < producers_n_; ++p) producers_.push_back(setup_->session->producer());
    // fan_out: a ledger per subscriber (each must get every message); otherwise one ledger shared
    // by the consumers, each message counted once across all of them.
    const int ledgers = fan_out_ ? consumers_n_ : 1;
    for (int l = 0; l < ledgers; ++l)
      ledgers_.push_back(std::make_unique<queue::Delivery>(fan_out_ ? 1 : producers_n_, fan_out_ ? 1 : consumers_n_,
                                                           per_producer_, false));
    unique_ = std::make_unique<Padded[]>(static_cast<std::size_t>(ledgers));
    crew_ = std::make_unique<Crew>(producers_n_ + consumers_n_, false, [this](int w, std::uint64_t b) {
      if (w < producers_n_) produce(w, b);
      else {
        consume(w - producers_n_, b);
        {
          std::lock_guard lock(done_mutex_);
          consumers_done_.fetch_add(1);
        }
        consumers_finished_.notify_all();
      }
    });
  }

  Work work() const override { return {0, 0, static_cast<double>(sent_per_batch()), Work::Unit::ops}; }
  Check check() override {
    batch();
    clear();
    Check ok;
    ok.label = setup_->label;
    return ok;
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
    if (fan_out_) c.emplace_back("lost_worst_subscriber", static_cast<double>(total_.lost_worst_subscriber) / n);
    // What reached the consumers, beside ops_per_s (messages *sent*/s): an at-most-once system may send far more
    // than it delivers (a ZeroMQ PUB drops at its high-water marks), and a reader must not take one for the other.
    const double copies = fan_out_ ? static_cast<double>(consumers_n_) : 1.0;
    if (total_.sent > 0)
      c.emplace_back("delivered_ratio", static_cast<double>(total_.delivered) / (static_cast<double>(total_.sent) * copies));
    if (fan_out_ && seconds_ > 0)
      c.emplace_back("delivered_per_subscriber_per_s", static_cast<double>(total_.delivered) / copies / seconds_);
    c.emplace_back("message_mb_per_s",
                   seconds_ > 0 ? static_cast<double>(total_.delivered) * static_cast<double>(sc_.message_bytes) / seconds_ / 1e6
                                : 0.0);
    if (setup_->server)
      c.emplace_back("server_cpu_s_per_million", server_cpu_ / (n * static_cast<double>(sent_per_batch())) * 1e6);
    if (paced_) {
      for (const auto& kv : histogram_.counters(clock_read_ns())) c.push_back(kv);
      c.emplace_back("clock_read_ns", clock_read_ns());
    }
    clear();
    return c;
  }

 private:
  struct alignas(64) Padded {  // one end's counter, on a cache line of its own
    std::atomic<std::uint64_t> n{0};
  };
  // Producer ids no batch has. kSentinel: fan_out's join messages, ignored whenever they come.
  // kEndMarker: sent by each producer of an at-most-once system after its batch (its sequence number
  // says which batch and producer, end_marker()), again and again until every consumer is done.
  // Such a system keeps each producer's order, so a consumer that has the marker of every producer
  // has everything of the batch it will ever get: it ends there and counts the rest as lost, at
  // once, instead of after settle_s of silence (which would be most of the batch's time in a row
  // that loses messages routinely, a ZeroMQ PUB with a slow subscriber). settle_s stays the end
  // when even the markers do not come.
  static constexpr std::uint32_t kSentinel = 0xFFFF, kEndMarker = 0xFFFE;
  static std::uint64_t end_marker(std::uint64_t batch, int producer) {
    return batch << 8 | static_cast<std::uint64_t>(producer);
  }

  std::uint64_t sent_per_batch() const { return per_producer_ * static_cast<std::uint64_t>(producers_n_); }
  // First deliveries that complete a ledger: every message (work queue), or every message to its subscriber.
  std::uint64_t target() const { return fan_out_ ? per_producer_ : sent_per_batch(); }

  void clear() {
    total_ = {};
    batches_ = 0;
    seconds_ = 0;
    server_cpu_ = 0;
    histogram_.clear();
  }
  void batch() {
    if (fan_out_ && !joined_) join();
    // The rates of the row's own counters (message_mb_per_s, delivered_per_subscriber_per_s) are per second of
    // the whole batch, its set-up and the server CPU reads included, as the harness times run() for ops_per_s: a
    // lossless row then never seems to receive more per second than it sent.
    const std::uint64_t t0 = now_ns();
    for (auto& l : ledgers_) l->begin(crew_->batches(), true);
    for (auto& s : sent_) s.n.store(0, std::memory_order_relaxed);
    for (auto& s : late_) s.n.store(0, std::memory_order_relaxed);
    for (std::size_t l = 0; l < ledgers_.size(); ++l) unique_[l].n.store(0, std::memory_order_relaxed);
    producers_done_.store(0);
    consumers_done_.store(0);
    start_ns_ = now_ns() + 200'000;  // open_loop: leaves the ends 200 us to wake up before the first send
    const double cpu0 = setup_->server_cpu_s();
    try {
      crew_->run_batch(
          [this] {
            std::uint64_t n = 0;
            for (const auto& l : ledgers_) n += l->delivered();
            return n;
          },
          target() * ledgers_.size(), sc_.watchdog_s);
    } catch (const std::exception& e) {
      // The counts so far, judged: a promise they already break says so first.
      const Counts c = counts();
      const std::string broken = broken_promise(promise_, c);
      throw std::runtime_error(broken.empty() ? setup_->explain(e.what()) + " (" + describe_counts(c) + ")"
                                              : broken + "; then " + setup_->explain(e.what()));
    }
    server_cpu_ += setup_->server_cpu_s() - cpu0;
    seconds_ += static_cast<double>(now_ns() - t0) / 1e9;
    const Counts c = counts();
    if (const std::string why = broken_promise(promise_, c); !why.empty()) throw std::runtime_error(why);
    total_ += c;
    ++batches_;
  }
  Counts counts() const {
    Counts c;
    for (const auto& s : sent_) c.sent += s.n.load(std::memory_order_relaxed);
    for (const auto& s : late_) c.late += s.n.load(std::memory_order_relaxed);
    for (const auto& l : ledgers_) {
      const auto t = l->tally();
      c.delivered += t.delivered;
      c.lost += t.lost;
      c.duplicated += t.duplicated;
      c.reordered += t.reordered;
      c.corrupt += t.corrupt;
      c.foreign += t.foreign;
      if (fan_out_) c.lost_worst_subscriber = std::max<std::uint64_t>(c.lost_worst_subscriber, t.lost);
    }
    return c;
  }

  // fan_out, before the first batch: a subscriber may join some time after it connected (ZeroMQ
  // SUB's slow joiner), and what is published before then never reaches it, which would be counted
  // as lost. So the producer sends sentinels until every subscriber has received one. On the
  // calling thread: the crew's next batch hands the ends over to its workers.
  void join() {
    const std::uint64_t deadline = now_ns() + static_cast<std::uint64_t>(sc_.watchdog_s * 1e9);
    auto buffer = payload_.buffer();
    std::vector<std::byte> got;
    std::vector<bool> joined(consumers_.size(), false);
    std::size_t waiting = consumers_.size();
    std::uint64_t sentinels = 0;
    try {
      while (waiting > 0) {
        if (now_ns() > deadline) {
          std::string who;
          for (std::size_t k = 0; k < joined.size(); ++k)
            if (!joined[k]) who += (who.empty() ? "" : ", ") + std::to_string(k + 1);
          throw std::runtime_error("fan_out: subscriber(s) " + who + " of " + std::to_string(consumers_.size()) +
                                   " received none of the " + std::to_string(sentinels) + " sentinel messages sent in " +
                                   seconds_text(sc_.watchdog_s) + " s (never joined)");
        }
        payload_.write(buffer, kSentinel, sentinels);
        if (producers_.front()->send(buffer, kPoll)) ++sentinels;
        for (std::size_t k = 0; k < consumers_.size(); ++k)
          for (int i = 0; i < 1000 && consumers_[k]->receive(got, Millis(1)); ++i)
            if (!joined[k] && payload_.view(got).producer() == kSentinel) {
              joined[k] = true;
              --waiting;
            }
      }
      producers_.front()->flush(kFlush);
    } catch (const MessagingError& e) {
      throw std::runtime_error(setup_->explain(std::string("fan_out: joining the subscribers: ") + e.what()));
    }
    joined_ = true;
  }

  void produce(int p, std::uint64_t b) {
    try {
      Producer& producer = *producers_[static_cast<std::size_t>(p)];
      auto& sent = sent_[static_cast<std::size_t>(p)].n;
      auto buffer = payload_.buffer();
      const std::uint64_t first = b * per_producer_;
      if (paced_) ::prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
      for (std::uint64_t i = 0; i < per_producer_; ++i) {
        if (paced_ && !wait_until(intended(i))) return;
        payload_.write(buffer, static_cast<std::uint32_t>(p), first + i);
        while (!producer.send(buffer, kPoll))
          if (crew_->stopping()) return;
        sent.store(sent.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      }
      producer.flush(kFlush);
      producers_done_.fetch_add(1);
      // Woken as soon as the last consumer is done: a lossless batch ends when its consumers do.
      const auto all_done = [this] { return consumers_done_.load() >= consumers_n_ || crew_->stopping(); };
      while (markers_ && !all_done()) {
        payload_.write(buffer, kEndMarker, end_marker(b, p));
        if (!producer.send(buffer, Millis(1))) continue;
        std::unique_lock lock(done_mutex_);
        consumers_finished_.wait_for(lock, std::chrono::microseconds(500), all_done);
      }
    } catch (const std::exception& e) {
      crew_->fail(setup_->explain((producers_n_ > 1 ? "producer " + std::to_string(p + 1) : std::string("producer")) +
                                  ": " + e.what()));
    }
  }
  void consume(int k, std::uint64_t b) {
    const std::string who = fan_out_ ? "subscriber " + std::to_string(k + 1)
                                     : consumers_n_ > 1 ? "consumer " + std::to_string(k + 1) : std::string("consumer");
    try {
      Consumer& consumer = *consumers_[static_cast<std::size_t>(k)];
      queue::Delivery& ledger = *ledgers_[fan_out_ ? static_cast<std::size_t>(k) : 0];
      const int slot = fan_out_ ? 0 : k;  // this consumer's place in its ledger
      auto& unique = unique_[fan_out_ ? static_cast<std::size_t>(k) : 0].n;
      auto& late = late_[static_cast<std::size_t>(k)].n;
      const std::uint64_t first = b * per_producer_, complete = target();
      const bool may_lose = promise_.delivery == Guarantee::at_most_once;
      std::vector<std::byte> buffer;
      std::uint64_t quiet_since = 0;
      std::vector<bool> ended(static_cast<std::size_t>(producers_n_), false);  // end markers of this batch
      int ends_missing = producers_n_;
      while (!crew_->stopping() && unique.load(std::memory_order_relaxed) < complete) {
        if (consumer.receive(buffer, poll_)) {
          quiet_since = 0;
          const auto view = payload_.view(buffer);
          if (view.producer() == kSentinel) continue;  // a late join message
          if (view.producer() == kEndMarker) {
            const std::uint64_t p = view.seq() & 0xFF;
            if (view.seq() >> 8 == b && p < ended.size() && !ended[p]) {
              ended[p] = true;
              if (--ends_missing == 0) return;
            }
            continue;
          }
          if (view.producer() < static_cast<std::uint32_t>(producers_n_) && view.seq() < first && view.intact()) {
            late.store(late.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // counted as lost there
            continue;
          }
          const auto accepted = ledger.accept(slot, view);
          if (accepted == queue::Delivery::Accepted::first) {
            if (paced_) {
              const std::uint64_t t = now_ns(), due = intended(view.seq() - first);
              histogram_.record(t > due ? t - due : 0);
            }
            if (unique.fetch_add(1, std::memory_order_relaxed) + 1 == complete) return;
          }
          continue;
        }
        // Nothing came. A system that may lose messages: once every producer has flushed and the
        // channel has been quiet for settle_s, what has not come is lost.
        if (may_lose && producers_done_.load() == producers_n_) {
          const std::uint64_t now = now_ns();
          if (quiet_since == 0) quiet_since = now;
          else if (static_cast<double>(now - quiet_since) / 1e9 > sc_.settle_s) return;
        }
      }
    } catch (const std::exception& e) {
      crew_->fail(setup_->explain(who + ": " + e.what()));
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
      if (crew_->stopping()) return false;
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
  bool fan_out_;
  int producers_n_, consumers_n_;
  std::uint64_t per_producer_;
  Millis poll_;
  std::unique_ptr<Setup> setup_;
  std::vector<std::unique_ptr<Consumer>> consumers_;  // fan_out: the subscribers
  std::vector<std::unique_ptr<Producer>> producers_;
  PayloadTemplate payload_;
  std::vector<std::unique_ptr<queue::Delivery>> ledgers_;
  std::unique_ptr<Padded[]> unique_;  // per ledger: first deliveries this batch
  bool paced_;
  double interval_ns_;
  bool joined_ = false;         // fan_out: every subscriber has had a sentinel
  std::uint64_t start_ns_ = 0;  // open_loop: the first message's intended send time, set before each batch
  LatencyHistogram histogram_;  // open_loop: written by the consumer during a batch
  std::vector<Padded> sent_, late_;  // per producer, per consumer; this batch
  bool markers_;  // end markers (kEndMarker) close each batch
  std::atomic<int> producers_done_{0}, consumers_done_{0};
  std::mutex done_mutex_;  // consumers_done_'s last step and the producers' wait for it
  std::condition_variable consumers_finished_;
  Counts total_;  // of the timed batches since the last observe()
  std::uint64_t batches_ = 0;
  double seconds_ = 0, server_cpu_ = 0;
  std::unique_ptr<Crew> crew_;  // last: its threads use the members above, and it joins them first
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
    Check ok;
    ok.label = setup_->label;
    return ok;
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
  if (sc.producers < 1 || sc.consumers < 1 || sc.subscribers < 1)
    throw std::invalid_argument("producers, consumers and subscribers must be at least 1");
  if (sc.consumers > 1 && sc.task == Task::throughput && !system.competing_consumers)
    throw std::invalid_argument(system.name + " has no competing consumers (each would receive every message): one consumer only");
  if (sc.task == Task::open_loop && (sc.producers != 1 || sc.consumers != 1))
    throw std::invalid_argument("open_loop runs one producer and one consumer");
  if (sc.task != Task::ping_pong && sc.batch < static_cast<std::size_t>(sc.producers))
    throw std::invalid_argument("batch (" + std::to_string(sc.batch) + ") is smaller than the number of producers");
  if (sc.user_endpoint && sc.user_endpoint->unix_socket != (sc.transport == Transport::ipc))
    throw std::invalid_argument("a user's endpoint " + sc.user_endpoint->text + " is not a " +
                                transport_name(sc.transport) + " endpoint");
  if (sc.task == Task::fault || sc.task == Task::consumer_fault) return make_fault_case(system, sc);
  auto setup = set_up(system, sc);
  if (sc.task != Task::ping_pong) return std::make_unique<ThroughputCase>(system, sc, std::move(setup));
  return std::make_unique<PingPongCase>(sc, std::move(setup));
}

}  // namespace hotbench::messaging
