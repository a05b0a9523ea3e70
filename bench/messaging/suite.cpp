// The messaging suite's registration: which systems x tasks x transports x
// message sizes become rows, from --hotbench_set settings or the profile's
// default, sized for the time budget of `./hotbench run` (docs/messaging.md).
#include <benchmark/benchmark.h>

#include <algorithm>

#include "../harness/measure.h"
#include "../harness/settings.h"
#include "../harness/suite.h"
#include "driver.h"

namespace hotbench::messaging {
namespace {

constexpr Task kTasks[] = {Task::throughput, Task::ping_pong, Task::open_loop, Task::fault};
// Run only when asked for (tasks=fault): each of its timed runs kills and restarts a server, a
// measurement of recovery, not of speed, with a few seconds per row that no profile's sweep needs.
constexpr Task kOnRequest[] = {Task::fault};
constexpr Transport kTransports[] = {Transport::inproc, Transport::ipc, Transport::tcp};

template <class T, std::size_t N>
std::vector<std::string> names_of(const T (&all)[N], const char* (*name)(T)) {
  std::vector<std::string> out;
  for (T t : all) out.emplace_back(name(t));
  return out;
}

bool chosen(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Messages (throughput) or round trips (ping_pong) per timed run: at most about
// 0.1 s on this machine class for the slowest system (nats-server at 16 KB:
// ~12k messages/s; a NATS round trip ~0.3 ms while builds run), so that the
// default run's rows x 3 repetitions stay well under 30 s; quick: a few ms.
std::size_t default_batch(Task task, std::size_t message_bytes, double rate, bool quick) {
  if (task == Task::ping_pong) return quick ? 100 : 300;
  if (task == Task::fault) return quick ? 1000 : 2000;
  if (task == Task::open_loop) return std::max<std::size_t>(100, static_cast<std::size_t>(rate * (quick ? 0.005 : 0.05)));
  if (message_bytes >= 16384) return quick ? 256 : 1024;
  return quick ? 1024 : 8192;
}

// "nats:core" -> library "nats", variant "core" (the harness's name grammar).
CaseId id_of(const System& s, Task task, Transport t, std::size_t bytes, std::uint64_t rate) {
  const auto colon = s.name.find(':');
  CaseId id{"messaging",
            task_name(task),
            s.name.substr(0, colon),
            colon == std::string::npos ? "" : s.name.substr(colon + 1),
            transport_name(t),
            {{"message_bytes", std::to_string(bytes)}}};
  if (task == Task::open_loop) id.params.emplace_back("rate", std::to_string(rate));
  return id;
}

std::string systems_config() {
  std::string out;
  for (const auto& s : systems().all()) {
    out += s.name + ": " + guarantee_name(s.promise.delivery) +
           (s.promise.per_producer_order ? ", per-producer order" : ", no order");
    if (s.server) {
      const ServerSpec spec = s.server(s.transports.front());
      out += "; server:";
      for (const auto& a : spec.argv) out += " " + a;
      if (!spec.config_name.empty()) {
        std::string text = spec.config_text;
        std::replace(text.begin(), text.end(), '\n', ';');
        out += " with " + spec.config_name + ": " + text;
      }
    }
    if (!s.notes.empty()) out += "; " + s.notes;
    out += "\n";
  }
  return out;
}

}  // namespace
}  // namespace hotbench::messaging

namespace hotbench {

const SuiteInfo& suite_info() {
  static const SuiteInfo info = {
      "messaging",
      "Messaging across the process boundary: brokers and socket libraries beside raw sockets, delivery checked "
      "against each system's promise",
      {{"throughput", "one producer, one consumer: messages/s and MB/s; every payload checked; losses, duplicates "
                      "and reorders counted and judged by the system's promise"},
       {"ping_pong", "request-reply round trip, one at a time: latency percentiles; every reply compared with "
                     "its request"},
       {"open_loop", "one producer at a fixed offered rate, one consumer: one-way latency percentiles from each "
                     "message's intended send time (no coordinated omission), delivery counted as in throughput"},
       {"fault", "persisted systems only, run when named (--hotbench_set tasks=fault): per timed run the broker is killed "
                 "(SIGKILL) once half of a batch of acknowledged messages is sent, restarted on the same folder "
                 "and port, and the ends resume: acknowledged messages lost (an error row when any), duplicates, "
                 "stall"}},
      {{"message_bytes", "bytes", "", "size", true, "payload size of one message"},
       {"sent", "count per batch", "", "count", false, "messages the producer handed to the system, per timed batch"},
       {"delivered", "count per batch", "higher", "count", false,
        "distinct messages of the batch the consumer received intact, per timed batch"},
       {"lost", "count per batch", "lower", "count", false,
        "messages of the batch never received, per timed batch (only an at-most-once system has a row with any)"},
       {"duplicated", "count per batch", "lower", "count", false,
        "deliveries beyond the first of a message, per timed batch (only an at-least-once system has a row with any)"},
       {"reordered", "count per batch", "lower", "count", false,
        "first deliveries after a later message of the same producer, per timed batch (only a system that does not "
        "promise per-producer order has a row with any)"},
       {"message_mb_per_s", "MB/s (10^6 B/s)", "higher", "throughput", false,
        "payload bytes delivered per second of the timed batches (decimal megabytes)"},
       {"server_cpu_s_per_million", "CPU seconds per 10^6 operations", "lower", "time", false,
        "CPU time of the server process (all its threads) per million messages or round trips, beside "
        "cpu_s_per_million (this process's); rows of systems with a server only"},
       {"rate", "messages/s", "", "other", true, "open_loop: intended send rate"},
       {"acked_lost", "count per batch", "lower", "count", false,
        "fault: messages the server acknowledged and never delivered after its kill and restart, per timed batch "
        "(an at-least-once promise allows none: a row with any is an error row)"},
       {"resent", "count per batch", "", "count", false,
        "fault: messages the producer sent again because the kill took their acknowledgement, per timed batch"},
       {"stall_ms", "ms", "lower", "time", false,
        "fault: from the kill to the first message received by a consumer opened after it (restart, recovery, "
        "reconnection, first delivery)"},
       {"restart_ms", "ms", "lower", "time", false,
        "fault: from the kill until the restarted server accepted a connection (probed every 5 ms): the start-up "
        "part of stall_ms"},
       {"clock_read_ns", "ns", "lower", "time", false,
        "cost of one steady_clock read, subtracted from the latency percentiles of the row"}},
      {},  // reads no data: the messages are generated
      {},
      // No gate subset: every row crosses threads of a library (ZeroMQ's I/O thread, libnats's
      // flusher) or a process boundary, whose instruction counts vary from run to run and leave
      // out the server's work; instruction counting registers no rows here.
      "",
  };
  return info;
}

void register_suite(const Options& options, Settings& set, const std::vector<std::string>&) {
  using namespace hotbench::messaging;
  systems().sort();
  const bool quick = options.profile == "quick", full = options.profile == "full";
  const auto system_names = systems().names();
  std::string sampled_names;
  for (const auto& s : systems().all())
    if (s.default_rows == DefaultRows::sample) sampled_names += (sampled_names.empty() ? "" : ", ") + s.name;
  const auto chosen_systems = set.names(
      "systems", system_names, system_names,
      "systems whose rows run" +
          (sampled_names.empty() ? std::string()
                                 : "; outside the full profile, " + sampled_names +
                                       " run only throughput at the smallest size and ping_pong, on their first "
                                       "transport, unless tasks, transports or message_bytes are given"));
  std::vector<std::string> default_tasks;
  for (Task t : kTasks)
    if (std::find(std::begin(kOnRequest), std::end(kOnRequest), t) == std::end(kOnRequest))
      default_tasks.emplace_back(task_name(t));
  const auto tasks = set.names("tasks", default_tasks, names_of(kTasks, task_name),
                               "which tasks run (fault only when named: it kills and restarts servers)");
  const auto transports = set.names("transports", names_of(kTransports, transport_name), names_of(kTransports, transport_name),
                                    "transports (each system runs those it speaks)");
  const auto sizes = set.integers("message_bytes",
                                  full ? std::vector<std::uint64_t>{64, 1024, 16384} : std::vector<std::uint64_t>{64, 16384},
                                  8, 1 << 20, "message sizes of the throughput rows (multiples of 8; full adds 1024)");
  for (auto b : sizes)
    if (b % 8 != 0) set.refuse("message_bytes", "'" + std::to_string(b) + "' is not a multiple of 8");
  const auto latency_sizes = set.integers("latency_bytes", full ? std::vector<std::uint64_t>{64, 1024, 16384} : std::vector<std::uint64_t>{64},
                                          8, 1 << 20, "message sizes of the latency rows, ping_pong and open_loop (multiples of 8)");
  for (auto b : latency_sizes)
    if (b % 8 != 0) set.refuse("latency_bytes", "'" + std::to_string(b) + "' is not a multiple of 8");
  const auto rates = set.integers("rates", full ? std::vector<std::uint64_t>{2'000, 10'000, 50'000} : std::vector<std::uint64_t>{10'000},
                                  100, 10'000'000, "offered rates of the open_loop rows, messages per second");
  const auto batch = set.integer("batch", 0, 0, std::uint64_t{1} << 24,
                                 "messages (throughput) or round trips (ping_pong) per timed run (0: per task and size)");
  const double watchdog_s = set.real("watchdog_s", 10, 0.1, 600, "seconds without progress before a row is an error");
  const double settle_s = set.real("settle_s", 0.5, 0.01, 60,
                                   "at-most-once systems: seconds of silence after the producer's flush before what "
                                   "has not come is counted as lost");
  set.selects_rows({"systems", "tasks", "transports", "message_bytes", "latency_bytes", "batch", "rates"});

  // Servers and other processes: nothing an instruction count could compare (see the gate filter).
  if (measure::under_valgrind()) return;
  benchmark::AddCustomContext("messaging_systems", systems_config());

  const std::vector<std::uint64_t> smallest_size = {*std::min_element(sizes.begin(), sizes.end())};
  for (Task task : kTasks) {
    if (!chosen(tasks, task_name(task))) continue;
    for (const System& s : systems().all()) {
      if (!chosen(chosen_systems, s.name) || !s.has(task)) continue;
      // A fault row: the system's first transport and the smallest size unless given, as a sample.
      const bool sampled = (!full && s.default_rows == DefaultRows::sample) || task == Task::fault;
      if (sampled && task == Task::open_loop && !set.given("tasks")) continue;
      for (Transport t : kTransports) {
        if (!chosen(transports, transport_name(t)) || !s.speaks(t)) continue;
        if (sampled && t != s.transports.front() && !set.given("transports")) continue;
        const bool counted = task == Task::throughput || task == Task::fault;
        const bool one_size = sampled && counted && !set.given("message_bytes");
        for (auto bytes : counted ? (one_size ? smallest_size : sizes) : latency_sizes)
          for (auto rate : task == Task::open_loop ? rates : std::vector<std::uint64_t>{0}) {
            Scenario sc;
            sc.task = task;
            sc.transport = t;
            sc.message_bytes = bytes;
            sc.rate_per_s = static_cast<double>(rate);
            sc.batch = batch ? batch : default_batch(task, bytes, sc.rate_per_s, quick);
            if (!batch && task == Task::throughput)
              sc.batch = std::max<std::size_t>(64, static_cast<std::size_t>(static_cast<double>(sc.batch) * s.batch_scale));
            sc.watchdog_s = watchdog_s;
            sc.settle_s = settle_s;
            register_case(id_of(s, task, t, bytes, rate), [&s, sc] { return make_case(s, sc); }, Clock::wall);
          }
      }
    }
  }
}

}  // namespace hotbench
