#include "trace.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <unordered_map>

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
  std::size_t size() const { return ids_.size(); }

 private:
  std::unordered_map<Id, std::uint32_t> ids_;
};

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
    bool write = false, has_key = false;
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
    writes.push_back(write);
    any_write |= write;
  }
  if (t.requests.ids.empty()) throw TraceError(path + ": no requests");
  if (any_write) t.requests.writes = std::move(writes);
  t.distinct_keys = ids.size();
  return t;
}

void read_oracle_general_ids(const std::string& path, std::vector<std::uint64_t>& ids) {
  File f = open_or_throw(path, "rb");
  ids.clear();
  constexpr std::size_t kRecordsPerRead = 1 << 16;  // 1.5 MiB per fread
  static thread_local std::vector<unsigned char> buffer(kRecordsPerRead * kOracleGeneralRecordBytes);
  std::size_t records = 0;
  while (true) {
    const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), f.get());
    const std::size_t whole = got / kOracleGeneralRecordBytes;
    const std::size_t base = ids.size();
    ids.resize(base + whole);
    const unsigned char* p = buffer.data() + 4;  // the id follows the 4-byte time
    for (std::size_t i = 0; i < whole; ++i, p += kOracleGeneralRecordBytes) std::memcpy(&ids[base + i], p, 8);
    records += whole;
    if (got < buffer.size()) {
      if (std::ferror(f.get())) throw TraceError(path + ": read error after record " + std::to_string(records));
      if (got % kOracleGeneralRecordBytes != 0)
        throw TraceError(path + ": record " + std::to_string(records + 1) + " is truncated (" +
                         std::to_string(got % kOracleGeneralRecordBytes) + " of 24 bytes)");
      return;
    }
  }
}

Trace read_oracle_general_trace(const std::string& path) {
  std::vector<std::uint64_t> objects;
  read_oracle_general_ids(path, objects);
  if (objects.empty()) throw TraceError(path + ": no records");
  Trace t;
  t.path = path;
  DenseIds<std::uint64_t> ids;
  t.requests.ids.reserve(objects.size());
  for (std::uint64_t o : objects) t.requests.ids.push_back(ids.of(o));
  t.distinct_keys = ids.size();
  return t;
}

Trace read_trace(const std::string& path) {
  if (ends_with(path, ".csv")) return read_csv_trace(path);
  if (ends_with(path, ".oracleGeneral")) return read_oracle_general_trace(path);
  throw TraceError(path + ": not a trace (expected a .csv or .oracleGeneral file)");
}

void write_oracle_general(const std::string& path, const std::vector<std::uint64_t>& ids) {
  File f = open_or_throw(path, "wb");
  unsigned char record[kOracleGeneralRecordBytes];
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const std::uint32_t time = static_cast<std::uint32_t>(i), size = 100;
    const std::int64_t next = -1;
    std::memcpy(record, &time, 4);
    std::memcpy(record + 4, &ids[i], 8);
    std::memcpy(record + 12, &size, 4);
    std::memcpy(record + 16, &next, 8);
    if (std::fwrite(record, 1, sizeof record, f.get()) != sizeof record) throw TraceError(path + ": write failed");
  }
}

}  // namespace hotbench::cache
