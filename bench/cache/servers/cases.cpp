#include "cases.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <functional>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include "../../harness/histogram.h"
#include "../../harness/server.h"
#include "../cache.h"
#include "../cases.h"

extern char** environ;

namespace hotbench::cache::kv {
namespace {

using Steady = std::chrono::steady_clock;

double ns_since(Steady::time_point t0) { return std::chrono::duration<double, std::nano>(Steady::now() - t0).count(); }

const System& system_named(const std::string& name) {
  const System* s = systems().find(name);
  if (!s) throw KvError("no server system named " + name);
  return *s;
}

// The payload of key id at a version: value_bytes bytes of one repeated word
// that names both (cache.h), so a reply of another key or an old version is seen.
std::string payload(std::uint64_t id, std::uint64_t version, std::size_t value_bytes) {
  std::string v(value_bytes, '\0');
  fill_value(reinterpret_cast<std::byte*>(v.data()), value_bytes, value_word(key_hash(id), version));
  return v;
}

bool is_payload(std::string_view v, std::uint64_t id, std::uint64_t version, std::size_t value_bytes) {
  return v.size() == value_bytes &&
         value_is(reinterpret_cast<const std::byte*>(v.data()), value_bytes, value_word(key_hash(id), version));
}

// The echo floor's reply: the key repeated to value_bytes.
bool is_echo_of(std::string_view v, const std::string& key, std::size_t value_bytes) {
  if (v.size() != value_bytes) return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != key[i % key.size()]) return false;
  return true;
}

// For an error row: that the server has exited, with its last log lines ("" while it runs).
std::string exit_note(const Server& server) {
  if (server.alive()) return "";
  const std::string log = server.log_tail();
  return " (the server has exited" + (log.empty() ? std::string(")") : ": " + log + ")");
}

// Requests, not bytes: the figures people compare are requests/s (as redis-benchmark's).
Work requests_work(std::uint64_t n) {
  Work w;
  w.items = static_cast<double>(n);
  w.unit = Work::Unit::ops;
  return w;
}

// Stores entry(0..count-1), each a (name, value), in pipelined batches of 128 SETs.
void store_in_batches(Client& c, std::uint64_t count,
                      const std::function<std::pair<std::string, std::string>(std::uint64_t)>& entry) {
  std::vector<std::string> names, values;
  std::vector<std::string_view> views;
  for (std::uint64_t id = 0; id < count; ++id) {
    auto [name, value] = entry(id);
    names.push_back(std::move(name));
    values.push_back(std::move(value));
    if (names.size() == 128 || id + 1 == count) {
      views.assign(values.begin(), values.end());
      c.set(names, views);
      names.clear();
      values.clear();
    }
  }
}

std::mutex g_shared_mutex;
std::map<std::pair<std::string, std::size_t>, std::shared_ptr<Server>> g_shared;
std::map<std::string, Endpoint> g_endpoints;

}  // namespace

std::shared_ptr<Server> shared_server(const std::string& system, std::uint64_t keys, std::size_t value_bytes) {
  std::lock_guard lock(g_shared_mutex);
  auto& s = g_shared[{system, value_bytes}];
  if (!s || !s->alive()) {
    s.reset();  // a dead one's folder goes first
    const System& sys = system_named(system);
    if (auto e = g_endpoints.find(system); e != g_endpoints.end()) {
      s = sys.attach(e->second);
      return s;
    }
    ServerOptions o;
    o.max_entries = 2 * keys;
    o.value_bytes = value_bytes;
    s = sys.start(o);
  }
  return s;
}

void use_endpoint(const std::string& system, const std::optional<Endpoint>& endpoint) {
  std::lock_guard lock(g_shared_mutex);
  if (!system_named(system).attach) throw KvError(system + " cannot use a server of the user's");
  if (endpoint) g_endpoints[system] = *endpoint;
  else g_endpoints.erase(system);
  std::erase_if(g_shared, [&](const auto& entry) { return entry.first.first == system; });  // rows hold theirs
}

