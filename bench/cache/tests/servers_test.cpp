// The server systems (bench/cache/servers) behind the one client interface,
// with real servers started by the suite: what a client reads is what was
// stored, a miss is a miss, the server's own counters agree with ours, and a
// server that dies, a program that is missing, or a value that is not the one
// last stored gives an error, never a hang or a figure.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "cache/servers/cases.h"
#include "cache/servers/kv.h"
#include "harness/server.h"

namespace hotbench::cache::kv {
namespace {

std::vector<std::string> system_names() {
  std::vector<std::string> n;
  for (const auto& s : systems().all()) n.push_back(s.name);
  return n;
}

std::unique_ptr<Server> start_or_skip(const std::string& name, ServerOptions o = {}) {
  if (!o.value_bytes) o.value_bytes = 32;
  if (!o.max_entries) o.max_entries = 1000;
  try {
    return systems().find(name)->start(o);
  } catch (const ServerError& e) {
    // The test command installs every server; a machine without one says which package.
    if (std::getenv("HOTBENCH_REQUIRE_BUILT")) throw;
    return nullptr;
  }
}

struct Collect final : GetReplies {
  std::vector<std::pair<bool, std::string>> got;
  void reply(std::size_t i, bool found, std::string_view v) override {
    if (got.size() <= i) got.resize(i + 1);
    got[i] = {found, std::string(v)};
  }
};

class EverySystem : public ::testing::TestWithParam<std::string> {};

TEST_P(EverySystem, ReadsBackWhatWasStoredAndCountsLikeTheServer) {
  const System& sys = *systems().find(GetParam());
  auto server = start_or_skip(sys.name);
  if (!server) GTEST_SKIP() << sys.name << "'s server is not installed";
  for (Transport t : sys.transports) {
    SCOPED_TRACE(transport_name(t));
    auto c = server->connect(t);
    const std::vector<std::string> keys = {"hb:1", "hb:2", "hb:3", "hb:2"};
    if (sys.floor) {  // the floor answers every key with the key repeated, and stores nothing
      Collect got;
      c->get(keys, got);
      ASSERT_EQ(got.got.size(), 4u);
      EXPECT_EQ(got.got[0].second, std::string("hb:1hb:1hb:1hb:1hb:1hb:1hb:1hb:1"));
      EXPECT_THROW(c->set({keys.data(), 1}, std::vector<std::string_view>{"x"}), KvError);
      continue;
    }
    const std::string a(32, 'a'), b(32, 'b');
    c->set(std::span(keys).subspan(0, 2), std::vector<std::string_view>{a, b});
    c->reset_stats();
    Collect got;
    c->get(keys, got);  // hb:3 was never stored; hb:2 is asked twice in one batch
    ASSERT_EQ(got.got.size(), 4u);
    EXPECT_EQ(got.got[0], std::make_pair(true, a));
    EXPECT_EQ(got.got[1], std::make_pair(true, b));
    EXPECT_FALSE(got.got[2].first);
    EXPECT_EQ(got.got[3], std::make_pair(true, b));
    const ServerStats st = c->stats();
    EXPECT_EQ(st.get_hits, 3u);
    EXPECT_EQ(st.get_misses, 1u);
    EXPECT_GE(st.items, 2u);
  }
}

INSTANTIATE_TEST_SUITE_P(Servers, EverySystem, ::testing::ValuesIn(system_names()),
                         [](const auto& info) { return info.param; });

RoundTripSpec spec_of(const std::string& system, bool set, std::size_t pipeline) {
  RoundTripSpec s;
  s.system = system;
  s.transport = system == "in_process" ? Transport::memory : Transport::unix_socket;
  s.set = set;
  s.pipeline = pipeline;
  s.value_bytes = 64;
  s.keys = 300;
  s.seed = 7;
  return s;
}

bool installed(const std::string& system) { return start_or_skip(system) != nullptr; }

TEST(RoundTrip, EveryRowChecksAndReportsLatencies) {
  for (const auto& sys : systems().all()) {
    if (!installed(sys.name)) continue;
    for (bool set : {false, true}) {
      if (set && sys.floor) continue;
      for (std::size_t p : {std::size_t{1}, std::size_t{16}}) {
        SCOPED_TRACE(sys.name + (set ? " set" : " get") + " pipeline " + std::to_string(p));
        auto c = round_trip(spec_of(sys.name, set, p))();
        const Check check = c->check();
        ASSERT_TRUE(check.ok()) << check.error;
        c->run();
        c->run();
        const Counters counters = c->observe();
        auto find = [&](const std::string& k) {
          for (const auto& [name, v] : counters)
            if (name == k) return v;
          return -1.0;
        };
        EXPECT_GT(find("p50_ns"), 0);
        EXPECT_EQ(find("pipeline"), static_cast<double>(p));
      }
    }
  }
}

// A key changed behind the row's back (another client stores another payload)
// is a wrong value: the timed GETs see it and the row fails.
TEST(RoundTrip, AValueThatIsNotTheOneStoredFailsTheRow) {
  if (!installed("redis")) GTEST_SKIP() << "redis-server is not installed";
  RoundTripSpec s = spec_of("redis", false, 16);
  auto c = round_trip(s)();
  ASSERT_TRUE(c->check().ok());
  // A SET row of the same value size shares the server: it overwrites the keys with version 2.
  auto writer = round_trip(spec_of("redis", true, 16))();
  ASSERT_TRUE(writer->check().ok());  // stores every key at version 1 again: still right
  writer->run();                      // now every key it touched holds version 2
  c->run();                           // the GET row expects version 1
  EXPECT_THROW(c->observe(), KvError);
}

TEST(RoundTrip, AServerThatDiesMidRowFailsTheRowWithoutHanging) {
  if (!installed("redis")) GTEST_SKIP() << "redis-server is not installed";
  RoundTripSpec s = spec_of("redis", false, 1);
  s.value_bytes = 48;  // a server of its own (one per value size)
  auto c = round_trip(s)();
  ASSERT_TRUE(c->check().ok());
  // redis-cli (redis-tools) stops the row's server, the way a crash or an operator would.
  std::string socket;
  for (const auto& [k, v] : shared_server("redis", s.keys, s.value_bytes)->describe())
    if (k == "unix_socket") socket = v;
  ASSERT_FALSE(socket.empty());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(std::system(("redis-cli -s '" + socket + "' shutdown nosave >/dev/null 2>&1").c_str()) == -1, false);
  c->run();
  try {
    c->observe();
    ADD_FAILURE() << "a row whose server died gave a figure";
  } catch (const KvError& e) {
    EXPECT_NE(std::string(e.what()).find("redis"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
}

// Open loop (hiredis's asynchronous API): every request of a run is answered with the stored
// bytes, the server counts each GET, and the latencies come from the intended send times.
TEST(OpenLoop, EveryRequestIsAnsweredAndCountedAtTheOfferedRate) {
  if (!installed("redis")) GTEST_SKIP() << "redis-server is not installed";
  for (auto transport : {Transport::unix_socket, Transport::tcp}) {
    SCOPED_TRACE(transport_name(transport));
    OpenLoopSpec s;
    s.system = "redis";
    s.transport = transport;
    s.rate = 20'000;
    s.keys = 500;
    auto c = open_loop(s)();
    const Check check = c->check();
    ASSERT_TRUE(check.ok()) << check.error;
    EXPECT_NE(check.label.find("hiredis async"), std::string::npos) << check.label;
    c->run();
    const Counters counters = c->observe();  // throws unless the server counted every GET as a hit
    std::map<std::string, double> by_name(counters.begin(), counters.end());
    EXPECT_GT(by_name["p50_ns"], 0);
    EXPECT_GE(by_name["max_ns"], by_name["p99_ns"]);
    EXPECT_EQ(c->work().items, 4000);  // 0.2 s at 20,000/s
  }
}

TEST(OpenLoop, AServerThatDiesMidRowFailsTheRowWithoutHanging) {
  if (!installed("redis")) GTEST_SKIP() << "redis-server is not installed";
  OpenLoopSpec s;
  s.system = "redis";
  s.rate = 5'000;
  s.value_bytes = 40;  // a server of its own (one per value size)
  s.keys = 500;
  auto c = open_loop(s)();
  ASSERT_TRUE(c->check().ok());
  std::string socket;
  for (const auto& [k, v] : shared_server("redis", s.keys, s.value_bytes)->describe())
    if (k == "unix_socket") socket = v;
  ASSERT_FALSE(socket.empty());
  const auto t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(std::system(("redis-cli -s '" + socket + "' shutdown nosave >/dev/null 2>&1").c_str()) == -1, false);
  try {
    c->run();
    c->observe();
    ADD_FAILURE() << "an open-loop row whose server died gave a figure";
  } catch (const KvError& e) {
    EXPECT_NE(std::string(e.what()).find("redis"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
}

// memcached's sets are a pipeline of the suite's own (servers/memcached.cpp). Against a memcached that
// refuses instead of evicting (-M) at 1 MiB: a batch of 4 MB of commands, more than the socket buffers
// hold, is answered key by key; fill() counts the keys refused for lack of memory, exactly the ones
// that do not read back; set() makes them an error; another refusal names the server's words, and the
// connection goes on working after each.
TEST(Memcached, PipelinedSetsAnswerEveryKeyOfABatch) {
  if (!installed("memcached")) GTEST_SKIP() << "memcached is not installed";
  ServerSpec spec;
  spec.name = "memcached";
  spec.package = "memcached";
  spec.argv = {"memcached", "-m", "1", "-M", "-I", "512k", "-s", "{socket}", "-a", "0700"};
  if (::geteuid() == 0) spec.argv.insert(spec.argv.end(), {"-u", "root"});  // it refuses root otherwise
  spec.stop_signal = SIGKILL;
  ServerProcess process(spec);
  auto server = systems().find("memcached")->attach(parse_endpoint("unix:" + process.endpoint().unix_socket));
  auto c = server->connect(Transport::unix_socket);

  std::vector<std::string> keys, payloads;
  for (int i = 0; i < 20'000; ++i) {
    keys.push_back("pipelined:" + std::to_string(i));
    payloads.push_back(std::string(200, static_cast<char>('a' + i % 26)) + std::to_string(i));
  }
  const std::vector<std::string_view> values(payloads.begin(), payloads.end());
  const std::size_t refused = c->fill(keys, values);
  EXPECT_GT(refused, 0u);
  EXPECT_LT(refused, keys.size());
  std::size_t found = 0;
  for (std::size_t at = 0; at < keys.size(); at += 500) {
    Collect got;
    c->get(std::span(keys).subspan(at, 500), got);
    for (std::size_t i = 0; i < 500; ++i) {
      if (!got.got.at(i).first) continue;
      ++found;
      EXPECT_EQ(got.got[i].second, payloads[at + i]) << keys[at + i];
    }
  }
  EXPECT_EQ(found + refused, keys.size());

  try {
    c->set(std::span(keys).subspan(keys.size() - 10), std::span(values).subspan(keys.size() - 10));
    ADD_FAILURE() << "set() stored into a full memcached without an error";
  } catch (const KvError& e) {
    EXPECT_NE(std::string(e.what()).find("refused for lack of memory"), std::string::npos) << e.what();
  }
  const std::string big(600 << 10, 'x');  // over -I 512k
  const std::vector<std::string> big_key = {"pipelined:big"};
  try {
    c->fill(big_key, std::vector<std::string_view>{big});
    ADD_FAILURE() << "memcached took a value over its item size limit";
  } catch (const KvError& e) {
    EXPECT_NE(std::string(e.what()).find("SERVER_ERROR object too large for cache"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("pipelined:big"), std::string::npos) << e.what();
  }
  Collect again;
  c->get(std::span(keys).subspan(0, 1), again);  // the first key was stored: memory was free then
  EXPECT_EQ(again.got.at(0), std::make_pair(true, payloads[0]));
}

TEST(Servers, AMissingProgramNamesItsDebianPackage) {
  const char* path = std::getenv("PATH");
  const std::string saved = path ? path : "";
  ::setenv("PATH", "/nonexistent", 1);
  for (const std::string name : {"redis", "memcached"}) {
    try {
      systems().find(name)->start({});
      ADD_FAILURE() << name << " started without its program";
    } catch (const ServerError& e) {
      const std::string package = name == "redis" ? "redis-server" : "memcached";
      EXPECT_NE(std::string(e.what()).find(package), std::string::npos)
          << e.what();
    }
  }
  ::setenv("PATH", saved.c_str(), 1);
}

TEST(Endpoints, OnlyLoopbackAddressesAndUnixSocketsAreAccepted) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:6379").port, 6379);
  EXPECT_EQ(parse_endpoint("localhost:11211").host, "127.0.0.1");
  EXPECT_EQ(parse_endpoint("[::1]:6379").host, "::1");
  EXPECT_EQ(parse_endpoint("unix:/run/redis.sock").transport, Transport::unix_socket);
  EXPECT_THROW(parse_endpoint("10.1.2.3:6379"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("cache.example.com:6379"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("127.0.0.1:70000"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("127.0.0.1:"), std::invalid_argument);
  EXPECT_THROW(parse_endpoint("unix:relative.sock"), std::invalid_argument);
}

// A user's server: the rows write under their own prefix, never flush or reconfigure it, and leave
// it with only what it held before.
TEST(Endpoints, AUsersServerKeepsItsKeysAndLosesOurs) {
  for (const std::string system : {"redis", "memcached"}) {
    auto users = start_or_skip(system);
    if (!users) continue;
    SCOPED_TRACE(system);
    std::string socket;
    for (const auto& [k, v] : users->describe())
      if (k == "unix_socket") socket = v;
    auto mine = users->connect(Transport::unix_socket);
    const std::vector<std::string> theirs = {"their:key"};
    mine->set(theirs, std::vector<std::string_view>{"precious"});
    use_endpoint(system, parse_endpoint("unix:" + socket));
    {
      RoundTripSpec s = spec_of(system, false, 16);
      auto row = round_trip(s)();
      const Check check = row->check();
      ASSERT_TRUE(check.ok()) << check.error;
      row->run();
      row->observe();
      EXPECT_GE(mine->stats().items, 1u + s.keys);  // its keys are there while the row runs
    }
    use_endpoint(system, std::nullopt);
    Collect got;
    mine->get(theirs, got);
    EXPECT_EQ(got.got.at(0), std::make_pair(true, std::string("precious")));
    EXPECT_EQ(mine->stats().items, 1u);  // ours were deleted when the row ended
  }
}

TEST(Endpoints, AnEndpointThatRefusesConnectionsIsAnErrorRowNotAHang) {
  const auto t0 = std::chrono::steady_clock::now();
  for (const std::string system : {"redis", "memcached"}) {
    use_endpoint(system, parse_endpoint("127.0.0.1:1"));  // nothing listens on port 1
    EXPECT_THROW(round_trip(spec_of(system, false, 1))(), KvError);
    use_endpoint(system, std::nullopt);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(30));
}

TEST(Eviction, ABoundedServerEvictsAndAgreesWithItsOwnCounters) {
  for (const std::string& system : {std::string("redis"), std::string("memcached")}) {
    if (!installed(system)) continue;
    SCOPED_TRACE(system);
    WorkloadSpec w;
    w.keys = 200'000;
    Workload workload(w);
    EvictionSpec s;
    s.system = system;
    s.eviction = systems().find(system)->evictions.front();
    s.workload = "zipf0.99";
    s.hold_entries = 2000;
    s.key_count = w.keys;
    s.warmup = std::make_shared<Requests>(workload.generate(40'000, 0));
    s.measured = std::make_shared<Requests>(workload.generate(20'000, 1));
    s.irm_probabilities = std::make_shared<std::vector<double>>(workload.rank_probabilities());
    auto c = eviction(s)();
    const Check check = c->check();
    ASSERT_TRUE(check.ok()) << check.error;
    c->run();
    double hit = -1, resident = -1, lru = -1, refused = -1;
    for (const auto& [k, v] : c->observe()) {
      if (k == "hit_ratio") hit = v;
      if (k == "refused_fill_ratio") refused = v;
      if (k == "resident_entries") resident = v;
      if (k == "lru_same_capacity_hit_ratio") lru = v;
    }
    // Bounded: it evicted (memcached's smallest bound, 1 MiB, holds several thousand entries).
    EXPECT_GT(hit, 0.3) << resident;
    EXPECT_LT(hit, 0.95) << resident;
    EXPECT_GT(resident, 500);
    EXPECT_LT(resident, 20'000);
    EXPECT_GT(lru, 0.3);
    // Refused fills are counted, not errors; memcached's are rare (1 in 130,000 misses, when any).
    EXPECT_GE(refused, 0);
    EXPECT_LT(refused, 0.01);
  }
}

}  // namespace
}  // namespace hotbench::cache::kv
