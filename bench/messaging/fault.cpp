// The fault task: what a persisted system's promise is worth when its broker
// dies. Each timed run is one cycle:
//
//   1. a producer thread sends the cycle's `batch` messages in windows of
//      kWindow, each window flushed (Producer::flush returns once the server
//      has acknowledged every message sent), while a consumer thread receives;
//   2. once half of them are acknowledged, the server is killed (SIGKILL: no
//      shutdown, whatever it had not written is gone) and restarted at once on
//      the same folder, port and Unix socket (ServerProcess::kill_now/restart);
//   3. both ends see their connection fail, make new ends on the same session
//      (retrying every kRetry until the server answers), and go on: the
//      producer sends again the window it had not seen acknowledged, the new
//      consumer resumes the durable consumer (what was delivered to it and not
//      acknowledged comes again);
//   4. the cycle ends when every message has been delivered, or when nothing
//      has moved for watchdog_s.
//
// Reported per cycle: acked_lost (acknowledged messages never delivered: the
// promise says 0, and any makes the row an error row), duplicated (deliveries
// beyond the first: a window sent again whose first acknowledgement was lost
// with the server, a message delivered and not acknowledged before the kill),
// resent (messages the producer sent again), stall_ms (from the kill to the
// first message received by a consumer end opened after it: the restart, the
// system's recovery, the reconnection and the first delivery), restart_ms (from
// the kill until the restarted server accepted a connection on its port, probed
// every 5 ms: the part of the stall that is the server's start-up; a server
// that accepts connections before it has loaded its data, as Redis does while
// it answers -LOADING, has the rest of its recovery in stall_ms).
//
// consumer_fault, the same cycle with the consumer killed instead of the
// broker: once half of the messages are delivered, the consumer thread
// destroys its end right after taking a message (its connection closed with no
// goodbye; what it took and had not acknowledged stays unacknowledged, as when a
// consumer process dies) and makes a new one on the same session at once, which
// must be handed again what the old one had not acknowledged. stall_ms is then
// from that kill to the first message the new end received; there is no
// restart_ms. It runs on a user's broker too (endpoints): nothing is killed there
// but our own connection. The broker kill never does.
//
// The ends made after the restart are made on the worker threads that use
// them (each end is still used by one thread only).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../harness/clock.h"
#include "../harness/server.h"
#include "driver.h"
#include "payload.h"

namespace hotbench::messaging {
namespace {

constexpr std::uint64_t kWindow = 64;  // messages sent before each flush (acknowledgement)
constexpr Millis kPoll{20};
constexpr Millis kFlush{5000};
constexpr auto kRetry = std::chrono::milliseconds(10);  // between attempts to make an end while the server is down

double ms_between(std::uint64_t from_ns, std::uint64_t to_ns) {
  return to_ns > from_ns ? static_cast<double>(to_ns - from_ns) / 1e6 : 0.0;
}

class FaultCase final : public Case {
 public:
  // On the caller's server when `shared` is given, else on one of its own; consumer_fault may also run on
  // a user's broker, which is never killed.
  FaultCase(const System& s, const Scenario& sc, ServerProcess* shared)
      : promise_(s.promise), sc_(sc), consumer_kill_(sc.task == Task::consumer_fault), payload_(sc.message_bytes) {
    if (!shared && !s.server) throw std::invalid_argument(s.name + ": the fault tasks need a server");
    if (sc.user_endpoint) {
      if (!consumer_kill_)
        throw std::invalid_argument(s.name + ": the fault task kills the server, never a user's (" +
                                    sc.user_endpoint->text + ")");
      endpoint_ = users_endpoint(sc.transport, *sc.user_endpoint);
      label_ = users_endpoint_label(*sc.user_endpoint);
    } else {
      if (!shared) owned_ = std::make_unique<ServerProcess>(s.server(sc.transport));
      server_ = shared ? shared : owned_.get();
      endpoint_.transport = sc.transport;
      endpoint_.host = server_->endpoint().host;
      endpoint_.port = server_->endpoint().port;
      endpoint_.path = server_->endpoint().unix_socket;
    }
    session_ = s.open(endpoint_);
  }
  ~FaultCase() override {
    // The ends and the session before the server (their connections end cleanly).
    consumer_.reset();
    producer_.reset();
    session_.reset();
  }

  Work work() const override { return {0, 0, static_cast<double>(sc_.batch), Work::Unit::ops}; }
  Check check() override {
    cycle();
    total_ = {};
    cycles_ = 0;
    Check ok;
    ok.label = label_;
    return ok;
  }
  void run() override { cycle(); }
  Counters observe() override {
    Counters c;
    if (cycles_ == 0) return c;
    const double n = static_cast<double>(cycles_);
    c.emplace_back("sent", total_.sent / n);
    c.emplace_back("delivered", total_.delivered / n);
    c.emplace_back("acked_lost", total_.acked_lost / n);
    c.emplace_back("duplicated", total_.duplicated / n);
    c.emplace_back("resent", total_.resent / n);
    c.emplace_back("stall_ms", total_.stall_ms / n);
    if (!consumer_kill_) c.emplace_back("restart_ms", total_.restart_ms / n);
    total_ = {};
    cycles_ = 0;
    return c;
  }

