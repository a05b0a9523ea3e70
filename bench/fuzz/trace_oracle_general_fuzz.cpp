// Fuzzes the oracleGeneral trace reader (bench/cache/trace.h) against the
// format's definition, which is simple enough to decode here independently:
// packed little-endian 24-byte records {uint32 time, uint64 object id, uint32
// size, int64 next access}.
// - a file of whole records gives exactly their object ids, in order
//   (read_oracle_general_ids), and a trace of those ids made dense in
//   first-seen order, with no write flags (read_oracle_general_trace);
// - an empty file is "<path>: no records";
// - a partial final record is "<path>: record N is truncated (B of 24 bytes)";
// - nothing else is thrown, and nothing crashes.
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "cache/trace.h"
#include "fuzz_util.h"

namespace {
using hotbench::cache::kOracleGeneralRecordBytes;
using hotbench::fuzz::check;
using hotbench::fuzz::fail;

std::string truncation_error(const std::string& path, std::size_t size) {
  return path + ": record " + std::to_string(size / kOracleGeneralRecordBytes + 1) + " is truncated (" +
         std::to_string(size % kOracleGeneralRecordBytes) + " of 24 bytes)";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path =
      hotbench::fuzz::input_files().write("trace.oracleGeneral", hotbench::fuzz::as_text(data, size));

  // The expected object ids and dense ids (x86-64 is little-endian, as the format).
  std::vector<std::uint64_t> objects(size / kOracleGeneralRecordBytes);
  for (std::size_t i = 0; i < objects.size(); ++i)
    std::memcpy(&objects[i], data + i * kOracleGeneralRecordBytes + 4, 8);
  std::vector<std::uint32_t> dense;
  std::unordered_map<std::uint64_t, std::uint32_t> first_seen;
  for (std::uint64_t o : objects)
    dense.push_back(first_seen.try_emplace(o, static_cast<std::uint32_t>(first_seen.size())).first->second);
  const bool whole = size % kOracleGeneralRecordBytes == 0;

  try {
    std::vector<std::uint64_t> ids = {42};  // reused buffers hold old content: it must be replaced
    hotbench::cache::read_oracle_general_ids(path, ids);
    check(whole, "a file with a partial record was read without an error");
    check(ids == objects, "object ids differ from the records'");
  } catch (const hotbench::cache::TraceError& e) {
    check(!whole, std::string("a file of whole records was refused: ") + e.what());
    check(e.what() == truncation_error(path, size), std::string("unexpected error: ") + e.what());
  } catch (const std::exception& e) {
    fail(std::string("an exception other than TraceError: ") + e.what());
  }

  try {
    const hotbench::cache::Trace t = hotbench::cache::read_oracle_general_trace(path);
    check(whole && size > 0, "a trace was read from an empty file or one with a partial record");
    check(t.path == path, "the trace does not carry its path");
    check(t.requests.ids == dense, "request ids are not the object ids made dense in first-seen order");
    check(t.requests.writes.empty(), "an oracleGeneral trace has no operations, but write flags were set");
    check(t.distinct_keys == first_seen.size(), "distinct_keys is not the number of distinct objects");
  } catch (const hotbench::cache::TraceError& e) {
    const std::string expected = size == 0 ? path + ": no records" : truncation_error(path, size);
    check(e.what() == expected, std::string("unexpected error: ") + e.what() + " (expected: " + expected + ")");
  } catch (const std::exception& e) {
    fail(std::string("an exception other than TraceError: ") + e.what());
  }
  return 0;
}