namespace {

// Counts replies of a get batch and checks each against the value expected for its key.
class Checked final : public GetReplies {
 public:
  void expect(const std::vector<std::string>* keys, const std::uint64_t* ids, const std::uint64_t* versions,
              std::size_t value_bytes, bool echo) {
    keys_ = keys;
    ids_ = ids;
    versions_ = versions;
    value_bytes_ = value_bytes;
    echo_ = echo;
  }
  void reply(std::size_t i, bool found, std::string_view value) override {
    if (!found) {
      ++misses;
      if (error.empty()) error = "GET " + (*keys_)[i] + ": a miss for a key that was stored";
      return;
    }
    ++hits;
    const bool ok = echo_ ? is_echo_of(value, (*keys_)[i], value_bytes_)
                          : is_payload(value, ids_[i], versions_[ids_[i]], value_bytes_);
    if (!ok && error.empty())
      error = "GET " + (*keys_)[i] + ": " + std::to_string(value.size()) + " bytes that are not the value last stored";
  }
  std::uint64_t hits = 0, misses = 0;
  std::string error;

 private:
  const std::vector<std::string>* keys_ = nullptr;
  const std::uint64_t* ids_ = nullptr;
  const std::uint64_t* versions_ = nullptr;
  std::size_t value_bytes_ = 0;
  bool echo_ = false;
};

// --- round trips ---------------------------------------------------------------

class RoundTrip final : public Case {
 public:
  explicit RoundTrip(const RoundTripSpec& s) : s_(s), system_(system_named(s.system)) {
    keys_ = s.keys;
    server_ = shared_server(s.system, keys_, s.value_bytes);
    for (std::size_t c = 0; c < s.connections; ++c) {
      Conn conn;
      conn.client = server_->connect(s.transport);
      conn.stream.resize(std::max<std::size_t>(kRequestsPerRun / s.connections / s.pipeline, 1) * s.pipeline);
      std::mt19937_64 rng(s.seed + c);
      for (auto& id : conn.stream) id = rng() % keys_;
      for (auto id : conn.stream) conn.names.push_back(server_->key(id));
      conns_.push_back(std::move(conn));
    }
    versions_.assign(keys_, 1);
    for (std::uint64_t v : {1, 2}) {
      auto& vals = values_[v - 1];
      if (s.set || v == 1)
        for (std::uint64_t id = 0; id < keys_; ++id) vals.push_back(payload(id, v, s.value_bytes));
    }
  }
  ~RoundTrip() override {
    {
      std::lock_guard lock(m_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    if (server_->attached() && !system_.floor) {  // the user's server keeps only what was there before
      try {
        std::vector<std::string> names;
        for (std::uint64_t id = 0; id < keys_; ++id) {
          names.push_back(server_->key(id));
          if (names.size() == 512 || id + 1 == keys_) {
            conns_[0].client->del(names);
            names.clear();
          }
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "hotbench: could not delete this run's keys (%s*) from %s: %s\n",
                     attached_prefix().c_str(), s_.system.c_str(), e.what());
      }
    }
  }

  Work work() const override {
    std::uint64_t n = 0;
    for (const auto& c : conns_) n += c.stream.size();
    return requests_work(n);
  }

  Check check() override {
    try {
      Client& c = *conns_[0].client;
      // Every key at version 1, read back whole. A set row stores them (its check is of the client's
      // sets too); a get row only when a read-back finds otherwise: the rows before it on the same
      // server leave them so (get rows change nothing), and storing is the costlier half.
      if (!system_.floor && (s_.set || !read_back(c).error.empty())) {
        std::vector<std::string> names;
        std::vector<std::string_view> values;
        for (std::uint64_t id = 0; id < keys_; ++id) {
          names.push_back(server_->key(id));
          values.push_back(values_[0][id]);
          if (names.size() == 128 || id + 1 == keys_) {
            c.set(names, values);
            names.clear();
            values.clear();
          }
        }
      }
      c.reset_stats();
      const Checked checked = read_back(c);
      if (!checked.error.empty()) return Check::failed(checked.error);
      if (checked.hits != keys_) return Check::failed("read back " + std::to_string(checked.hits) + " of " + std::to_string(keys_) + " keys");
      if (std::string e = cross_check(c, keys_); !e.empty()) return Check::failed(e);
    } catch (const std::exception& e) {
      return Check::failed(std::string(e.what()) + tail());
    }
    Check ok;
    ok.label = std::string(transport_name(s_.transport));
    for (const auto& [k, v] : server_->describe())
      if (k == "version") ok.label += ", " + s_.system + " " + v;
    for (std::size_t c = 1; c < conns_.size(); ++c) workers_.emplace_back([this, c] { worker(c); });
    return ok;
  }

  void run() override {
    version_ = s_.set ? 3 - version_ : 1;  // sets alternate between two stored versions
    if (conns_.size() == 1) return drive(conns_[0]);
    {
      std::lock_guard lock(m_);
      ++generation_;
      busy_ = conns_.size() - 1;
    }
    cv_.notify_all();
    drive(conns_[0]);
    std::unique_lock lock(m_);
    done_cv_.wait(lock, [&] { return busy_ == 0; });
  }

  Counters observe() override {
    std::string error;
    LatencyHistogram all;
    std::uint64_t gets = 0;
    for (auto& c : conns_) {
      if (error.empty()) error = c.error;
      all.merge(c.histogram);
      c.histogram.clear();
      gets += c.gets;
      c.gets = 0;
    }
    if (!error.empty()) throw KvError(error + tail());
    Client& c = *conns_[0].client;
    if (s_.set) {  // what the timed sets stored: every run writes its version to the same keys
      for (const auto& conn : conns_)
        for (auto id : conn.stream) versions_[id] = version_;
      // every key reads back at the version last stored
      const Checked checked = read_back(c);
      if (!checked.error.empty()) throw KvError("after the timed sets: " + checked.error);
      gets = keys_;
    }
    if (std::string e = cross_check(c, gets); !e.empty()) throw KvError(e);
    Counters out = all.counters();
    out.emplace_back("pipeline", static_cast<double>(s_.pipeline));
    out.emplace_back("connections", static_cast<double>(s_.connections));
    out.emplace_back("value_bytes", static_cast<double>(s_.value_bytes));
    out.emplace_back("keys", static_cast<double>(keys_));
    return out;
  }

 private:
  static constexpr std::size_t kRequestsPerRun = 2048;

  struct Conn {
    std::unique_ptr<Client> client;
    std::vector<std::uint64_t> stream;
    std::vector<std::string> names;
    LatencyHistogram histogram;
    std::uint64_t gets = 0;
    std::string error;
  };

  // Every key read back (batches of 128), each reply held to the version last stored (the floor: to
  // its echo of the key).
  Checked read_back(Client& c) {
    Checked checked;
    std::vector<std::string> names;
    std::vector<std::uint64_t> ids;
    for (std::uint64_t id = 0; id < keys_; ++id) {
      names.push_back(server_->key(id));
      ids.push_back(id);
      if (names.size() == 128 || id + 1 == keys_) {
        checked.expect(&names, ids.data(), versions_.data(), s_.value_bytes, system_.floor);
        c.get(names, checked);
        names.clear();
        ids.clear();
      }
    }
    return checked;
  }

  // The server's count of hits since the last reset must be the gets that hit here (on a user's
  // server, where others may read too, at least those).
  std::string cross_check(Client& c, std::uint64_t gets) {
    if (system_.floor) return "";
    const ServerStats st = c.stats();
    c.reset_stats();
    if (server_->attached() ? st.get_hits < gets : st.get_hits != gets || st.get_misses != 0)
      return "the server counted " + std::to_string(st.get_hits) + " hits and " + std::to_string(st.get_misses) +
             " misses; hotbench sent " + std::to_string(gets) + " gets of stored keys";
    return "";
  }

  // One connection's share of a run: pipelined batches, each timed (two clock reads per batch,
  // under 1 % of the fastest server round trip here), every reply checked.
  void drive(Conn& c) {
    if (!c.error.empty()) return;
    try {
      const std::size_t p = s_.pipeline;
      Checked checked;
      std::vector<std::string_view> values(p);
      for (std::size_t at = 0; at < c.stream.size(); at += p) {
        const std::span<const std::string> names(c.names.data() + at, p);
        const auto t0 = Steady::now();
        if (s_.set) {
          for (std::size_t i = 0; i < p; ++i) values[i] = values_[version_ - 1][c.stream[at + i]];
          c.client->set(names, values);
        } else {
          checked.expect(&c.names, c.stream.data(), versions_.data(), s_.value_bytes, system_.floor);
          // Reply i of the batch is name at + i: a view of the batch's own names.
          BatchView view(checked, at);
          c.client->get(names, view);
        }
        const auto ns = static_cast<std::uint64_t>(ns_since(t0));
        for (std::size_t i = 0; i < p; ++i) c.histogram.record(ns);
      }
      if (!s_.set) {
        c.gets += checked.hits;
        if (!checked.error.empty()) c.error = checked.error;
      }
    } catch (const std::exception& e) {
      c.error = e.what();
    }
  }

  // Replies numbered within a batch, handed on numbered within the connection's stream.
  class BatchView final : public GetReplies {
   public:
    BatchView(Checked& c, std::size_t offset) : c_(c), offset_(offset) {}
    void reply(std::size_t i, bool found, std::string_view v) override { c_.reply(offset_ + i, found, v); }

   private:
    Checked& c_;
    std::size_t offset_;
  };

  void worker(std::size_t index) {
    std::uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock lock(m_);
        cv_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
      }
      drive(conns_[index]);
      {
        std::lock_guard lock(m_);
        --busy_;
      }
      done_cv_.notify_one();
    }
  }