 private:
  struct Totals {
    double sent = 0, delivered = 0, acked_lost = 0, duplicated = 0, resent = 0, stall_ms = 0, restart_ms = 0;
  };

  void cycle() {
    const std::uint64_t n = sc_.batch, first = next_seq_;
    next_seq_ += n;
    times_.assign(n, 0);
    corrupt_ = foreign_ = 0;
    acked_.store(0);
    unique_.store(0);
    resent_.store(0);
    kill_ns_.store(0);
    first_after_kill_ns_.store(0);
    stop_.store(false);
    {
      std::lock_guard lock(mutex_);
      producer_error_.clear();
      consumer_error_.clear();
    }
    std::thread producer([this, first, n] { produce(first, n); });
    std::thread consumer([this, first, n] { consume(first, n); });
    struct Joiner {
      FaultCase& c;
      std::thread &p, &q;
      ~Joiner() {  // on every way out, the threads stopped first
        c.stop_.store(true);
        if (p.joinable()) p.join();
        if (q.joinable()) q.join();
      }
    } joiner{*this, producer, consumer};

    std::uint64_t kill = 0, answered = 0;
    if (consumer_kill_) {  // the consumer thread kills its end itself, between two messages
      if (!wait_until([&] { return kill_ns_.load() != 0; }))
        throw std::runtime_error(stuck("before the consumer's kill, half of the messages were never delivered"));
      kill = kill_ns_.load();
    } else {
      if (!wait_until([&] { return acked_.load() >= n / 2; }))
        throw std::runtime_error(stuck("before the kill, half of the messages were never acknowledged"));
      kill = now_ns();
      kill_ns_.store(kill);
      server_->kill_now();
      server_->restart();  // ServerError: the row's error
      answered = now_ns();
    }
    const bool all = wait_until([&] { return unique_.load() == n && acked_.load() == n; });
    const std::uint64_t acked = acked_.load();
    stop_.store(true);
    producer.join();
    consumer.join();
    if (acked < n)
      throw std::runtime_error(stuck("after the restart the producer had " + std::to_string(acked) + " of " +
                                     std::to_string(n) + " messages acknowledged"));

    Counts c;
    c.sent = n;
    c.delivered = unique_.load();
    std::uint64_t acked_lost = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
      if (times_[i] == 0) ++acked_lost;  // every message was acknowledged by the end
      else c.duplicated += times_[i] - 1;
    }
    c.lost = acked_lost;
    c.corrupt = corrupt_;
    c.foreign = foreign_;
    // Order is not judged here: a window sent again after the restart comes after later messages.
    // Nor is exactly once: the producer sends again, from a new connection, what it does not know to
    // be acknowledged, as an application would, and no broker can tell such a message from a new one
    // (MQTT's QoS 2 deduplicates a packet id within one session, not across a new client): across a
    // kill, an exactly-once system is held to at least once, its duplicates counted.
    const Guarantee judged =
        promise_.delivery == Guarantee::exactly_once ? Guarantee::at_least_once : promise_.delivery;
    const std::string broken = broken_promise({judged, false}, c);
    const std::uint64_t delivered_after = first_after_kill_ns_.load();
    if (!broken.empty()) {
      std::ostringstream why;
      why << broken << (consumer_kill_ ? " across a consumer kill (" : " across a broker kill (");
      if (!all) why << "nothing moved for " << sc_.watchdog_s << " s; ";
      why << acked_lost << " of them acknowledged by the server before "
          << (consumer_kill_ ? "the consumer was killed" : "it was lost");
      why << "; resent " << resent_.load() << ", stall " << static_cast<long>(ms_between(kill, delivered_after))
          << " ms";
      if (!consumer_kill_) why << ", restart " << static_cast<long>(ms_between(kill, answered)) << " ms";
      why << ")";
      // What the ends last saw: why nothing came may be theirs (a refused resumption), not the server's.
      std::lock_guard lock(mutex_);
      if (!producer_error_.empty()) why << "; producer's last error: " << producer_error_;
      if (!consumer_error_.empty()) why << "; consumer's last error: " << consumer_error_;
      throw std::runtime_error(why.str());
    }
    total_.sent += static_cast<double>(n);
    total_.delivered += static_cast<double>(c.delivered);
    total_.acked_lost += static_cast<double>(acked_lost);
    total_.duplicated += static_cast<double>(c.duplicated);
    total_.resent += static_cast<double>(resent_.load());
    total_.stall_ms += ms_between(kill, delivered_after);
    total_.restart_ms += ms_between(kill, answered);
    ++cycles_;
  }

