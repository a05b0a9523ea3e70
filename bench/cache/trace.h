// Request traces from files, in the forms they are distributed: CSV, plain
// text (one key per line) and libCacheSim's oracleGeneral binary format, the
// latter also zstd-compressed. The format is the file name's suffix
// (trace_formats(): the one list, also the suite's data suffixes).
//
// CSV (.csv): one request per line, columns key[,size][,op]. An optional first
// line naming the columns replaces that default order: it is a header when one
// of its fields is a column name (key, size, op); each of its fields must then
// be a column name, none twice, and key among them. (A headerless trace whose
// first key is literally "key", "size" or "op" needs a header.)
// Keys are any text without commas; size the object's size in bytes, an
// integer 0..2^32-1; op one of get, read, set, put, write. Blank lines are
// skipped. Every line carries exactly one key, so `writes` (when present)
// pairs up with `ids`; either every request line has a size or none has (the
// trace then has no sizes).
//
// Text (.txt): one key per line, the key being the whole line without its line
// ending ("\n" or "\r\n"), byte for byte: spaces, commas and tabs are part of
// it. Empty lines are skipped. Every request is a get; no sizes.
//
// oracleGeneral (.oracleGeneral, .oracleGeneral.bin; zstd-compressed:
// .oracleGeneral.zst, .oracleGeneral.bin.zst): packed little-endian 24-byte
// records {uint32 time, uint64 object id, uint32 size, int64 next access}.
// A compressed file is decompressed as a stream (ZSTD_decompressStream into a
// fixed buffer, records decoded straight from it); it may hold several frames.
//
// Errors are TraceError with "<file>: line N: ...", "<file>: line N, column C: ..."
// (a field's problem; columns count from 1) or "<file>: record N: ..." and, for
// a damaged compressed file, "<file>: zstd: <problem> at compressed byte B (after record R)".
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
  Requests requests;  // key ids 0..distinct_keys-1 in first-seen order; sizes when the trace has them
  std::uint64_t distinct_keys = 0;
  // Bytes of the distinct objects, each counted once at the size of its first
  // request (0 without sizes): what byte capacities are a share of.
  std::uint64_t distinct_bytes = 0;
};

enum class TraceFormat { csv, text, oracle_general };
struct TraceSuffix {
  std::string suffix;  // ".oracleGeneral.bin.zst"
  TraceFormat format;
  bool zstd;
};
const std::vector<TraceSuffix>& trace_formats();
std::vector<std::string> trace_suffixes();  // the suffixes of trace_formats(), in its order
// The format of a file by the longest suffix its name ends with; null for none.
const TraceSuffix* trace_format_of(const std::string& path);

Trace read_csv_trace(const std::string& path);
Trace read_text_trace(const std::string& path);
Trace read_oracle_general_trace(const std::string& path);  // compressed when the name ends with .zst
Trace read_trace(const std::string& path);                 // by suffix (trace_format_of)

constexpr std::size_t kOracleGeneralRecordBytes = 24;

// The object ids (and, when `sizes` is given, the sizes) of an oracleGeneral
// file, in order, into the vectors (reused): large buffered reads, or a zstd
// stream for a name ending with .zst, and a fixed-layout decode, so reading is
// not the bottleneck of a replay. Throws TraceError for a truncated final
// record and a damaged compressed stream.
void read_oracle_general_ids(const std::string& path, std::vector<std::uint64_t>& ids,
                             std::vector<std::uint32_t>* sizes = nullptr);

// Writes an oracleGeneral file (tests, the read-rate rows), zstd-compressed
// when the name ends with .zst; sizes default to 100 bytes per request.
void write_oracle_general(const std::string& path, const std::vector<std::uint64_t>& ids,
                          const std::vector<std::uint32_t>& sizes = {});

}  // namespace hotbench::cache