  std::string tail() const { return exit_note(*server_); }

  RoundTripSpec s_;
  const System& system_;
  std::uint64_t keys_ = 0;
  std::shared_ptr<Server> server_;
  std::vector<Conn> conns_;
  std::vector<std::string> values_[2];
  std::vector<std::uint64_t> versions_;  // by key id: the version last stored
  std::uint64_t version_ = 1;
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::uint64_t generation_ = 0;
  std::size_t busy_ = 0;
  bool quit_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

std::uint64_t round_trip_keys(std::size_t value_bytes, bool quick) {
  return std::clamp<std::uint64_t>((16u << 20) / std::max<std::size_t>(value_bytes, 1), 256, quick ? 2048 : 10'000);
}

CaseFactory round_trip(const RoundTripSpec& spec) {
  return [spec] { return std::make_unique<RoundTrip>(spec); };
}

// --- redis-benchmark -------------------------------------------------------------

namespace {

// Runs a program with a bounded wait; its stdout, or KvError.
std::string run_bounded(const std::vector<std::string>& argv, int timeout_s) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw KvError("pipe failed");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out[1], 1);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, argv[0].c_str(), &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  ::close(out[1]);
  if (rc != 0) {
    ::close(out[0]);
    throw KvError(argv[0] + " not found: install the Debian package redis-tools");
  }
  std::string text;
  char buf[4096];
  const auto deadline = Steady::now() + std::chrono::seconds(timeout_s);
  for (;;) {
    pollfd p{out[0], POLLIN, 0};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Steady::now()).count();
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      ::close(out[0]);
      throw KvError(argv[0] + " gave no result within " + std::to_string(timeout_s) + " s");
    }
    const ssize_t n = ::read(out[0], buf, sizeof buf);
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw KvError(argv[0] + " failed: " + text.substr(0, 200));
  return text;
}

std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char ch : line) {
    if (ch == '"') quoted = !quoted;
    else if (ch == ',' && !quoted) out.push_back(std::exchange(cur, {}));
    else if (ch != '\r') cur += ch;
  }
  out.push_back(cur);
  return out;
}