  // Waits until `done` or until nothing has moved (acknowledgements, deliveries) for watchdog_s.
  template <class Done>
  bool wait_until(Done done) {
    std::uint64_t seen = 0, since = now_ns();
    while (!done()) {
      const std::uint64_t moved = acked_.load() + unique_.load() + resent_.load();
      const std::uint64_t now = now_ns();
      if (moved != seen) {
        seen = moved;
        since = now;
      } else if (static_cast<double>(now - since) / 1e9 > sc_.watchdog_s) {
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }

  std::string stuck(const std::string& what) {
    std::lock_guard lock(mutex_);
    std::string why = what + " (delivered " + std::to_string(unique_.load()) + ")";
    if (!producer_error_.empty()) why += "; producer's last error: " + producer_error_;
    if (!consumer_error_.empty()) why += "; consumer's last error: " + consumer_error_;
    if (server_ && !server_->alive()) why += "; the server is not running: " + server_->log_tail(3);
    return why;
  }

  void produce(std::uint64_t first, std::uint64_t n) {
    auto buffer = payload_.buffer();
    std::uint64_t acked = 0;
    while (acked < n && !stop_.load()) {
      const std::uint64_t end = std::min(acked + kWindow, n);
      std::uint64_t i = acked;
      try {
        if (!producer_) producer_ = session_->producer();
        for (; i < end; ++i) {
          payload_.write(buffer, 0, first + i);
          while (!producer_->send(buffer, kPoll))
            if (stop_.load()) return;
        }
        producer_->flush(kFlush);
        acked = end;
        acked_.store(acked);
      } catch (const std::exception& e) {
        producer_.reset();
        resent_.fetch_add(i - acked);  // sent, not known to be acknowledged: sent again
        note(producer_error_, e.what());
        std::this_thread::sleep_for(kRetry);
      }
    }
  }

  void consume(std::uint64_t first, std::uint64_t n) {
    std::vector<std::byte> buffer;
    bool end_after_kill = false;  // the current end was opened after the kill
    while (!stop_.load() && unique_.load() < n) {
      try {
        if (!consumer_) {
          end_after_kill = kill_ns_.load() != 0;
          consumer_ = session_->consumer();
        }
        if (!consumer_->receive(buffer, kPoll)) continue;
        if (end_after_kill && first_after_kill_ns_.load() == 0) first_after_kill_ns_.store(now_ns());
        const auto view = payload_.view(buffer);
        if (!view.intact()) {
          ++corrupt_;
        } else if (view.producer() != 0 || view.seq() >= first + n) {
          ++foreign_;
        } else if (view.seq() >= first) {  // an earlier cycle's message (a late redelivery) is not counted
          if (times_[view.seq() - first]++ == 0) unique_.fetch_add(1);
        }
        if (consumer_kill_ && kill_ns_.load() == 0 && unique_.load() >= n / 2) {
          // Killed right after taking a message: no goodbye, nothing more acknowledged.
          consumer_.reset();
          kill_ns_.store(now_ns());
        }
      } catch (const std::exception& e) {
        consumer_.reset();
        note(consumer_error_, e.what());
        std::this_thread::sleep_for(kRetry);
      }
    }
  }

  void note(std::string& where, const char* what) {
    std::lock_guard lock(mutex_);
    where = what;
  }

  Promise promise_;
  Scenario sc_;
  bool consumer_kill_;  // consumer_fault: the consumer's end is killed, not the server
  std::string label_;   // on a user's broker: where the row ran
  PayloadTemplate payload_;
  std::unique_ptr<ServerProcess> owned_;
  ServerProcess* server_ = nullptr;  // owned_, or the caller's
  Endpoint endpoint_;
  std::unique_ptr<Session> session_;
  std::unique_ptr<Producer> producer_;  // kept from cycle to cycle while their connections last
  std::unique_ptr<Consumer> consumer_;
  std::uint64_t next_seq_ = 0;  // the next cycle's first sequence number

  // One cycle's ledger: times_ and the counts written by the consumer thread, read after it joined.
  std::vector<std::uint32_t> times_;
  std::uint64_t corrupt_ = 0, foreign_ = 0;
  std::atomic<std::uint64_t> acked_{0}, unique_{0}, resent_{0};
  std::atomic<std::uint64_t> kill_ns_{0}, first_after_kill_ns_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string producer_error_, consumer_error_;

  Totals total_;  // of the cycles since the last observe()
  std::uint64_t cycles_ = 0;
};

}  // namespace

std::unique_ptr<Case> make_fault_case(const System& system, const Scenario& sc) {
  return std::make_unique<FaultCase>(system, sc, nullptr);
}

std::unique_ptr<Case> make_fault_case(const System& system, const Scenario& sc, ServerProcess& server) {
  return std::make_unique<FaultCase>(system, sc, &server);
}

}  // namespace hotbench::messaging
