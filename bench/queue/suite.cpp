// The queueing suite's registration: which queues x scenarios become rows,
// from --hotbench_set settings (validated here) or the default set sized for
// the time budget of `./hotbench run`.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "../harness/measure.h"
#include "../harness/settings.h"
#include "../harness/suite.h"
#include "driver.h"
#include "floors.h"

namespace hotbench::queue {

const char* wait_name(Wait w) {
  switch (w) {
    case Wait::spin: return "spin";
    case Wait::spin_yield: return "spin_yield";
    case Wait::block: return "block";
  }
  return "?";
}

const char* task_name(Task t) {
  switch (t) {
    case Task::spsc_throughput: return "spsc_throughput";
    case Task::mpmc_throughput: return "mpmc_throughput";
    case Task::ping_pong: return "ping_pong";
    case Task::open_loop: return "open_loop";
    case Task::single_thread: return "single_thread";
    case Task::floor: return "floor";
  }
  return "?";
}

namespace {

std::vector<QueueEntry>& entry_list() {
  static std::vector<QueueEntry> list;
  return list;
}

constexpr Task kTasks[] = {Task::floor, Task::spsc_throughput, Task::mpmc_throughput, Task::ping_pong,
                           Task::open_loop, Task::single_thread};
constexpr Wait kWaits[] = {Wait::spin, Wait::spin_yield, Wait::block};

template <class T, std::size_t N>
std::vector<std::string> names_of(const T (&all)[N], const char* (*name)(T)) {
  std::vector<std::string> out;
  for (T t : all) out.emplace_back(name(t));
  return out;
}

template <class T, std::size_t N>
std::vector<T> by_name(const std::vector<std::string>& names, const T (&all)[N], const char* (*name)(T)) {
  std::vector<T> out;
  for (const auto& n : names)
    for (T t : all)
      if (n == name(t)) out.push_back(t);
  return out;
}

std::vector<std::size_t> sizes(const std::vector<std::uint64_t>& v) { return {v.begin(), v.end()}; }

// What to register. An unset dimension keeps the default set's choice for
// each task (see defaults below); a set one applies to every task it concerns.
struct Selection {
  std::vector<const QueueEntry*> queues;  // empty: the default choice per task
  std::vector<Task> tasks;
  std::vector<std::size_t> threads, message_bytes, capacities;
  std::vector<Wait> waits;
  bool pin = false;
  std::size_t batch = 0;  // 0: per-task default
  double watchdog_s = 10;
  double rate_per_s = 200'000;
  bool full = false;  // the full profile: the sweeps
};

// The profiles: default runs every queue on every task (MPMC at 2/2); full adds the
// oversubscribed 4/4 and the message-size sweep; quick is the default with short runs.
Selection read_settings(Settings& set, const std::string& profile) {
  Selection s;
  std::vector<std::string> implementations;
  for (const auto& e : queues()) implementations.push_back(e.implementation());
  for (const auto& name : set.names("queues", {}, implementations, "queues to run (default: the default set of each task)"))
    for (const auto& e : queues())
      if (e.implementation() == name) s.queues.push_back(&e);
  s.tasks = by_name(set.names("tasks", names_of(kTasks, task_name), names_of(kTasks, task_name), "which tasks run"),
                    kTasks, task_name);
  s.full = profile == "full";
  // producers = consumers = each value (mpmc_throughput)
  s.threads = sizes(set.integers("threads", s.full ? std::vector<std::uint64_t>{2, 4} : std::vector<std::uint64_t>{2}, 1, 64,
                                 "producer/consumer pairs of mpmc_throughput"));
  const auto bytes = set.integers("message_bytes", {}, 8, 1024,
                                  "message sizes: 8, 64 or 1024 (default: per task; the full profile sweeps all three)");
  for (auto b : bytes)
    if (b != 8 && b != 64 && b != 1024) set.refuse("message_bytes", "'" + std::to_string(b) + "' is not one of 8, 64, 1024");
  s.message_bytes = sizes(bytes);
  const auto capacities = set.integers("capacities", {1024}, 2, std::uint64_t{1} << 22, "capacities of the bounded queues (powers of two)");
  for (auto c : capacities)
    if ((c & (c - 1)) != 0) set.refuse("capacities", "'" + std::to_string(c) + "' is not a power of two");
  if (set.given("capacities")) s.capacities = sizes(capacities);
  s.waits = by_name(set.names("wait", {}, names_of(kWaits, wait_name), "how a waiting thread waits (default: per queue and task)"),
                    kWaits, wait_name);
  s.pin = set.flag("pin", false, "pin worker threads to CPUs");
  s.batch = set.integer("batch", 0, 0, std::uint64_t{1} << 24, "messages per timed run (0: the task's default)");
  if (s.batch != 0 && s.batch < 64) set.refuse("batch", "'" + std::to_string(s.batch) + "' is not 0 or an integer in 64..16777216");
  s.watchdog_s = set.real("watchdog_s", 10, 0.1, 600, "seconds without progress before a run is declared stuck");
  s.rate_per_s = set.real("rate", 200'000, 1000, 10'000'000, "open loop: intended messages per second");
  set.selects_rows({"queues", "tasks", "threads", "message_bytes", "capacities", "wait", "pin", "batch", "rate"});
  return s;
}

bool is(const QueueEntry& e, const char* implementation) { return e.implementation() == implementation; }

// The default set, sized for ~3 minutes of `./hotbench run` (3 repetitions of
// 0.25 s): every queue at 1 producer / 1 consumer with 64-byte messages; the
// MPMC ones at 2/2 and oversubscribed 4/4; sizes 8 and 1024 for four queues;
// ping-pong for every queue but the MPMC atomic_queue (spinning; and blocking
// for the blocking ones); open loop for five; single-thread rows for all.
// atomic_queue's MPMC try_pop, once it has claimed a slot, spins inside the
// library until the producer has written it: when that producer is preempted,
// a spinning ping-pong stalls for whole scheduler time slices (p99 of 8 ms in
// one run, 216 s for one row), far beyond the time budget. It stays available
// with --hotbench_set=queues=atomic_queue (docs/queue.md).
bool in_default_ping_pong(const QueueEntry& e) { return !is(e, "atomic_queue"); }
bool in_size_sweep(const QueueEntry& e) {
  return is(e, "boost_spsc") || is(e, "moodycamel_rwq") || is(e, "moodycamel_cq") || is(e, "mutex_deque");
}
bool in_open_loop(const QueueEntry& e) {
  return is(e, "boost_spsc") || is(e, "moodycamel_rwq") || is(e, "moodycamel_cq") || is(e, "mutex_deque:cv") ||
         is(e, "tbb_queue");
}

std::vector<Wait> default_waits(Task task, const QueueEntry& e) {
  // spin_yield, not pure spin: when the partner thread is preempted (this
  // machine is shared), a pure spinner burns whole time slices waiting for it.
  // A round trip (~0.6 us) is far shorter than the 64 pauses before a yield,
  // so an undisturbed round trip is unaffected. Pure spin: wait=spin.
  if (task == Task::ping_pong) return e.caps.blocking ? std::vector{Wait::spin_yield, Wait::block} : std::vector{Wait::spin_yield};
  return {e.caps.blocking ? Wait::block : Wait::spin_yield};
}

std::vector<std::size_t> default_sizes(Task task, const QueueEntry& e, bool full) {
  if (task == Task::ping_pong) return {8};
  if (task == Task::spsc_throughput && in_size_sweep(e) && full) return {8, 64, 1024};
  return {64};
}

std::size_t default_batch(Task task) {
  switch (task) {
    case Task::ping_pong:
    case Task::floor: return 4096;
    case Task::open_loop: return 8192;
    case Task::single_thread: return 1024;
    default: return 1 << 16;
  }
}

void add_row(const std::string& library, const std::string& variant, const Scenario& sc, bool bounded,
             std::function<std::unique_ptr<Case>(const Scenario&)> make) {
  CaseId id{"queue", task_name(sc.task), library, variant, "synthetic", {}};
  if (sc.task == Task::spsc_throughput || sc.task == Task::mpmc_throughput) {
    id.params.emplace_back("producers", std::to_string(sc.producers));
    id.params.emplace_back("consumers", std::to_string(sc.consumers));
  }
  const bool threaded = sc.task != Task::single_thread && !(sc.task == Task::floor && library == "clock");
  if (library != "clock") id.params.emplace_back("message_bytes", std::to_string(sc.message_bytes));
  if (bounded) id.params.emplace_back("capacity", std::to_string(sc.capacity));
  if (threaded) id.params.emplace_back("wait", wait_name(sc.wait));
  if (sc.task == Task::open_loop) id.params.emplace_back("rate", std::to_string(static_cast<long>(sc.rate_per_s)));
  id.params.emplace_back("batch", std::to_string(sc.batch));
  if (threaded) id.params.emplace_back("pinned", sc.pin ? "1" : "0");
  register_case(id, [make = std::move(make), sc] { return make(sc); }, threaded ? Clock::wall : Clock::cpu);
}

}  // namespace

void add_entry(QueueEntry e) { entry_list().push_back(std::move(e)); }
const std::vector<QueueEntry>& queues() { return entry_list(); }

}  // namespace hotbench::queue

namespace hotbench {

const SuiteInfo& suite_info() {
  static const SuiteInfo info = {
      "queue",
      "In-process queues: SPSC/MPSC/MPMC throughput, round-trip and open-loop latency, delivery checked",
      {{"floor", "the floors: a clock read, a thread hand-off without a queue"},
       {"spsc_throughput", "one producer, one consumer: messages/s, every message delivered exactly once, in order"},
       {"mpmc_throughput", "N producers, N consumers: messages/s, exactly once, per-producer order"},
       {"ping_pong", "round trip through two queues: latency percentiles"},
       {"open_loop", "one-way latency at a fixed offered rate, from the intended send time (no coordinated omission)"},
       {"single_thread", "push then pop on one thread: the queue's own instruction cost"}},
      {{"producers", "threads", "", "count", true, "producer threads of a throughput row"},
       {"consumers", "threads", "", "count", true, "consumer threads of a throughput row"},
       {"message_bytes", "bytes", "", "size", true, "size of one queued message"},
       {"capacity", "messages", "", "count", true, "a bounded queue's capacity in messages"},
       {"batch", "count per run", "", "count", true, "messages (or round trips) per timed run"},
       {"pinned", "0 or 1", "", "count", true, "1 when worker threads were pinned to CPUs"},
       {"rate", "messages/s", "", "other", true, "open loop: intended send rate"},
       {"clock_read_ns", "ns", "lower", "time", false,
        "cost of one steady_clock read, subtracted from the latency percentiles of the row"},
       {"order_inversions", "count per batch", "lower", "count", false,
        "per-producer order inversions per batch of the timed runs, for a queue that does not promise "
        "per-producer order (any other queue fails on one)"}},
      {},  // reads no data: the messages are generated
      {},
      // the single-thread rows, the only ones registered under valgrind (threads make counts vary)
      "^queue/single_thread/.*",
  };
  return info;
}

void register_suite(const Options& options, Settings& settings, const std::vector<std::string>&) {
  using namespace hotbench::queue;
  const Selection sel = read_settings(settings, options.profile);
  benchmark::AddCustomContext("queue_hardware_threads", std::to_string(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("queue_pinned", sel.pin ? "true" : "false");
  benchmark::AddCustomContext("queue_spins_before_yield", std::to_string(spins_before_yield()));
  // Under valgrind (instruction counting) threads are serialized and spinning
  // is meaningless: only the deterministic single-thread rows are registered.
  const bool valgrind = measure::under_valgrind();

  for (Task task : sel.tasks) {
    if (valgrind && task != Task::single_thread) continue;
    Scenario base;
    base.task = task;
    base.pin = sel.pin;
    base.batch = sel.batch ? sel.batch : default_batch(task);
    base.watchdog_s = sel.watchdog_s;
    base.rate_per_s = sel.rate_per_s;
    if (task == Task::floor) {
      for (const Floor& f : floors()) {
        Scenario sc = base;
        sc.message_bytes = 8;
        sc.wait = f.wait;
        sc.capacity = 1;
        add_row(f.name, "", sc, false, f.make);
      }
      continue;
    }
    for (const QueueEntry& e : queues()) {
      if (!sel.queues.empty() && std::find(sel.queues.begin(), sel.queues.end(), &e) == sel.queues.end()) continue;
      if (sel.queues.empty() && task == Task::open_loop && !in_open_loop(e)) continue;
      if (sel.queues.empty() && task == Task::ping_pong && !in_default_ping_pong(e)) continue;
      if (task == Task::mpmc_throughput && e.caps.spsc_only) continue;
      const std::vector<std::size_t> pairs =
          task == Task::mpmc_throughput ? sel.threads : std::vector<std::size_t>{1};
      const auto sizes = sel.message_bytes.empty() ? default_sizes(task, e, sel.full) : sel.message_bytes;
      const auto capacities = e.caps.bounded ? (sel.capacities.empty() ? std::vector<std::size_t>{1024} : sel.capacities)
                                             : std::vector<std::size_t>{1024};
      const auto waits = sel.waits.empty() ? default_waits(task, e) : sel.waits;
      for (std::size_t n : pairs)
        for (std::size_t bytes : sizes)
          for (std::size_t capacity : capacities)
            for (Wait wait : waits) {
              if (task == Task::single_thread && wait != waits.front()) continue;  // no waiting on one thread
              if (wait == Wait::block && !e.caps.blocking) continue;                 // no timed blocking pop
              Scenario sc = base;
              sc.producers = sc.consumers = static_cast<int>(n);
              sc.message_bytes = bytes;
              sc.capacity = capacity;
              sc.wait = wait;
              if (sc.batch < n) throw UsageError("--hotbench_set=batch is smaller than the number of producers");
              add_row(e.library, e.variant, sc, e.caps.bounded, e.make);
            }
    }
  }
}

}  // namespace hotbench
