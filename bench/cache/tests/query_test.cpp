// The query cache: what every strategy serves equals what the database returns,
// a cache that forgets to invalidate is caught, PostgreSQL is started and
// stopped without leftovers, a database that dies mid-row is an error, and a
// user's own PostgreSQL keeps only what it had.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "cache/query/database.h"
#include "cache/query/policy_store.h"
#include "cache/query/query_case.h"
#include "cache/query/serving.h"
#include "cache/workload.h"
#include "harness/server.h"

namespace hotbench::cache::query {
namespace {

constexpr std::uint64_t kUsers = 2000;

std::unique_ptr<Database> open(const std::string& name, std::uint64_t users = kUsers, std::uint64_t seed = 7) {
  return databases().find(name)->open(TableSpec{users, seed});
}

bool postgres_installed() { return ::access("/usr/lib/postgresql/15/bin/postgres", X_OK) == 0; }
#define SKIP_WITHOUT_POSTGRES() \
  if (!postgres_installed()) GTEST_SKIP() << "PostgreSQL 15 is not installed: apt-get install postgresql"

QuerySpec spec_for(const std::string& database, const std::string& strategy, double write_fraction,
                   std::size_t requests = 4000) {
  WorkloadSpec w;
  w.keys = kUsers;
  w.seed = 3;
  w.write_fraction = write_fraction;
  QuerySpec s;
  s.database = database;
  s.strategy = strategy;
  s.policy = "lru";
  s.map = "boost_flat";
  s.workload = w.name();
  s.capacity = kUsers / 10;
  s.users = kUsers;
  s.seed = 7;
  s.warmup = std::make_shared<const Requests>(Workload(w).generate(requests, 0));
  s.measured = std::make_shared<const Requests>(Workload(w).generate(4 * requests, 1));
  s.slice = requests;
  return s;
}

double finding(const Check& c, const std::string& name) {
  for (const auto& [key, value] : c.findings)
    if (key == name) return value;
  ADD_FAILURE() << "no finding " << name;
  return -1;
}

// Every strategy's every read, in the timed path (not only the checked pass), against a direct query.
// `requests`: the warm-up's length; the checked stream is four times as long.
void expect_served_equals_database(Database& db, const std::string& strategy, std::size_t requests = 1000) {
  const StrategyInfo* info = find_strategy(strategy);
  ASSERT_NE(info, nullptr);
  QuerySpec spec = spec_for("", strategy, 0.1, requests);
  auto store = open_store(spec);
  Serving serving(info->strategy, db, store.get(), kUsers);
  const Requests& r = *spec.measured;
  std::size_t writes = 0;
  for (std::size_t i = 0; i < r.ids.size(); ++i) {
    if (r.writes[i]) {
      serving.write(r.ids[i]);
      ++writes;
      continue;
    }
    bool hit = false;
    const std::string served(serving.read(r.ids[i], hit));
    ASSERT_EQ(served, db.query(r.ids[i])) << strategy << ", request " << i << (hit ? " (hit)" : " (miss)");
  }
  EXPECT_GT(writes, 0u);
  if (info->cached) {
    EXPECT_GT(serving.hits(), serving.reads() / 4) << strategy << ": the cache served too little to test";
  } else {
    EXPECT_EQ(serving.hits(), 0u);
  }
}

TEST(QueryCache, ServedResultsEqualTheDatabaseForEveryStrategy) {
  auto db = open("sqlite");
  for (const auto& name : listed_strategy_names()) expect_served_equals_database(*db, name);
}

TEST(QueryCache, PostgresqlServesTheSameBytesAsSqlite) {
  SKIP_WITHOUT_POSTGRES();
  auto pg = open("postgresql");
  auto lite = open("sqlite");
  EXPECT_EQ(pg->orders(), lite->orders());
  for (std::uint32_t user : {0u, 1u, 17u, 999u, static_cast<std::uint32_t>(kUsers - 1)})
    EXPECT_EQ(std::string(pg->query(user)), std::string(lite->query(user))) << "user " << user;
  // A quarter of SQLite's stream: the strategies are the same code over either database (SQLite's test
  // covers their logic), and each read here is also a round trip to the server (under ASan, 16 s).
  for (const auto& name : listed_strategy_names()) expect_served_equals_database(*pg, name, 250);
}

TEST(QueryCache, TablesAreAFunctionOfTheSeed) {
  auto a = open("sqlite", 300, 1), b = open("sqlite", 300, 1), c = open("sqlite", 300, 2);
  EXPECT_EQ(a->orders(), b->orders());
  int differ = 0;
  for (std::uint32_t user = 0; user < 300; ++user) {
    EXPECT_EQ(std::string(a->query(user)), std::string(b->query(user)));
    differ += std::string(a->query(user)) != std::string(c->query(user));
  }
  EXPECT_GT(differ, 250);
  // A result names the user and carries count and total of its orders.
  const std::string r(a->query(5));
  EXPECT_EQ(r.rfind("5|", 0), 0u) << r;
  EXPECT_EQ(std::count(r.begin(), r.end(), '|'), 5) << r;
}

TEST(QueryCache, AWriteChangesTheResult) {
  auto db = open("sqlite", 100);
  const std::string before(db->query(42));
  const std::uint64_t balance = db->next_balance();
  db->update_balance(42, balance);
  const std::string after(db->query(42));
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("|" + std::to_string(balance) + "|"), std::string::npos) << after;
  EXPECT_THROW(db->update_balance(100, 1), DatabaseError);  // no such user
  EXPECT_THROW(db->query(100), DatabaseError);
}

TEST(QueryCache, CheckPassesAndReportsNoStaleReads) {
  std::shared_ptr<Database> db = open("sqlite");
  for (const char* strategy : {"none", "cache_aside", "read_through", "write_through"}) {
    QueryCase c(spec_for("sqlite", strategy, 0.1), db);
    const Check check = c.check();
    ASSERT_TRUE(check.ok()) << strategy << ": " << check.error;
    EXPECT_EQ(finding(check, "stale_reads"), 0) << strategy;
    c.run();
    bool has_eat = false;
    for (const auto& [key, value] : c.observe()) {
      if (key == "eat_ns_measured") has_eat = true;
      if (key == "hit_ratio" && std::string(strategy) != "none") {
        EXPECT_GT(value, 0.3) << strategy;
      }
      if (key == "db_query_ns") {
        EXPECT_GT(value, 0) << strategy;
      }
    }
    EXPECT_TRUE(has_eat) << strategy;
  }
}

TEST(QueryCache, APlantedStaleCacheIsAnError) {
  std::shared_ptr<Database> db = open("sqlite");
  QueryCase forgetful(spec_for("sqlite", "forgetful", 0.1), db);
  const Check check = forgetful.check();
  ASSERT_FALSE(check.ok());
  EXPECT_NE(check.error.find("stale reads"), std::string::npos) << check.error;
  EXPECT_NE(check.error.find("which the database held before a write"), std::string::npos) << check.error;
  // Without writes nothing goes stale: the same strategy passes.
  QueryCase read_only(spec_for("sqlite", "forgetful", 0), db);
  EXPECT_TRUE(read_only.check().ok());
}

TEST(QueryCache, PolicyStoreKeepsTheKvContract) {
  PolicyStore store("lru", "boost_flat", 2);
  struct Replies final : kv::GetReplies {
    std::vector<std::pair<bool, std::string>> got;
    void reply(std::size_t i, bool found, std::string_view v) override {
      if (got.size() <= i) got.resize(i + 1);
      got[i] = {found, std::string(v)};
    }
  } replies;
  const std::vector<std::string> keys = {"a", "b"};
  const std::vector<std::string_view> values = {"alpha", ""};
  store.set(keys, values);
  store.get(keys, replies);
  EXPECT_EQ(replies.got[0], std::pair(true, std::string("alpha")));
  EXPECT_EQ(replies.got[1], std::pair(true, std::string()));  // an empty value is a value
  store.del(std::vector<std::string>{"a", "absent"});
  store.get(keys, replies);
  EXPECT_FALSE(replies.got[0].first);
  EXPECT_TRUE(replies.got[1].first);
  EXPECT_EQ(store.size(), 2u);  // the tombstone keeps its slot, an absent key was not inserted
  const kv::ServerStats s = store.stats();
  EXPECT_EQ(s.get_hits, 3u);
  EXPECT_EQ(s.get_misses, 1u);
  const std::string long_value(PolicyStore::kMaxValueBytes + 1, 'x');
  const std::vector<std::string_view> too_long = {long_value};
  EXPECT_THROW(store.set(std::vector<std::string>{"c"}, too_long), kv::KvError);
  store.reset_stats();
  EXPECT_EQ(store.stats().get_hits, 0u);
}

std::set<int> children_of(int pid) {
  std::set<int> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 2));
    char state;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == pid) out.insert(std::stoi(name));
  }
  return out;
}

