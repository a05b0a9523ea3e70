// Trace readers on small files, including malformed ones: errors name the
// file and the line or record.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <map>

#include <zstd.h>

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
  hotbench::test::TempDir dir;
  const Trace t = read_trace(dir.write("t.csv", "a,0\nb,10\n\na,5,set\r\nc,1,get\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2}));
  EXPECT_EQ(t.requests.writes, (std::vector<std::uint8_t>{0, 0, 1, 0}));
  EXPECT_EQ(t.requests.sizes, (std::vector<std::uint32_t>{0, 10, 5, 1}));
  EXPECT_EQ(t.distinct_keys, 3u);
  EXPECT_EQ(t.distinct_bytes, 11u);  // each object once, at its first request's size
  const Trace unsized = read_trace(dir.write("u.csv", "key,op\na,get\nb,get\na,set\n"));
  EXPECT_TRUE(unsized.requests.sizes.empty());
  EXPECT_EQ(unsized.distinct_bytes, 0u);
}

// A byte-bounded cache needs every request's size: sizes on some lines only are refused.
TEST(CsvTrace, SizesOnEveryLineOrNone) {
  hotbench::test::TempDir dir;
  const std::string later = dir.write("l.csv", "a\nb\nc,7\n");
  EXPECT_EQ(error_of(later), later + ": line 3: a size, but line 1 has none (every request has a size or none has)");
  const std::string missing = dir.write("m.csv", "key,size\na,1\n\nb\n");
  EXPECT_EQ(error_of(missing), missing + ": line 4: no size, but line 2 has one (every request has a size or none has)");
  const std::string huge = dir.write("h.csv", "a,4294967296\n");
  EXPECT_EQ(error_of(huge), huge + ": line 1, column 2: size '4294967296' exceeds 4294967295 bytes");
  EXPECT_EQ(read_trace(dir.write("x.csv", "a,4294967295\n")).requests.sizes, (std::vector<std::uint32_t>{4294967295u}));
}

// One key per line, verbatim: spaces and commas belong to the key; \r\n endings and empty lines do not count.
TEST(TextTrace, OneKeyPerLineVerbatim) {
  hotbench::test::TempDir dir;
  const Trace t = read_trace(dir.write("t.txt", "a\r\nb c\n\na\nx,1,set\n b c\nlast"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2, 3, 4}));
  EXPECT_TRUE(t.requests.writes.empty());
  EXPECT_TRUE(t.requests.sizes.empty());
  EXPECT_EQ(t.distinct_keys, 5u);
  const std::string empty = dir.write("e.txt", "\n\r\n\n");
  EXPECT_EQ(error_of(empty), empty + ": no requests");
}

TEST(CsvTrace, HeaderChoosesColumnOrder) {
  hotbench::test::TempDir dir;
  const Trace t = read_trace(dir.write("h.csv", "op,key\nget,x\nget,y\nget,x\n"));
  EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0}));
  EXPECT_TRUE(t.requests.writes.empty());  // no writes: a read-only trace
}

TEST(CsvTrace, MalformedLinesAreNamed) {
  hotbench::test::TempDir dir;
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
  EXPECT_EQ(error_of(dir.write("x.tsv", "a")),
            dir.path() + "/x.tsv: not a trace (expected a file ending with .csv, .txt, .oracleGeneral, "
                         ".oracleGeneral.bin, .oracleGeneral.zst, .oracleGeneral.bin.zst)");
  EXPECT_NE(error_of(dir.write("x.bin.zst", "a")).find("x.bin.zst: not a trace"), std::string::npos);
}

