#include "trace.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <unordered_map>

#include <zstd.h>

namespace hotbench::cache {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<std::FILE, FileCloser>;

File open_or_throw(const std::string& path, const char* mode) {
  File f(std::fopen(path.c_str(), mode));
  if (!f) throw TraceError(path + ": cannot open: " + std::strerror(errno));
  return f;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The sizes a trace may give are those of oracleGeneral's 32-bit field.
constexpr std::uint64_t kMaxObjectSize = 0xffffffffu;

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(line.substr(start, comma - start));
    if (comma == std::string::npos) return fields;
    start = comma + 1;
  }
}

enum Column { kKey, kSize, kOp };
constexpr const char* kColumnNames[] = {"key", "size", "op"};

std::optional<Column> column_of(const std::string& name) {
  for (int c = kKey; c <= kOp; ++c)
    if (name == kColumnNames[c]) return static_cast<Column>(c);
  return std::nullopt;
}

// "<file>: line N: ", or "<file>: line N, column C: " for the field at `index` (columns count from 1).
std::string location(const std::string& path, std::size_t line) {
  return path + ": line " + std::to_string(line) + ": ";
}
std::string location(const std::string& path, std::size_t line, std::size_t index) {
  return path + ": line " + std::to_string(line) + ", column " + std::to_string(index + 1) + ": ";
}

// A header's columns: each a known name, none repeated, the key among them.
// A repeated column would make one line carry two keys (or two sizes, two
// ops), so the request and write arrays would no longer pair up.
std::vector<Column> header_columns(const std::vector<std::string>& names, const std::string& path, std::size_t line) {
  std::vector<Column> columns;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::optional<Column> c = column_of(names[i]);
    if (!c) throw TraceError(location(path, line, i) + "unknown column '" + names[i] + "' (known: key, size, op)");
    const auto first = std::find(columns.begin(), columns.end(), *c);
    if (first != columns.end())
      throw TraceError(location(path, line, i) + "column '" + names[i] + "' repeated (first in column " +
                       std::to_string(first - columns.begin() + 1) + ")");
    columns.push_back(*c);
  }
  if (std::find(columns.begin(), columns.end(), kKey) == columns.end()) {
    std::string listed;
    for (const auto& n : names) listed += (listed.empty() ? "" : ", ") + n;
    throw TraceError(location(path, line) + "the header has no 'key' column (columns: " + listed + ")");
  }
  return columns;
}

template <class Id>
class DenseIds {  // first-seen order: ids 0, 1, 2...
 public:
  std::uint32_t of(const Id& key) {
    auto [it, fresh] = ids_.try_emplace(key, static_cast<std::uint32_t>(ids_.size()));
    return it->second;
  }
  std::uint32_t of(const Id& key, bool& fresh) {
    auto [it, is_new] = ids_.try_emplace(key, static_cast<std::uint32_t>(ids_.size()));
    fresh = is_new;
    return it->second;
  }
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<Id, std::uint32_t> ids_;
};

// Each distinct object's bytes once, at the size of its first request (ids are dense in first-seen order).
std::uint64_t distinct_bytes(const Requests& r) {
  std::uint64_t total = 0, seen = 0;
  for (std::size_t i = 0; i < r.sizes.size(); ++i)
    if (r.ids[i] == seen) {
      total += r.sizes[i];
      ++seen;
    }
  return total;
}

}  // namespace