bool running(int pid) {  // exists and is not a zombie
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] != 'Z';
}

TEST(QueryCache, PostgresqlStartAndStopLeaveNoProcessAndNoFolder) {
  SKIP_WITHOUT_POSTGRES();
  int pid = 0;
  std::string dir;
  std::set<int> children;
  {
    auto db = open("postgresql", 100);
    pid = db->server_pid();
    ASSERT_GT(pid, 0);
    for (const auto& [key, value] : db->describe())
      if (key == "dir") dir = value;
    ASSERT_FALSE(dir.empty());
    EXPECT_TRUE(std::filesystem::exists(dir + "/data/PG_VERSION"));
    children = children_of(pid);
    EXPECT_FALSE(children.empty()) << "a running PostgreSQL has background processes";
    EXPECT_FALSE(db->query(3).empty());
  }
  EXPECT_FALSE(running(pid));
  // The postmaster waits for its children in a fast shutdown; allow a moment for any reparented one.
  for (int i = 0; i < 50; ++i) {
    bool any = false;
    for (int child : children) any = any || running(child);
    if (!any) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (int child : children) EXPECT_FALSE(running(child)) << "child " << child;
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

TEST(QueryCache, ADatabaseThatDiesMidRowIsAnErrorNotAHang) {
  SKIP_WITHOUT_POSTGRES();
  std::shared_ptr<Database> db = open("postgresql");
  QueryCase c(spec_for("postgresql", "cache_aside", 0.1, 500), db);
  ASSERT_TRUE(c.check().ok());
  c.run();
  ASSERT_EQ(::kill(db->server_pid(), SIGKILL), 0);
  for (int i = 0; i < 100 && db->alive(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_FALSE(db->alive());
  const auto start = std::chrono::steady_clock::now();
  try {
    c.run();
    ADD_FAILURE() << "a run against a killed server succeeded";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("postgresql"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(35));
  // A later row on the same database fails its check instead of timing anything.
  QueryCase later(spec_for("postgresql", "none", 0), db);
  EXPECT_FALSE(later.check().ok());
}

// One statement's single value on a connection of the test's own ("" when no row).
std::string value_of(PGconn* c, const std::string& sql) {
  PGresult* r = PQexec(c, sql.c_str());
  std::string out;
  if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
  else if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
    ADD_FAILURE() << sql << ": " << PQresultErrorMessage(r);
  PQclear(r);
  return out;
}

// A PostgreSQL hotbench did not start for the rows stands for the user's: the rows' tables go
// into a schema of their own, serve the same bytes as SQLite, and are dropped afterwards; the
// user's own table of the same name is neither read nor changed.
TEST(QueryCache, AUsersPostgresqlKeepsOnlyWhatItHadBefore) {
  SKIP_WITHOUT_POSTGRES();
  auto theirs = open("postgresql", 100);
  std::string socket, port;
  for (const auto& [key, value] : theirs->describe()) {
    if (key == "unix_socket") socket = value;
    if (key == "port") port = value;
  }
  const std::string dir = std::filesystem::path(socket).parent_path().string();
  PGconn* own = PQconnectdb(("host=" + dir + " port=" + port + " dbname=postgres user=hotbench").c_str());
  ASSERT_EQ(PQstatus(own), CONNECTION_OK) << PQerrorMessage(own);
  // What the user had: tables of the same names (this server's own 100 users) and one more.
  ASSERT_EQ(value_of(own, "SELECT count(*) FROM public.users"), "100");
  value_of(own, "CREATE TABLE public.kept (id INT)");
  value_of(own, "INSERT INTO public.kept VALUES (41), (42)");
  // libpq's environment says who to be, as it would for the user's own server.
  ::setenv("PGUSER", "hotbench", 1);
  ::setenv("PGDATABASE", "postgres", 1);
  const std::string schema = "hotbench_" + std::to_string(::getpid());
  {
    const kv::Endpoint at = kv::parse_endpoint("unix:" + dir + "/.s.PGSQL." + port);
    std::shared_ptr<Database> attached = databases().find("postgresql")->attach(TableSpec{kUsers, 7}, at);
    EXPECT_EQ(value_of(own, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'"), "1");
    EXPECT_EQ(value_of(own, "SELECT count(*) FROM " + schema + ".users"), std::to_string(kUsers));
    auto lite = open("sqlite");
    for (std::uint32_t u : {0u, 17u, 1999u}) EXPECT_EQ(attached->query(u), lite->query(u)) << u;
    QueryCase c(spec_for("postgresql", "cache_aside", 0.1, 500), attached);  // writes included
    const Check check = c.check();
    EXPECT_TRUE(check.ok()) << check.error;
    bool says_whose = false;
    for (const auto& [key, value] : attached->describe()) says_whose |= key == "attached";
    EXPECT_TRUE(says_whose);
  }
  EXPECT_EQ(value_of(own, "SELECT count(*) FROM pg_namespace WHERE nspname = '" + schema + "'"), "0");
  EXPECT_EQ(value_of(own, "SELECT string_agg(id::text, ',' ORDER BY id) FROM public.kept"), "41,42");
  EXPECT_EQ(value_of(own, "SELECT count(*) FROM public.users"), "100");
  PQfinish(own);
  ::unsetenv("PGUSER");
  ::unsetenv("PGDATABASE");
}

TEST(QueryCache, AUserEndpointThatRefusesIsAClearErrorNotAHang) {
  const auto* pg = databases().find("postgresql");
  const auto start = std::chrono::steady_clock::now();
  try {
    pg->attach(TableSpec{kUsers, 7}, kv::parse_endpoint("unix:/nonexistent-hotbench/.s.PGSQL.5432"));
    ADD_FAILURE() << "attached to nothing";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find("cannot connect"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("/nonexistent-hotbench/.s.PGSQL.5432"), std::string::npos) << e.what();
  }
  try {
    pg->attach(TableSpec{kUsers, 7}, kv::parse_endpoint("unix:/run/postgresql"));
    ADD_FAILURE() << "a folder is not a socket";
  } catch (const DatabaseError& e) {
    EXPECT_NE(std::string(e.what()).find(".s.PGSQL.PORT"), std::string::npos) << e.what();
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(15));
}

}  // namespace
}  // namespace hotbench::cache::query