// A header is a first line naming a column; every field of it must be a
// known column, none twice, key among them. `key,key,op` used to be accepted:
// two ids per line but one write flag, and the replay read past the flags.
TEST(CsvTrace, MalformedHeadersAreNamedWithLineAndColumn) {
  hotbench::test::TempDir dir;
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
  hotbench::test::TempDir dir;
  for (const char* text : {"key,op\na,get\nb,set\n", "op,size,key\nset,1,a\nget,2,b\nget,3,a\n",
                           "a,1,set\nb,2\nc,4\n"}) {
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
  hotbench::test::TempDir dir;
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
  hotbench::test::TempDir dir;
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
  hotbench::test::TempDir dir;
  const std::string path = dir.path() + "/big.oracleGeneral";
  std::vector<std::uint64_t> want(200'003);
  for (std::size_t i = 0; i < want.size(); ++i) want[i] = i * 2654435761u;
  write_oracle_general(path, want);
  std::vector<std::uint64_t> got;
  read_oracle_general_ids(path, got);
  EXPECT_EQ(got, want);
}

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Every name the traces are distributed under reads the same records, sizes included.
TEST(OracleGeneralTrace, EveryDistributedNameReadsTheSameRecords) {
  hotbench::test::TempDir dir;
  const std::vector<std::uint64_t> objects = {5, 1ULL << 40, 5, 7, 9};
  const std::vector<std::uint32_t> sizes = {10, 0, 12, 4000000000u, 3};
  for (const char* name : {"a.oracleGeneral", "b.oracleGeneral.bin", "c.oracleGeneral.zst", "d.oracleGeneral.bin.zst"}) {
    const std::string path = dir.path() + "/" + name;
    write_oracle_general(path, objects, sizes);
    const Trace t = read_trace(path);
    EXPECT_EQ(t.requests.ids, (std::vector<std::uint32_t>{0, 1, 0, 2, 3})) << name;
    EXPECT_EQ(t.requests.sizes, sizes) << name;
    EXPECT_EQ(t.distinct_keys, 4u) << name;
    EXPECT_EQ(t.distinct_bytes, 10u + 0 + 4000000000u + 3) << name;
  }
  // The compressed files are zstd frames (magic number 0xFD2FB528), not copies.
  EXPECT_EQ(bytes_of(dir.path() + "/c.oracleGeneral.zst").substr(0, 4), std::string("\x28\xb5\x2f\xfd", 4));
}

// Large compressed files stream through the fixed buffers (records straddle their ends), in several frames.
TEST(OracleGeneralTrace, CompressedStreamsAcrossBuffersAndFrames) {
  hotbench::test::TempDir dir;
  std::vector<std::uint64_t> first(300'007), second(1'001);
  for (std::size_t i = 0; i < first.size(); ++i) first[i] = i * 2654435761u % 70'001;
  for (std::size_t i = 0; i < second.size(); ++i) second[i] = i + (1ULL << 50);
  const std::string a = dir.path() + "/a.oracleGeneral.zst", b = dir.path() + "/b.oracleGeneral.zst";
  write_oracle_general(a, first);
  write_oracle_general(b, second);
  std::vector<std::uint64_t> got;
  read_oracle_general_ids(a, got);
  EXPECT_EQ(got, first);
  const std::string both = dir.write("both.oracleGeneral.bin.zst", bytes_of(a) + bytes_of(b));
  read_oracle_general_ids(both, got);
  std::vector<std::uint64_t> want = first;
  want.insert(want.end(), second.begin(), second.end());
  EXPECT_EQ(got, want);
}

// A damaged compressed file names the file, the compressed byte and the records read before it.
TEST(OracleGeneralTrace, DamagedCompressedFilesAreNamed) {
  hotbench::test::TempDir dir;
  const std::string good = dir.path() + "/g.oracleGeneral.zst";
  std::vector<std::uint64_t> objects(50'000);
  for (std::size_t i = 0; i < objects.size(); ++i) objects[i] = i * 11400714819323198485ull;
  write_oracle_general(good, objects);
  const std::string bytes = bytes_of(good);

  const std::string cut = dir.write("cut.oracleGeneral.zst", bytes.substr(0, bytes.size() / 2));
  const std::string cut_error = error_of(cut);
  EXPECT_EQ(cut_error.rfind(cut + ": zstd: the stream is truncated inside a frame at compressed byte " +
                                std::to_string(bytes.size() / 2) + " (after record ", 0), 0u) << cut_error;

  std::string flipped = bytes;
  for (std::size_t i = flipped.size() / 3; i < flipped.size() / 3 + 64; ++i) flipped[i] = static_cast<char>(flipped[i] ^ 0x5a);
  const std::string bad = dir.write("bad.oracleGeneral.zst", flipped);
  const std::string bad_error = error_of(bad);
  EXPECT_EQ(bad_error.rfind(bad + ": zstd: ", 0), 0u) << bad_error;  // the writer adds checksums, as zstd(1) does
  EXPECT_NE(bad_error.find(" at compressed byte "), std::string::npos) << bad_error;
  EXPECT_NE(bad_error.find(" (after record "), std::string::npos) << bad_error;

  const std::string plain = dir.write("plain.oracleGeneral.zst", std::string(48, '\1'));
  EXPECT_EQ(error_of(plain).rfind(plain + ": zstd: Unknown frame descriptor at compressed byte ", 0), 0u) << error_of(plain);
  const std::string empty = dir.write("empty.oracleGeneral.zst", "");
  EXPECT_EQ(error_of(empty), empty + ": zstd: empty file, not a zstd stream");

  // Whole frames that decompress to a partial record: the same error as an uncompressed file's.
  std::vector<std::uint64_t> two = {1, 2};
  const std::string whole = dir.path() + "/w.oracleGeneral";
  write_oracle_general(whole, two);
  const std::string odd = dir.path() + "/odd.oracleGeneral.zst";
  {
    std::string raw = bytes_of(whole) + std::string(10, '\0');
    std::string packed(ZSTD_compressBound(raw.size()), '\0');
    packed.resize(ZSTD_compress(packed.data(), packed.size(), raw.data(), raw.size(), 3));
    dir.write("odd.oracleGeneral.zst", packed);
  }
  EXPECT_EQ(error_of(odd), odd + ": record 3 is truncated (10 of 24 bytes)");
}

}  // namespace
}  // namespace hotbench::cache
