// The queueing suite's registration: which queues x scenarios become rows,
// from --hotbench_set settings (validated here) or the default set sized for
// the time budget of `./hotbench run`.
#include <benchmark/benchmark.h>
#include <boost/version.hpp>
#include <tbb/version.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "../harness/measure.h"
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

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) parts.push_back(part);
  return parts;
}

std::string joined(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

// One --hotbench_set value as a list of integers within [low, high].
std::vector<std::size_t> numbers(const std::string& key, const std::string& value, std::size_t low, std::size_t high,
                                 bool power_of_two = false) {
  std::vector<std::size_t> out;
  for (const auto& part : split(value)) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(part.c_str(), &end, 10);
    const bool ok = !part.empty() && part[0] != '-' && *end == '\0' && v >= low && v <= high &&
                    (!power_of_two || (v & (v - 1)) == 0);
    if (!ok)
      throw UsageError("--hotbench_set=" + key + "=" + value + ": '" + part + "' is not " +
                       (power_of_two ? "a power of two" : "an integer") + " in " + std::to_string(low) + ".." +
                       std::to_string(high));
    out.push_back(static_cast<std::size_t>(v));
  }
  if (out.empty()) throw UsageError("--hotbench_set=" + key + "= is empty");
  return out;
}

double real_number(const std::string& key, const std::string& value, double low, double high) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || *end != '\0' || !(v >= low && v <= high))
    throw UsageError("--hotbench_set=" + key + "=" + value + ": wants a number in " + std::to_string(low) + ".." +
                     std::to_string(high));
  return v;
}

template <class T, std::size_t N>
std::vector<T> named(const std::string& key, const std::string& value, const T (&all)[N], const char* (*name)(T)) {
  std::vector<T> out;
  for (const auto& part : split(value)) {
    auto it = std::find_if(std::begin(all), std::end(all), [&](T t) { return part == name(t); });
    if (it == std::end(all)) {
      std::vector<std::string> accepted;
      for (T t : all) accepted.emplace_back(name(t));
      throw UsageError("--hotbench_set=" + key + "=" + value + ": unknown '" + part + "'; accepted: " + joined(accepted));
    }
    out.push_back(*it);
  }
  if (out.empty()) throw UsageError("--hotbench_set=" + key + "= is empty");
  return out;
}

// What to register. An unset dimension keeps the default set's choice for
// each task (see defaults below); a set one applies to every task it concerns.
struct Selection {
  std::vector<const QueueEntry*> queues;  // empty: the default choice per task
  std::vector<Task> tasks{std::begin(kTasks), std::end(kTasks)};
  std::vector<std::size_t> threads, message_bytes, capacities;
  std::vector<Wait> waits;
  bool pin = false;
  std::size_t batch = 0;  // 0: per-task default
  double watchdog_s = 10;
  double rate_per_s = 200'000;
};

constexpr const char* kKeys =
    "queues, tasks, threads, message_bytes, capacities, wait, pin, batch, watchdog_s, rate";

Selection parse(const Options& options) {
  Selection s;
  for (const auto& [key, value] : options.settings) {
    if (key == "queues") {
      for (const auto& part : split(value)) {
        auto it = std::find_if(queues().begin(), queues().end(), [&](const QueueEntry& e) { return e.implementation() == part; });
        if (it == queues().end()) {
          std::vector<std::string> accepted;
          for (const auto& e : queues()) accepted.push_back(e.implementation());
          throw UsageError("--hotbench_set=queues=" + value + ": unknown queue '" + part + "'; accepted: " + joined(accepted));
        }
        s.queues.push_back(&*it);
      }
      if (s.queues.empty()) throw UsageError("--hotbench_set=queues= is empty");
    } else if (key == "tasks") {
      s.tasks = named(key, value, kTasks, task_name);
    } else if (key == "threads") {
      s.threads = numbers(key, value, 1, 64);  // producers = consumers = each value (mpmc_throughput)
    } else if (key == "message_bytes") {
      s.message_bytes = numbers(key, value, 8, 1024);
      for (auto b : s.message_bytes)
        if (b != 8 && b != 64 && b != 1024)
          throw UsageError("--hotbench_set=message_bytes=" + value + ": '" + std::to_string(b) + "' is not one of 8, 64, 1024");
    } else if (key == "capacities") {
      s.capacities = numbers(key, value, 2, std::size_t{1} << 22, true);
    } else if (key == "wait") {
      s.waits = named(key, value, kWaits, wait_name);
    } else if (key == "pin") {
      if (value != "true" && value != "false") throw UsageError("--hotbench_set=pin=" + value + ": wants true or false");
      s.pin = value == "true";
    } else if (key == "batch") {
      s.batch = numbers(key, value, 64, std::size_t{1} << 24).front();
    } else if (key == "watchdog_s") {
      s.watchdog_s = real_number(key, value, 0.1, 600);
    } else if (key == "rate") {
      s.rate_per_s = real_number(key, value, 1000, 10'000'000);
    } else {
      throw UsageError("unknown setting --hotbench_set=" + key + "=...; the queue suite knows: " + kKeys);
    }
  }
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

std::vector<std::size_t> default_sizes(Task task, const QueueEntry& e) {
  if (task == Task::ping_pong) return {8};
  if (task == Task::spsc_throughput && in_size_sweep(e)) return {8, 64, 1024};
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

const char* suite_name() { return "queue"; }
std::vector<std::string> default_data_paths() { return {}; }

void register_suite(const Options& options) {
  using namespace hotbench::queue;
  if (!options.data.empty()) throw UsageError("the queue suite reads no data (--hotbench_data=" + options.data.front() + ")");
  const Selection sel = parse(options);
  benchmark::AddCustomContext("boost_version", BOOST_LIB_VERSION);
  benchmark::AddCustomContext("tbb_version", TBB_VERSION_STRING);
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
          task == Task::mpmc_throughput ? (sel.threads.empty() ? std::vector<std::size_t>{2, 4} : sel.threads)
                                        : std::vector<std::size_t>{1};
      const auto sizes = sel.message_bytes.empty() ? default_sizes(task, e) : sel.message_bytes;
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
