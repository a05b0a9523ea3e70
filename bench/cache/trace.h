// Request traces from files: CSV and libCacheSim's oracleGeneral binary format.
//
// CSV: one request per line, columns key[,size][,op]. An optional first line
// naming the columns replaces that default order: it is a header when one of
// its fields is a column name (key, size, op); each of its fields must then be
// a column name, none twice, and key among them. (A headerless trace whose
// first key is literally "key", "size" or "op" needs a header.)
// Keys are any text without commas; size a non-negative integer (read and
// checked, but capacity is counted in objects, so it is not used); op one of
// get, read, set, put, write. Blank lines are skipped. Every line carries
// exactly one key, so `writes` (when present) pairs up with `ids`.
//
// oracleGeneral: packed little-endian 24-byte records {uint32 time, uint64
// object id, uint32 size, int64 next access}.
//
// Errors are TraceError with "<file>: line N: ...", "<file>: line N, column C: ..."
// (a field's problem; columns count from 1) or "<file>: record N: ...".
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "workload.h"

namespace hotbench::cache {

struct TraceError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Trace {
  std::string path;
  Requests requests;           // key ids 0..distinct_keys-1 in first-seen order
  std::uint64_t distinct_keys = 0;
};

Trace read_csv_trace(const std::string& path);
Trace read_oracle_general_trace(const std::string& path);
Trace read_trace(const std::string& path);  // by suffix: .csv or .oracleGeneral

constexpr std::size_t kOracleGeneralRecordBytes = 24;

// The object ids of an oracleGeneral file, in order, into `ids` (reused):
// large buffered reads and a fixed-layout decode, so reading is not the
// bottleneck of a replay. Throws TraceError for a truncated final record.
void read_oracle_general_ids(const std::string& path, std::vector<std::uint64_t>& ids);

// Writes an oracleGeneral file (tests, the read-rate row).
void write_oracle_general(const std::string& path, const std::vector<std::uint64_t>& ids);

}  // namespace hotbench::cache