Trace read_csv_trace(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw TraceError(path + ": cannot open: " + std::strerror(errno));
  std::vector<Column> columns = {kKey, kSize, kOp};
  bool header_seen = false;
  Trace t;
  t.path = path;
  DenseIds<std::string> ids;
  std::vector<std::uint8_t> writes;
  std::vector<std::uint32_t> sizes;
  constexpr std::size_t kNone = ~std::size_t{0};
  std::size_t first_sized = kNone, first_unsized = kNone;  // line numbers
  bool any_write = false;
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto where = [&] { return location(path, number); };
    std::vector<std::string> fields = split_commas(line);
    // The first line is a header when one of its fields names a column.
    if (!header_seen && t.requests.ids.empty() &&
        std::any_of(fields.begin(), fields.end(), [](const std::string& f) { return column_of(f).has_value(); })) {
      header_seen = true;
      columns = header_columns(fields, path, number);
      continue;
    }
    if (fields.size() > columns.size())
      throw TraceError(where() + std::to_string(fields.size()) + " fields, expected at most " +
                       std::to_string(columns.size()));
    bool write = false, has_key = false, has_size = false;
    std::uint32_t size = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
      const std::string& f = fields[i];
      const auto at = [&] { return location(path, number, i); };
      switch (columns[i]) {
        case kKey:
          if (f.empty()) throw TraceError(at() + "empty key");
          t.requests.ids.push_back(ids.of(f));
          has_key = true;
          break;
        case kSize: {
          // from_chars, not strtoll: that one took "+1" and " 1", and stopped at a NUL byte inside the field.
          std::uint64_t v = 0;
          const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), v);
          if (f.empty() || ec != std::errc() || end != f.data() + f.size())
            throw TraceError(at() + "size '" + f + "' is not a non-negative integer");
          if (v > kMaxObjectSize)
            throw TraceError(at() + "size '" + f + "' exceeds " + std::to_string(kMaxObjectSize) + " bytes");
          size = static_cast<std::uint32_t>(v);
          has_size = true;
          break;
        }
        case kOp:
          if (f == "get" || f == "read") write = false;
          else if (f == "set" || f == "put" || f == "write") write = true;
          else throw TraceError(at() + "unknown operation '" + f + "' (known: get, read, set, put, write)");
          break;
      }
    }
    if (!has_key) throw TraceError(where() + "no key");
    // Sizes on some lines only would leave requests of unknown size in a byte-bounded cache.
    (has_size ? first_sized : first_unsized) = std::min(has_size ? first_sized : first_unsized, number);
    if (first_sized != kNone && first_unsized != kNone)
      throw TraceError(where() + (has_size ? "a size, but line " + std::to_string(first_unsized) + " has none"
                                           : "no size, but line " + std::to_string(first_sized) + " has one") +
                       " (every request has a size or none has)");
    writes.push_back(write);
    sizes.push_back(size);
    any_write |= write;
  }
  if (t.requests.ids.empty()) throw TraceError(path + ": no requests");
  if (any_write) t.requests.writes = std::move(writes);
  if (first_sized != kNone) t.requests.sizes = std::move(sizes);
  t.distinct_keys = ids.size();
  t.distinct_bytes = distinct_bytes(t.requests);
  return t;
}

Trace read_text_trace(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw TraceError(path + ": cannot open: " + std::strerror(errno));
  Trace t;
  t.path = path;
  DenseIds<std::string> ids;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) t.requests.ids.push_back(ids.of(line));
  }
  if (in.bad()) throw TraceError(path + ": read error after request " + std::to_string(t.requests.ids.size()));
  if (t.requests.ids.empty()) throw TraceError(path + ": no requests");
  t.distinct_keys = ids.size();
  return t;
}

namespace {

// Decodes records from chunks of a file's bytes as they come (a record may
// straddle two chunks: its first bytes wait in `partial_`).
class RecordDecoder {
 public:
  RecordDecoder(std::vector<std::uint64_t>& ids, std::vector<std::uint32_t>* sizes) : ids_(ids), sizes_(sizes) {
    ids_.clear();
    if (sizes_) sizes_->clear();
  }
  void consume(const unsigned char* p, std::size_t n) {
    if (held_ > 0) {
      const std::size_t take = std::min(n, kOracleGeneralRecordBytes - held_);
      std::memcpy(partial_ + held_, p, take);
      held_ += take;
      p += take;
      n -= take;
      if (held_ < kOracleGeneralRecordBytes) return;
      decode(partial_, 1);
      held_ = 0;
    }
    const std::size_t whole = n / kOracleGeneralRecordBytes;
    decode(p, whole);
    held_ = n - whole * kOracleGeneralRecordBytes;
    std::memcpy(partial_, p + whole * kOracleGeneralRecordBytes, held_);
  }
  std::size_t records() const { return ids_.size(); }
  void finish(const std::string& path) const {
    if (held_ != 0)
      throw TraceError(path + ": record " + std::to_string(records() + 1) + " is truncated (" + std::to_string(held_) +
                       " of 24 bytes)");
  }