class RedisBenchmark final : public Case {
 public:
  explicit RedisBenchmark(const RoundTripSpec& s) : s_(s) {
    server_ = shared_server("redis", s.keys, s.value_bytes);
    // A whole number of pipelines per connection: redis-benchmark sends whole pipelines, so -n 100000
    // at -P 128 is 100,096 requests (the server's count said so).
    const std::size_t step = s.pipeline * s.connections;
    const std::size_t wanted = s.quick ? std::clamp<std::size_t>(s.pipeline * 64, 2048, 8192)
                                       : std::clamp<std::size_t>(s.pipeline * 1000, 10'000, 100'000);
    requests_ = (wanted + step - 1) / step * step;
  }
  Work work() const override { return requests_work(requests_); }
  Check check() override {
    // Its GETs read key:<12 digits> for random numbers below -r: store them first, so they hit.
    try {
      auto c = server_->connect(Transport::unix_socket);
      const std::string value(s_.value_bytes, 'x');
      store_in_batches(*c, s_.keys, [&](std::uint64_t id) {
        char name[32];
        std::snprintf(name, sizeof name, "key:%012llu", static_cast<unsigned long long>(id));
        return std::pair(std::string(name), value);
      });
      stats_ = server_->connect(Transport::unix_socket);
      stats_->reset_stats();
      run();
      if (std::string e = what_the_server_saw(); !e.empty()) return Check::failed(e);
    } catch (const std::exception& e) {
      return Check::failed(e.what());
    }
    Check ok;
    ok.label = "redis-benchmark " + std::string(transport_name(s_.transport));
    return ok;
  }
  void run() override {
    std::vector<std::string> argv = {"redis-benchmark"};
    if (s_.transport == Transport::tcp) argv.insert(argv.end(), {"-h", "127.0.0.1", "-p", port()});
    else argv.insert(argv.end(), {"-s", socket()});
    argv.insert(argv.end(), {"-c", std::to_string(s_.connections), "-P", std::to_string(s_.pipeline), "-d",
                             std::to_string(s_.value_bytes), "-n", std::to_string(requests_), "-r",
                             std::to_string(s_.keys), "-t", s_.set ? "set" : "get", "--csv"});
    counters_.clear();  // a run whose output has no result line must not keep the last run's figures
    const std::string text = run_bounded(argv, 120);
    std::istringstream in(text);
    std::string line;
    std::vector<std::string> header;
    while (std::getline(in, line)) {
      auto f = csv_fields(line);
      if (header.empty()) {
        header = f;
        continue;
      }
      if (f.size() != header.size()) continue;
      Counters c;
      for (std::size_t i = 1; i < f.size(); ++i) {
        const double v = std::stod(f[i]);
        static const std::map<std::string, std::string> names = {{"rps", "tool_ops_per_s"},
                                                                 {"avg_latency_ms", "mean_ns"},
                                                                 {"p50_latency_ms", "p50_ns"},
                                                                 {"p99_latency_ms", "p99_ns"},
                                                                 {"max_latency_ms", "max_ns"}};
        if (auto it = names.find(header[i]); it != names.end())
          c.emplace_back(it->second, header[i] == "rps" ? v : v * 1e6);
      }
      counters_ = c;
    }
    if (counters_.empty()) throw KvError("redis-benchmark printed no result line: " + text.substr(0, 200));
    runs_ += 1;
  }
  Counters observe() override {
    if (std::string e = what_the_server_saw(); !e.empty()) throw KvError(e);
    Counters out = counters_;
    out.emplace_back("pipeline", static_cast<double>(s_.pipeline));
    out.emplace_back("connections", static_cast<double>(s_.connections));
    out.emplace_back("value_bytes", static_cast<double>(s_.value_bytes));
    return out;
  }

