// Trace readers on small files, including malformed ones: errors name the
// file and the line or record.
#include <gtest/gtest.h>

#include <map>

#include "cache/cases.h"
#include "cache/trace.h"
#include "harness/test_util.h"

namespace hotbench::cache {
namespace {

std::string error_of(const std::string& path) {
  try {
    read_trace(path);
  } catch (const TraceError& e) {
    return e.what();
  }
  return "";
}

TEST(CsvTrace, KeysSizesAndOperations) {
  test::TempDir dir;
  const Trace t = read_trace(dir.write("t.csv", "a\nb,10\n\na,5,set\r\nc,1,get\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(t.requests.writes, (std::vector<std::uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(t.distinct_keys, 3u);
}

TEST(CsvTrace, HeaderChoosesColumnOrder) {
  test::TempDir dir;
  const Trace t = read_trace(dir.write("h.csv", "op,key\nget,x\nget,y\nget,x\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_TRUE(t.requests.writes.empty());  // no writes: a read-only trace
}

TEST(CsvTrace, MalformedLinesAreNamed) {
  test::TempDir dir;
  const std::string bad_size = dir.write("s.csv", "a,1\nb,x\n");
  EXPECT_EQ(error_of(bad_size), bad_size + ": line 2, column 2: size 'x' is not a non-negative integer");
  // strtoll took the first two and the NUL-split one; the last overflows.
  const std::vector<std::string> bad = {"+1", " 1", "-1", "1 ", std::string("1\0" "2", 3), "99999999999999999999"};
  for (const std::string& size : bad) {
    const std::string file = dir.write("z.csv", "key,size\na," + size + "\n");
    EXPECT_NE(error_of(file).find("size '"), std::string::npos) << "accepted size '" << size << "'";
  }
  const std::string op = dir.write("o.csv", "a,1,get\na,1,delete\n");
  EXPECT_EQ(error_of(op), op + ": line 2, column 3: unknown operation 'delete' (known: get, read, set, put, write)");
  const std::string fields = dir.write("f.csv", "a,1,get,9\n");
  EXPECT_EQ(error_of(fields), fields + ": line 1: 4 fields, expected at most 3");
  const std::string empty_key = dir.write("k.csv", "a\n,3\n");
  EXPECT_EQ(error_of(empty_key), empty_key + ": line 2, column 1: empty key");
  const std::string no_key = dir.write("n.csv", "op,key\nget\n");
  EXPECT_EQ(error_of(no_key), no_key + ": line 2: no key");
  const std::string empty = dir.write("e.csv", "\n\n");
  EXPECT_EQ(error_of(empty), empty + ": no requests");
  EXPECT_NE(error_of(dir.path() + "/missing.csv").find("missing.csv: cannot open"), std::string::npos);
  EXPECT_EQ(error_of(dir.write("x.txt", "a")), dir.path() + "/x.txt: not a trace (expected a .csv or .oracleGeneral file)");
}

// A header is a first line naming a column; every field of it must be a
// known column, none twice, key among them. `key,key,op` used to be accepted:
// two ids per line but one write flag, and the replay read past the flags.
TEST(CsvTrace, MalformedHeadersAreNamedWithLineAndColumn) {
  test::TempDir dir;
  const std::map<std::string, std::string> cases = {
      {"key,key,op\na,b,get\n", "line 1, column 2: column 'key' repeated (first in column 1)"},
      {"op,key,op\nget,a,set\n", "line 1, column 3: column 'op' repeated (first in column 1)"},
      {"size,key,op,size\n1,a,get,2\n", "line 1, column 4: column 'size' repeated (first in column 1)"},
      {"key,ttl\na,1\n", "line 1, column 2: unknown column 'ttl' (known: key, size, op)"},
      {"key,,op\na,1,get\n", "line 1, column 2: unknown column '' (known: key, size, op)"},
      {"size,op\n1,get\n", "line 1: the header has no 'key' column (columns: size, op)"},
      {"op\nget\n", "line 1: the header has no 'key' column (columns: op)"},
      {"\n\nkey,key\na,b\n", "line 3, column 2: column 'key' repeated (first in column 1)"},
  };
  int n = 0;
  for (const auto& [text, message] : cases) {
    const std::string path = dir.write("h" + std::to_string(n++) + ".csv", text);
    EXPECT_EQ(error_of(path), path + ": " + message) << text;
  }
}

// Whatever the header, every request the reader returns has one write flag
// (or none has): a replay indexes both arrays by request number.
TEST(CsvTrace, WriteFlagsPairWithRequests) {
  test::TempDir dir;
  for (const char* text : {"key,op\na,get\nb,set\n", "op,size,key\nset,1,a\nget,2,b\nget,3,a\n",
                           "a,1,set\nb\nc,4\n"}) {
    const Trace t = read_trace(dir.write("p.csv", text));
    EXPECT_EQ(t.requests.writes.size(), t.requests.ids.size()) << text;
    EXPECT_EQ(requests_shape_error(t.requests, t.distinct_keys), "") << text;
  }
}

// The replay's own guard, for requests from anywhere: write flags that do not
// pair with the requests, or an id without a key, fail the row's check before
// any request is replayed (under ASan, replaying them would be a heap overflow).
TEST(TraceReplay, RequestsThatWouldReadPastTheArraysFailTheCheck) {
  Requests two_ids_one_flag{{0, 1, 0, 1}, {1, 0}};  // what `key,key,op` with two lines used to give
  Requests id_past_keys{{0, 1, 2}, {}};
  for (const auto& [requests, message] :
       {std::pair{two_ids_one_flag, std::string("measured requests: 4 requests but 2 write flags")},
        std::pair{id_past_keys, std::string("measured requests: request 2: key id 2 outside the 2 keys")}}) {
    ReplaySpec spec;
    spec.policy = "lru";
    spec.workload = "planted";
    spec.capacity = 1;
    spec.value_bytes = 8;
    spec.key_count = 2;
    spec.warmup = std::make_shared<Requests>(Requests{{0, 1}, {}});
    spec.measured = std::make_shared<Requests>(requests);
    for (const auto& policy : policy_registry().all()) {
      auto c = policy.replay.at("boost_flat")(false, spec)();
      const Check check = c->check();
      EXPECT_EQ(check.error, message) << policy.name;
    }
  }
}

TEST(OracleGeneralTrace, RoundTripsAndDensifiesIds) {
  test::TempDir dir;
  const std::string path = dir.path() + "/t.oracleGeneral";
  write_oracle_general(path, {5, 1ULL << 40, 5, 7});
  std::vector<std::uint64_t> ids;
  read_oracle_general_ids(path, ids);
  EXPECT_EQ(ids, (std::vector<std::uint64_t>{5, 1ULL << 40, 5, 7}));
  const Trace t = read_trace(path);
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(t.distinct_keys, 3u);
}

TEST(OracleGeneralTrace, TruncatedRecordIsNamed) {
  test::TempDir dir;
  const std::string path = dir.path() + "/cut.oracleGeneral";
  write_oracle_general(path, {1, 2});
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  dir.write("cut.oracleGeneral", bytes + std::string(10, '\0'));
  EXPECT_EQ(error_of(path), path + ": record 3 is truncated (10 of 24 bytes)");
  dir.write("cut.oracleGeneral", "");
  EXPECT_EQ(error_of(path), path + ": no records");
}

TEST(OracleGeneralTrace, LargeFilesReadAcrossBufferBoundaries) {
  test::TempDir dir;
  const std::string path = dir.path() + "/big.oracleGeneral";
  std::vector<std::uint64_t> want(200'003);
  for (std::size_t i = 0; i < want.size(); ++i) want[i] = i * 2654435761u;
  write_oracle_general(path, want);
  std::vector<std::uint64_t> got;
  read_oracle_general_ids(path, got);
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace hotbench::cache