 private:
  void decode(const unsigned char* p, std::size_t count) {
    const std::size_t base = ids_.size();
    ids_.resize(base + count);
    std::uint64_t* out = ids_.data() + base;
    for (std::size_t i = 0; i < count; ++i) std::memcpy(out + i, p + i * kOracleGeneralRecordBytes + 4, 8);
    if (sizes_) {
      sizes_->resize(base + count);
      std::uint32_t* size = sizes_->data() + base;
      for (std::size_t i = 0; i < count; ++i) std::memcpy(size + i, p + i * kOracleGeneralRecordBytes + 12, 4);
    }
  }
  std::vector<std::uint64_t>& ids_;
  std::vector<std::uint32_t>* sizes_;
  unsigned char partial_[kOracleGeneralRecordBytes];
  std::size_t held_ = 0;
};

// Large reads, a whole number of records each, so records are decoded in place.
constexpr std::size_t kChunkBytes = (1 << 16) * kOracleGeneralRecordBytes;  // 1.5 MiB

void read_plain(const std::string& path, RecordDecoder& decoder) {
  File f = open_or_throw(path, "rb");
  static thread_local std::vector<unsigned char> buffer(kChunkBytes);
  while (true) {
    const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), f.get());
    decoder.consume(buffer.data(), got);
    if (got < buffer.size()) {
      if (std::ferror(f.get())) throw TraceError(path + ": read error after record " + std::to_string(decoder.records()));
      return;
    }
  }
}

struct DStreamFree {
  void operator()(ZSTD_DStream* d) const { ZSTD_freeDStream(d); }
};

// A zstd stream (one frame or several), decompressed into one fixed buffer and
// decoded from there: never the whole decompressed file in memory.
void read_zstd(const std::string& path, RecordDecoder& decoder) {
  File f = open_or_throw(path, "rb");
  static thread_local std::unique_ptr<ZSTD_DStream, DStreamFree> stream(ZSTD_createDStream());
  if (!stream) throw std::bad_alloc();
  ZSTD_DCtx_reset(stream.get(), ZSTD_reset_session_only);
  static thread_local std::vector<unsigned char> in(std::max<std::size_t>(ZSTD_DStreamInSize(), 1 << 20)),
      out(kChunkBytes);
  std::uint64_t consumed = 0;  // compressed bytes before the current read
  std::size_t pending = 1;     // ZSTD_decompressStream's last answer: 0 at the end of a frame
  const auto at = [&](std::uint64_t byte) {
    return " at compressed byte " + std::to_string(byte) + " (after record " + std::to_string(decoder.records()) + ")";
  };
  while (true) {
    const std::size_t got = std::fread(in.data(), 1, in.size(), f.get());
    if (got == 0) break;
    ZSTD_inBuffer input{in.data(), got, 0};
    // Given a whole frame, zstd keeps its last byte until it has flushed all of its data, so
    // "input left" is also "output left".
    while (input.pos < input.size) {
      ZSTD_outBuffer output{out.data(), out.size(), 0};
      pending = ZSTD_decompressStream(stream.get(), &output, &input);
      if (ZSTD_isError(pending)) throw TraceError(path + ": zstd: " + ZSTD_getErrorName(pending) + at(consumed + input.pos));
      decoder.consume(out.data(), output.pos);
    }
    consumed += got;
    if (got < in.size()) break;
  }
  if (std::ferror(f.get())) throw TraceError(path + ": read error" + at(consumed));
  if (consumed == 0) throw TraceError(path + ": zstd: empty file, not a zstd stream");
  if (pending != 0) throw TraceError(path + ": zstd: the stream is truncated inside a frame" + at(consumed));
}

}  // namespace

void read_oracle_general_ids(const std::string& path, std::vector<std::uint64_t>& ids,
                             std::vector<std::uint32_t>* sizes) {
  RecordDecoder decoder(ids, sizes);
  if (ends_with(path, ".zst")) read_zstd(path, decoder);
  else read_plain(path, decoder);
  decoder.finish(path);
}

Trace read_oracle_general_trace(const std::string& path) {
  std::vector<std::uint64_t> objects;
  Trace t;
  read_oracle_general_ids(path, objects, &t.requests.sizes);
  if (objects.empty()) throw TraceError(path + ": no records");
  t.path = path;
  DenseIds<std::uint64_t> ids;
  t.requests.ids.reserve(objects.size());
  for (std::uint64_t o : objects) t.requests.ids.push_back(ids.of(o));
  t.distinct_keys = ids.size();
  t.distinct_bytes = distinct_bytes(t.requests);
  return t;
}