 private:
  std::string port() const {
    for (const auto& [k, v] : server_->describe())
      if (k == "port") return v;
    throw KvError("redis: no port recorded");
  }
  std::string socket() const {
    for (const auto& [k, v] : server_->describe())
      if (k == "unix_socket") return v;
    throw KvError("redis: no socket recorded");
  }
  // The tool's work, counted by the server since the last call: every GET a hit on a key stored
  // before (-r stays within them), or every SET processed.
  std::string what_the_server_saw() {
    const ServerStats st = stats_->stats();
    stats_->reset_stats();
    const std::uint64_t sent = runs_ * requests_;
    runs_ = 0;
    if (s_.set ? st.sets != sent : st.get_hits != sent || st.get_misses != 0)
      return "redis-benchmark sent " + std::to_string(sent) + (s_.set ? " SETs" : " GETs") + "; the server counted " +
             (s_.set ? std::to_string(st.sets) + " SETs"
                     : std::to_string(st.get_hits) + " hits and " + std::to_string(st.get_misses) + " misses");
    return "";
  }

  RoundTripSpec s_;
  std::shared_ptr<Server> server_;
  std::unique_ptr<Client> stats_;  // reads the server's counters
  std::size_t requests_;
  std::uint64_t runs_ = 0;
  Counters counters_;
};

}  // namespace

CaseFactory redis_benchmark(const RoundTripSpec& spec) {
  return [spec] { return std::make_unique<RedisBenchmark>(spec); };
}

// --- open loop -------------------------------------------------------------------

namespace {

std::uint64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<std::uint64_t>(ts.tv_nsec);
}

// The thread's timer slack at 1 ns while it paces requests (default 50 us: a 20 us send interval
// would be missed by that much), restored afterwards.
class FineTimerSlack {
 public:
  FineTimerSlack() : old_(::prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0)) { ::prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); }
  ~FineTimerSlack() {
    if (old_ > 0) ::prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(old_), 0, 0, 0);
  }

 private:
  int old_;
};

