// The messaging suite's registration: which systems x tasks x transports x
// message sizes become rows, from --hotbench_set settings or the profile's
// default, sized for the time budget of `./hotbench run` (docs/messaging.md).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <thread>
#include <utility>

#include "../harness/measure.h"
#include "../harness/server.h"
#include "../harness/settings.h"
#include "../harness/suite.h"
#include "driver.h"

namespace hotbench::messaging {
namespace {

constexpr Task kTasks[] = {Task::throughput, Task::ping_pong, Task::open_loop,
                           Task::fan_out,    Task::fault,     Task::consumer_fault};
// Run only when asked for (tasks=fault, tasks=consumer_fault): each of their timed runs kills and
// restarts a server or a consumer, a measurement of recovery, not of speed, with a few seconds per
// row that no profile's sweep needs.
constexpr Task kOnRequest[] = {Task::fault, Task::consumer_fault};
bool is_fault(Task t) { return t == Task::fault || t == Task::consumer_fault; }
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
  if (is_fault(task)) return quick ? 1000 : 2000;
  if (task == Task::open_loop) return std::max<std::size_t>(100, static_cast<std::size_t>(rate * (quick ? 0.005 : 0.05)));
  if (message_bytes >= 16384) return quick ? 256 : 1024;
  return quick ? 1024 : 8192;
}

// "nats:core" -> library "nats", variant "core" (the harness's name grammar); the ends' counts
// first, as the queue suite names its thread counts (producers=2/consumers=2/message_bytes=64).
// A row on a user's broker has the dataset endpoint_tcp or endpoint_ipc: never the same row as one
// on the server hotbench starts, whose configuration it knows.
CaseId id_of(const System& s, const Scenario& sc, std::uint64_t rate) {
  const auto colon = s.name.find(':');
  CaseId id{"messaging",
            task_name(sc.task),
            s.name.substr(0, colon),
            colon == std::string::npos ? "" : s.name.substr(colon + 1),
            (sc.user_endpoint ? "endpoint_" : "") + std::string(transport_name(sc.transport)),
            {}};
  if (sc.task == Task::throughput) {
    id.params.emplace_back("producers", std::to_string(sc.producers));
    id.params.emplace_back("consumers", std::to_string(sc.consumers));
  }
  if (sc.task == Task::fan_out) id.params.emplace_back("subscribers", std::to_string(sc.subscribers));
  id.params.emplace_back("message_bytes", std::to_string(sc.message_bytes));
  if (sc.task == Task::open_loop) id.params.emplace_back("rate", std::to_string(rate));
  return id;
}

// An `ends` item: "P/C", producers/consumers, each 1..64.
std::pair<int, int> parse_ends(const std::string& item) {
  const auto slash = item.find('/');
  auto number = [&](const std::string& text) {
    if (text.empty() || text.size() > 2 || text.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("'" + item + "' is not producers/consumers, e.g. 2/2");
    const int n = std::stoi(text);
    if (n < 1 || n > 64) throw std::invalid_argument("'" + item + "': producers and consumers are 1..64");
    return n;
  };
  if (slash == std::string::npos) throw std::invalid_argument("'" + item + "' is not producers/consumers, e.g. 2/2");
  return {number(item.substr(0, slash)), number(item.substr(slash + 1))};
}
void check_ends(const std::string& item) { parse_ends(item); }

// An `endpoints` item: a system with a server, which speaks the endpoint's transport (a Unix socket: ipc).
std::pair<std::string, UserEndpoint> parse_endpoint_item(const std::string& item) {
  auto [name, endpoint] = parse_user_endpoint_item(item);  // std::invalid_argument: what is wrong
  const System* s = systems().find(name);
  if (!s || !s->server) {
    std::string why = "'" + name + "' has no broker of its own to replace (these have:";
    for (const auto& sys : systems().all())
      if (sys.server) why += " " + sys.name;
    throw std::invalid_argument(why + ")");
  }
  const Transport t = endpoint.unix_socket ? Transport::ipc : Transport::tcp;
  if (!s->speaks(t))
    throw std::invalid_argument(name + " does not speak " + transport_name(t) + " (" +
                                (endpoint.unix_socket ? "a Unix socket" : "TCP") + ")");
  return {name, endpoint};
}
void check_endpoint(const std::string& item) { parse_endpoint_item(item); }

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
      {{"throughput", "producers and competing consumers (1/1, 2/2, 4/4: each message to one consumer): messages/s "
                      "and MB/s; every payload checked; losses, duplicates and reorders counted per producer and judged "
                      "by the system's promise"},
       {"fan_out", "one producer, N subscribers that must each receive every message: messages sent/s and received "
                   "per subscriber per second, and losses, duplicates and reorders counted per subscriber and judged by the system's promise"},
       {"ping_pong", "request-reply round trip, one at a time: latency percentiles; every reply compared with "
                     "its request"},
       {"open_loop", "one producer at a fixed offered rate, one consumer: one-way latency percentiles from each "
                     "message's intended send time (no coordinated omission), delivery counted as in throughput"},
       {"fault", "persisted systems only, run when named (--hotbench_set tasks=fault): per timed run the broker is killed "
                 "(SIGKILL) once half of a batch of acknowledged messages is sent, restarted on the same folder "
                 "and port, and the ends resume: acknowledged messages lost (an error row when any), duplicates, "
                 "stall"},
       {"consumer_fault", "at-least-once systems that redeliver to a new consumer, run when named (--hotbench_set "
                          "tasks=consumer_fault): per timed run the consumer's connection is killed once half of a "
                          "batch is delivered and a new consumer takes over: acknowledged messages lost (an error "
                          "row when any), duplicates, stall"}},
      {{"producers", "threads", "", "count", true,
        "producer ends of a throughput row, each a thread with its own connection"},
       {"consumers", "threads", "", "count", true,
        "consumer ends of a throughput row, each a thread with its own connection, competing for the messages"},
       {"subscribers", "threads", "", "count", true,
        "subscriber ends of a fan_out row, each a thread with its own connection, each to receive every message"},
       {"message_bytes", "bytes", "", "size", true, "payload size of one message"},
       {"sent", "count per batch", "", "count", false, "messages the producer handed to the system, per timed batch"},
       {"delivered", "count per batch", "higher", "count", false,
        "distinct messages of the batch received intact, per timed batch (fan_out: summed over the subscribers)"},
       {"lost", "count per batch", "lower", "count", false,
        "messages of the batch never received, per timed batch (fan_out: summed over the subscribers; only an "
        "at-most-once system has a row with any)"},
       // Beside ops_per_s, which counts messages *sent*: an at-most-once system may send far more than it delivers.
       {"delivered_ratio", "fraction", "higher", "fraction", false,
        "share of the messages sent that were delivered (fan_out: to each subscriber)"},
       {"delivered_per_subscriber_per_s", "messages/s", "higher", "throughput", false,
        "messages received per second by each subscriber (fan_out; the mean over the subscribers)"},
       {"lost_worst_subscriber", "count per batch", "lower", "count", false,
        "fan_out: the most messages of the batch one subscriber never received, per timed batch"},
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
  std::string sampled_names, full_only_names, costly_names;
  for (const auto& s : systems().all()) {
    if (s.default_rows == DefaultRows::sample) sampled_names += (sampled_names.empty() ? "" : ", ") + s.name;
    if (s.default_rows == DefaultRows::none) full_only_names += (full_only_names.empty() ? "" : ", ") + s.name;
    if (s.costly_server) costly_names += (costly_names.empty() ? "" : ", ") + s.name;
  }
  const auto chosen_systems = set.names(
      "systems", system_names, system_names,
      "systems whose rows run" +
          (sampled_names.empty() ? std::string()
                                 : "; outside the full profile, " + sampled_names +
                                       " run only throughput at 1/1 at the smallest size and ping_pong, on their "
                                       "first transport, unless tasks, transports, message_bytes or ends are given") +
          (full_only_names.empty() ? std::string()
                                   : "; " + full_only_names + " only in the full profile or when named here") +
          (costly_names.empty() ? std::string()
                                : "; " + costly_names + " (a server start of seconds) run that sample in the full "
                                                        "profile too"));
  std::vector<std::string> default_tasks;
  for (Task t : kTasks)
    if (std::find(std::begin(kOnRequest), std::end(kOnRequest), t) == std::end(kOnRequest))
      default_tasks.emplace_back(task_name(t));
  const auto tasks = set.names("tasks", default_tasks, names_of(kTasks, task_name),
                               "which tasks run (fault and consumer_fault only when named: they kill and restart servers or consumers)");
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
  std::vector<std::pair<int, int>> ends;
  for (const auto& item : set.items("ends", full ? std::vector<std::string>{"1/1", "2/2", "4/4"} : std::vector<std::string>{"1/1", "2/2"},
                                    "producers/consumers, each 1..64",
                                    "producer/consumer counts of the throughput rows (systems without competing "
                                    "consumers run those with one consumer); counts other than 1/1 run at the "
                                    "smallest size unless message_bytes is given, and outside the full profile on "
                                    "each system's first transport unless transports is given",
                                    check_ends))
    ends.push_back(parse_ends(item));
  const auto subscriber_counts =
      set.integers("subscribers", full ? std::vector<std::uint64_t>{1, 2, 4} : std::vector<std::uint64_t>{2}, 1, 64,
                   "subscriber counts of the fan_out rows (at the smallest size unless message_bytes is given; outside "
                   "the full profile on each system's first transport)");
  const auto batch = set.integer("batch", 0, 0, std::uint64_t{1} << 24,
                                 "messages (throughput, fan_out) or round trips (ping_pong) per timed run (0: per task and size)");
  const double watchdog_s = set.real("watchdog_s", 10, 0.1, 600, "seconds without progress before a row is an error");
  const double settle_s = set.real("settle_s", 0.5, 0.01, 60,
                                   "at-most-once systems: seconds of silence after the producer's flush before what "
                                   "has not come is counted as lost");
  std::map<std::string, UserEndpoint> user_endpoints;
  for (const auto& item :
       set.items("endpoints", {}, kUserEndpointForm,
                 "a broker of the user's for the rows of SYSTEM (a system with a server: nats:core, redis:streams, "
                 "...) instead of one hotbench starts: rows named endpoint_tcp or endpoint_ipc, the address on the "
                 "row's label; the server is left running, and what the rows made there (streams, keys, durable "
                 "sessions; names under hotbench and the process id) is removed when each row ends; never the "
                 "fault task, which kills the server",
                 check_endpoint))
    user_endpoints.insert(parse_endpoint_item(item));
  set.selects_rows({"systems", "tasks", "transports", "message_bytes", "latency_bytes", "batch", "rates", "ends",
                    "subscribers", "endpoints"});

  // Servers and other processes: nothing an instruction count could compare (see the gate filter).
  if (measure::under_valgrind()) return;
  benchmark::AddCustomContext("messaging_systems", systems_config());
  // Whether 4/4 or 4 subscribers oversubscribe the machine (they do on 2 vCPUs).
  benchmark::AddCustomContext("messaging_hardware_threads", std::to_string(std::thread::hardware_concurrency()));

  const std::vector<std::uint64_t> smallest_size = {*std::min_element(sizes.begin(), sizes.end())};
  for (Task task : kTasks) {
    if (!chosen(tasks, task_name(task))) continue;
    for (const System& s : systems().all()) {
      if (!chosen(chosen_systems, s.name) || !s.has(task)) continue;
      // The fault tasks run only when named, for every system that has them (DefaultRows::none too).
      if (!full && s.default_rows == DefaultRows::none && !set.given("systems") && !is_fault(task)) continue;
      const auto user = user_endpoints.find(s.name);
      if (user != user_endpoints.end() && task == Task::fault)
        set.refuse("endpoints", s.name + ": the fault task kills the broker, never a user's; leave fault out of "
                                "tasks or " + s.name + " out of systems");
      // A fault row: the system's first transport and the smallest size unless given, as a sample.
      // A system with a costly server start: its sample in the full profile too.
      const bool sampled = ((!full || s.costly_server) && s.default_rows != DefaultRows::all) || is_fault(task);
      if (sampled && (task == Task::open_loop || task == Task::fan_out) && !set.given("tasks")) continue;
      // The ends of each row: (producers, consumers) of throughput, subscribers of fan_out.
      std::vector<std::pair<int, int>> shapes = {{1, 1}};
      if (task == Task::throughput) {
        shapes.clear();
        for (auto pc : ends)
          if (pc.second == 1 || s.competing_consumers) shapes.push_back(pc);
      }
      if (task == Task::fan_out) {
        shapes.clear();
        for (auto n : subscriber_counts) shapes.emplace_back(1, static_cast<int>(n));
      }
      for (auto [first_count, second_count] : shapes) {
        // A row beyond one producer and one consumer: outside the full profile only a sample of it,
        // and none of a sampled system's unless the counts are asked for.
        const bool more_ends = task == Task::fan_out || first_count != 1 || second_count != 1;
        if (sampled && more_ends && task == Task::throughput && !set.given("ends")) continue;
        for (Transport t : kTransports) {
          if (!chosen(transports, transport_name(t)) || !s.speaks(t)) continue;
          if (user != user_endpoints.end()) {
            // On a user's broker: the endpoint's transport only.
            if (t != (user->second.unix_socket ? Transport::ipc : Transport::tcp)) continue;
          } else if ((sampled || (more_ends && !full)) && t != s.transports.front() && !set.given("transports")) {
            continue;
          }
          // Rows beyond 1/1 in every profile, and a sampled system's, at the smallest size only.
          const bool one_size = (more_ends || sampled) && !set.given("message_bytes");
          const bool counted = task == Task::throughput || task == Task::fan_out || is_fault(task);
          const auto& row_sizes = counted ? (one_size ? smallest_size : sizes) : latency_sizes;
          for (auto bytes : row_sizes)
            for (auto rate : task == Task::open_loop ? rates : std::vector<std::uint64_t>{0}) {
              Scenario sc;
              sc.task = task;
              sc.transport = t;
              sc.message_bytes = bytes;
              sc.rate_per_s = static_cast<double>(rate);
              if (task == Task::throughput) {
                sc.producers = first_count;
                sc.consumers = second_count;
              }
              if (task == Task::fan_out) sc.subscribers = second_count;
              sc.batch = batch ? batch : default_batch(task, bytes, sc.rate_per_s, quick);
              if (!batch && (task == Task::throughput || task == Task::fan_out))
                sc.batch = std::max<std::size_t>(64, static_cast<std::size_t>(static_cast<double>(sc.batch) * s.batch_scale));
              if (sc.batch < static_cast<std::size_t>(sc.producers))
                set.refuse("batch", "smaller than the " + std::to_string(sc.producers) + " producers of a row");
              sc.watchdog_s = watchdog_s;
              sc.settle_s = settle_s;
              if (user != user_endpoints.end()) sc.user_endpoint = user->second;
              register_case(id_of(s, sc, rate), [&s, sc] { return make_case(s, sc); }, Clock::wall);
            }
        }
      }
    }
  }
}

}  // namespace hotbench