const std::vector<TraceSuffix>& trace_formats() {
  static const std::vector<TraceSuffix> formats = {
      {".csv", TraceFormat::csv, false},
      {".txt", TraceFormat::text, false},
      {".oracleGeneral", TraceFormat::oracle_general, false},
      {".oracleGeneral.bin", TraceFormat::oracle_general, false},  // libCacheSim's sample's name
      {".oracleGeneral.zst", TraceFormat::oracle_general, true},   // the public collections' names
      {".oracleGeneral.bin.zst", TraceFormat::oracle_general, true},
  };
  return formats;
}

std::vector<std::string> trace_suffixes() {
  std::vector<std::string> out;
  for (const auto& f : trace_formats()) out.push_back(f.suffix);
  return out;
}

const TraceSuffix* trace_format_of(const std::string& path) {
  const std::string file = path.substr(path.find_last_of('/') + 1);
  const TraceSuffix* best = nullptr;
  for (const auto& f : trace_formats())
    if (file.size() > f.suffix.size() && ends_with(file, f.suffix) && (!best || f.suffix.size() > best->suffix.size()))
      best = &f;
  return best;
}

Trace read_trace(const std::string& path) {
  const TraceSuffix* format = trace_format_of(path);
  if (!format) {
    std::string known;
    for (const auto& f : trace_formats()) known += (known.empty() ? "" : ", ") + f.suffix;
    throw TraceError(path + ": not a trace (expected a file ending with " + known + ")");
  }
  switch (format->format) {
    case TraceFormat::csv: return read_csv_trace(path);
    case TraceFormat::text: return read_text_trace(path);
    case TraceFormat::oracle_general: return read_oracle_general_trace(path);
  }
  throw TraceError(path + ": not a trace");
}

namespace {
struct CStreamFree {
  void operator()(ZSTD_CStream* c) const { ZSTD_freeCStream(c); }
};
}  // namespace

void write_oracle_general(const std::string& path, const std::vector<std::uint64_t>& ids,
                          const std::vector<std::uint32_t>& sizes) {
  File f = open_or_throw(path, "wb");
  const bool zstd = ends_with(path, ".zst");
  std::unique_ptr<ZSTD_CStream, CStreamFree> stream(zstd ? ZSTD_createCStream() : nullptr);
  if (zstd) ZSTD_CCtx_setParameter(stream.get(), ZSTD_c_checksumFlag, 1);  // as zstd(1) writes them
  std::vector<unsigned char> records, out(ZSTD_CStreamOutSize());
  const auto write = [&](const void* p, std::size_t n) {
    if (std::fwrite(p, 1, n, f.get()) != n) throw TraceError(path + ": write failed");
  };
  // Compresses (or writes) the records gathered so far; `end` closes the frame.
  const auto flush = [&](bool end) {
    if (!zstd) {
      write(records.data(), records.size());
    } else {
      ZSTD_inBuffer input{records.data(), records.size(), 0};
      std::size_t left = 0;
      do {
        ZSTD_outBuffer output{out.data(), out.size(), 0};
        left = ZSTD_compressStream2(stream.get(), &output, &input, end ? ZSTD_e_end : ZSTD_e_continue);
        if (ZSTD_isError(left)) throw TraceError(path + ": zstd: " + ZSTD_getErrorName(left));
        write(out.data(), output.pos);
      } while (end ? left != 0 : input.pos < input.size);
    }
    records.clear();
  };
  unsigned char record[kOracleGeneralRecordBytes];
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::uint32_t time = static_cast<std::uint32_t>(i), size = sizes.empty() ? 100 : sizes.at(i);
    const std::int64_t next = -1;
    std::memcpy(record, &time, 4);
    std::memcpy(record + 4, &ids[i], 8);
    std::memcpy(record + 12, &size, 4);
    std::memcpy(record + 16, &next, 8);
    records.insert(records.end(), record, record + sizeof record);
    if (records.size() >= kChunkBytes) flush(false);
  }
  flush(true);
}

}  // namespace hotbench::cache