class OpenLoop final : public Case, private AsyncReplies {
 public:
  explicit OpenLoop(const OpenLoopSpec& s) : s_(s), keys_(s.keys) {
    server_ = shared_server(s.system, keys_, s.value_bytes);
    // 0.2 s of load a run, within 1,000..50,000 requests.
    requests_ = std::clamp<std::uint64_t>(s.rate / 5, 1000, 50'000);
    interval_ns_ = 1e9 / static_cast<double>(s.rate);
    std::mt19937_64 rng(s.seed);
    for (std::uint64_t i = 0; i < requests_; ++i) ids_.push_back(rng() % keys_);
    for (auto id : ids_) names_.push_back(server_->key(id));
  }
  Work work() const override { return requests_work(requests_); }
  Check check() override {
    try {
      auto c = server_->connect(Transport::unix_socket);
      store_in_batches(*c, keys_, [&](std::uint64_t id) {  // every key at version 1, as the round trips
        return std::pair(server_->key(id), payload(id, 1, s_.value_bytes));
      });
      stats_ = server_->connect(Transport::unix_socket);
      stats_->reset_stats();
      conn_ = server_->connect_async(s_.transport);  // opened here, not in the timed runs
      pass();  // every reply checked in reply()
      if (std::string e = what_the_server_saw(); !e.empty()) return Check::failed(e);
    } catch (const std::exception& e) {
      return Check::failed(std::string(e.what()) + tail());
    }
    latency_.clear();
    late_.clear();
    Check ok;
    ok.label = std::string(transport_name(s_.transport)) + ", hiredis async";
    for (const auto& [k, v] : server_->describe())
      if (k == "version") ok.label += ", " + s_.system + " " + v;
    return ok;
  }
  void run() override { pass(); }
  Counters observe() override {
    if (std::string e = what_the_server_saw(); !e.empty()) throw KvError(e);
    Counters out = latency_.counters();
    const Counters late = late_.counters();
    for (const auto& [k, v] : late)
      if (k == "p99_ns") out.emplace_back("send_late_p99_ns", v);
    out.emplace_back("value_bytes", static_cast<double>(s_.value_bytes));
    out.emplace_back("keys", static_cast<double>(keys_));
    latency_.clear();
    late_.clear();
    return out;
  }

 private:
  static constexpr std::uint64_t kSpinNs = 150'000;

  std::uint64_t intended(std::uint64_t i) const {
    return start_ns_ + static_cast<std::uint64_t>(static_cast<double>(i) * interval_ns_);
  }
  // One run: every request sent at its intended time, whether or not the replies keep up; the run
  // ends when every reply is in, or fails after 10 s more than the sending takes.
  void pass() {
    FineTimerSlack slack;
    AsyncClient& conn = *conn_;
    replied_ = 0;
    error_.clear();
    start_ns_ = now_ns() + 1'000'000;
    const std::uint64_t deadline = intended(requests_) + 10'000'000'000u;
    std::uint64_t sent = 0;
    while (replied_ < requests_) {
      const std::uint64_t t = now_ns();
      for (; sent < requests_ && intended(sent) <= t; ++sent) {
        conn.get(names_[sent], sent);
        late_.record(t - intended(sent));
      }
      if (!error_.empty()) throw KvError(error_);
      if (t > deadline)
        throw KvError(std::to_string(replied_) + " of " + std::to_string(requests_) + " replies within " +
                      std::to_string((deadline - start_ns_) / 1'000'000'000u) + " s");
      // Sleeps in poll() until kSpinNs before the next send, then polls without sleeping: a
      // wake-up from a timed sleep takes 50-90 us on this VM, which would be sent late otherwise.
      const std::uint64_t next = sent < requests_ ? intended(sent) : t + 1'000'000;
      conn.poll(next > t + kSpinNs ? next - t - kSpinNs : 0, *this);
    }
    if (!error_.empty()) throw KvError(error_);
    runs_ += 1;
  }
  void reply(std::uint64_t tag, bool found, std::string_view value) override {
    const std::uint64_t t = now_ns(), due = intended(tag);
    latency_.record(t > due ? t - due : 0);
    ++replied_;
    if ((!found || !is_payload(value, ids_[tag], 1, s_.value_bytes)) && error_.empty())
      error_ = "GET " + names_[tag] + ": " + (found ? "bytes that are not the value stored" : "a miss for a stored key");
  }
  // Every GET since the last call a hit on the server's own count.
  std::string what_the_server_saw() {
    const ServerStats st = stats_->stats();
    stats_->reset_stats();
    const std::uint64_t sent = runs_ * requests_;
    runs_ = 0;
    if (server_->attached() ? st.get_hits < sent : st.get_hits != sent || st.get_misses != 0)
      return "the server counted " + std::to_string(st.get_hits) + " hits and " + std::to_string(st.get_misses) +
             " misses; hotbench sent " + std::to_string(sent) + " gets of stored keys";
    return "";
  }
  std::string tail() const { return exit_note(*server_); }

  OpenLoopSpec s_;
  std::uint64_t keys_;
  std::shared_ptr<Server> server_;
  std::unique_ptr<Client> stats_;
  std::unique_ptr<AsyncClient> conn_;  // the row's one asynchronous connection
  std::uint64_t requests_ = 0;
  double interval_ns_ = 0;
  std::vector<std::uint64_t> ids_;
  std::vector<std::string> names_;
  std::uint64_t start_ns_ = 0, replied_ = 0, runs_ = 0;
  std::string error_;
  LatencyHistogram latency_;  // from the intended send time to the reply
  LatencyHistogram late_;     // how late the client itself sent (part of the latencies)
};

}  // namespace

CaseFactory open_loop(const OpenLoopSpec& spec) {
  return [spec] { return std::make_unique<OpenLoop>(spec); };
}

// --- server-side eviction ----------------------------------------------------------

namespace {

class Eviction final : public Case {
 public:
  explicit Eviction(const EvictionSpec& s) : s_(s) {
    ServerOptions o;
    o.hold_entries = s.hold_entries;
    o.value_bytes = s.value_bytes;
    o.eviction = s.eviction;
    server_ = system_named(s.system).start(o);
    client_ = server_->connect(Transport::unix_socket);
    versions_.assign(s.key_count, 0);
  }
  Work work() const override {
    Work w;
    w.items = static_cast<double>(s_.measured->ids.size());
    w.unit = Work::Unit::ops;
    return w;
  }
  Check check() override {
    try {
      if (std::string e = requests_shape_error(*s_.warmup, s_.key_count); !e.empty()) return Check::failed(e);
      if (std::string e = requests_shape_error(*s_.measured, s_.key_count); !e.empty()) return Check::failed(e);
      replay(*s_.warmup);
      client_->reset_stats();
      hits_ = misses_ = refused_ = 0;
      replay(*s_.measured);
      if (std::string e = cross_check(); !e.empty()) return Check::failed(e);
      checked_hit_ratio_ = ratio(hits_, misses_);
      resident_ = client_->stats().items;
      if (resident_ == 0) return Check::failed("the server held no entries after the warm-up");
      same_capacity_lru_ = lru_replay(resident_);
      hits_ = misses_ = refused_ = 0;
    } catch (const std::exception& e) {
      return Check::failed(std::string(e.what()) + tail());
    }
    Check ok;
    ok.label = s_.system + " " + s_.eviction + ", " + std::to_string(server_->memory_limit()) + " bytes";
    return ok;
  }
  // A wrong value or a failed command throws: the harness makes the row an error.
  void run() override { replay(*s_.measured); }
  Counters observe() override {
    if (std::string e = cross_check(); !e.empty()) throw KvError(e);
    Counters out = {{"hit_ratio", ratio(hits_, misses_)},
                    {"refused_fill_ratio", misses_ ? static_cast<double>(refused_) / static_cast<double>(misses_) : 0},
                    {"checked_hit_ratio", checked_hit_ratio_},
                    {"resident_entries", static_cast<double>(resident_)},
                    {"target_entries", static_cast<double>(s_.hold_entries)},
                    {"capacity_bytes", static_cast<double>(server_->memory_limit())},
                    {"lru_same_capacity_hit_ratio", same_capacity_lru_},
                    {"value_bytes", static_cast<double>(s_.value_bytes)},
                    {"keys", static_cast<double>(s_.key_count)},
                    {"pipeline", static_cast<double>(s_.batch)}};
    if (s_.irm_probabilities)
      out.emplace_back("che_hit_ratio", memo_oracle("che", s_.workload, *s_.irm_probabilities, resident_));
    hits_ = misses_ = refused_ = 0;
    return out;
  }

 private:
  static double ratio(std::uint64_t h, std::uint64_t m) { return h + m ? static_cast<double>(h) / static_cast<double>(h + m) : 0; }

  // Cache-aside in batches: GET the batch's keys (pipelined), then SET each
  // key that missed (pipelined) to its next version. Every hit must be the
  // version last stored for its key; a SET the server refuses for lack of
  // memory (Client::fill) leaves the key absent: counted, and a later miss.
  void replay(const Requests& r) {
    const std::size_t b = s_.batch;
    std::vector<std::string> names, missed;
    std::vector<std::uint64_t> ids;
    std::vector<std::string> payloads;
    std::vector<std::string_view> values;
    for (std::size_t at = 0; at < r.ids.size(); at += b) {
      names.clear();
      ids.clear();
      for (std::size_t i = at; i < std::min(at + b, r.ids.size()); ++i) {
        ids.push_back(r.ids[i]);
        names.push_back(kv_key(r.ids[i]));
      }
      struct Sink final : GetReplies {
        Eviction* self;
        const std::vector<std::uint64_t>* ids;
        std::vector<std::size_t> misses;
        void reply(std::size_t i, bool found, std::string_view v) override {
          const std::uint64_t id = (*ids)[i];
          if (!found) {
            misses.push_back(i);
            return;
          }
          ++self->hits_;
          if (!is_payload(v, id, self->versions_[id], self->s_.value_bytes) && self->error_.empty())
            self->error_ = "GET " + kv_key(id) + ": not the value last stored (version " +
                           std::to_string(self->versions_[id]) + ")";
        }
      } sink;
      sink.self = this;
      sink.ids = &ids;
      client_->get(names, sink);
      misses_ += sink.misses.size();
      if (!error_.empty()) throw KvError(error_);
      if (sink.misses.empty()) continue;
      missed.clear();
      payloads.clear();
      values.clear();
      for (std::size_t i : sink.misses) {
        const std::uint64_t id = ids[i];
        missed.push_back(names[i]);
        payloads.push_back(payload(id, ++versions_[id], s_.value_bytes));
      }
      for (const auto& p : payloads) values.push_back(p);
      refused_ += client_->fill(missed, values);
    }
  }

  // The same commands against an exact LRU holding `capacity` entries: warm-up, then the
  // measured stream, in the same batches (a key missed twice in one batch misses twice).
  double lru_replay(std::uint64_t capacity) const {
    auto lru = find_policy("lru")->make_u64.at("boost_flat")(capacity, 8);
    const std::byte value[8] = {};
    std::uint64_t hits = 0, total = 0;
    std::vector<std::uint64_t> missed;
    for (const Requests* r : {s_.warmup.get(), s_.measured.get()}) {
      const bool counted = r == s_.measured.get();
      for (std::size_t at = 0; at < r->ids.size(); at += s_.batch) {
        missed.clear();
        for (std::size_t i = at; i < std::min(at + s_.batch, r->ids.size()); ++i) {
          const bool hit = lru->get(r->ids[i]) != nullptr;
          if (!hit) missed.push_back(r->ids[i]);
          if (counted) {
            hits += hit;
            ++total;
          }
        }
        for (auto id : missed) lru->put(id, value);
      }
    }
    return total ? static_cast<double>(hits) / static_cast<double>(total) : 0;
  }

  std::string cross_check() {
    const ServerStats st = client_->stats();
    client_->reset_stats();
    if (st.get_hits != hits_ || st.get_misses != misses_)
      return "the server counted " + std::to_string(st.get_hits) + " hits and " + std::to_string(st.get_misses) +
             " misses; hotbench saw " + std::to_string(hits_) + " and " + std::to_string(misses_);
    return "";
  }
  std::string tail() const { return exit_note(*server_); }

  EvictionSpec s_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Client> client_;
  std::vector<std::uint64_t> versions_;
  std::uint64_t hits_ = 0, misses_ = 0, refused_ = 0, resident_ = 0;
  double checked_hit_ratio_ = 0, same_capacity_lru_ = 0;
  std::string error_;
};

}  // namespace

CaseFactory eviction(const EvictionSpec& spec) {
  return [spec] { return std::make_unique<Eviction>(spec); };
}

}  // namespace hotbench::cache::kv
