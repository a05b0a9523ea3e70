// Fuzzes the CSV trace reader (bench/cache/trace.h, read_csv_trace) with
// properties that hold for every input:
// - it either returns a trace or throws TraceError, nothing else (no crash, no
//   other exception, no sanitizer report);
// - an error names the file and, unless the file has no requests, the line:
//   "<path>: line N: ..." with N a line of the file, or a field of it:
//   "<path>: line N, column C: ..." with C one of that line's fields;
// - a trace has one request per non-blank line (the header line excepted), key
//   ids dense in first-seen order (0, then at most one more than the largest so
//   far), distinct_keys their count, and writes either empty (a read-only trace)
//   or one 0/1 flag per request with at least one write;
// - and exactly the requests the format defines for the lines it accepted: the
//   key and op fields picked by the header's column order (key,size,op without
//   one), keys numbered in first-seen order, set/put/write as writes.
#include <algorithm>
#include <cstdio>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "cache/trace.h"
#include "fuzz_util.h"

namespace {
using hotbench::fuzz::check;
using hotbench::fuzz::fail;

// Lines as the reader sees them: split at '\n', one trailing '\r' dropped.
std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(at, end - at));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    at = end + 1;
  }
  return lines;
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t comma; (comma = line.find(',', start)) != std::string::npos; start = comma + 1)
    fields.push_back(line.substr(start, comma - start));
  fields.push_back(line.substr(start));
  return fields;
}

// "<path>: line N: ..." or, for a field's problem, "<path>: line N, column C: ..."
// with N a line of the file and C one of that line's fields (from 1).
void check_error(const std::string& message, const std::string& path, const std::vector<std::string>& lines) {
  if (message == path + ": no requests") return;
  check(message.rfind(path + ": ", 0) == 0, "the error does not name the file: " + message);
  const std::string where = message.substr(path.size() + 2);
  std::size_t line = 0, column = 0;
  int consumed = 0;
  if (std::sscanf(where.c_str(), "line %zu, column %zu: %n", &line, &column, &consumed) == 2 && consumed > 0) {
    check(line >= 1 && line <= lines.size() && column >= 1 && column <= fields_of(lines[line - 1]).size(),
          "the error names a field that line " + std::to_string(line) + " does not have: " + message);
    return;
  }
  consumed = 0;
  check(std::sscanf(where.c_str(), "line %zu: %n", &line, &consumed) == 1 && consumed > 0,
        "the error does not name the line: " + message);
  check(line >= 1 && line <= lines.size(), "the error names line " + std::to_string(line) + " of a file with " +
                                               std::to_string(lines.size()) + " lines: " + message);
}

void check_trace(const hotbench::cache::Trace& t, const std::string& path, const std::vector<std::string>& lines) {
  check(t.path == path, "the trace does not carry its path");
  std::size_t data_lines = 0;
  bool first = true, header = false;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    if (first) {
      const auto fields = fields_of(line);
      header = std::find(fields.begin(), fields.end(), "key") != fields.end();
    }
    first = false;
    ++data_lines;
  }
  if (header) --data_lines;
  const auto& ids = t.requests.ids;
  check(ids.size() == data_lines, std::to_string(ids.size()) + " requests from " + std::to_string(data_lines) +
                                      " request lines");
  check(!ids.empty(), "a trace without requests was accepted");
  std::uint32_t next = 0;  // the id a key not seen before gets
  for (std::uint32_t id : ids) {
    check(id <= next, "key ids are not dense in first-seen order");
    if (id == next) ++next;
  }
  check(t.distinct_keys == next, "distinct_keys " + std::to_string(t.distinct_keys) + ", but " +
                                     std::to_string(next) + " distinct ids");
  const auto& writes = t.requests.writes;
  if (!writes.empty()) {
    check(writes.size() == ids.size(), std::to_string(writes.size()) + " write flags for " +
                                           std::to_string(ids.size()) + " requests");
    check(std::all_of(writes.begin(), writes.end(), [](std::uint8_t w) { return w <= 1; }), "a write flag not 0/1");
    check(std::any_of(writes.begin(), writes.end(), [](std::uint8_t w) { return w == 1; }),
          "write flags kept for a read-only trace");
  }

  // The requests of the accepted file, by the format's definition (trace.h).
  std::vector<std::string> columns = {"key", "size", "op"};
  std::unordered_map<std::string, std::uint32_t> first_seen;
  std::vector<std::uint32_t> expected_ids;
  std::vector<std::uint8_t> expected_writes;
  first = true;
  for (const auto& line : lines) {
    if (line.empty()) continue;
    const auto fields = fields_of(line);
    if (std::exchange(first, false) && header) {
      columns = fields;
      continue;
    }
    const auto key = std::find(columns.begin(), columns.end(), "key") - columns.begin();
    const auto op = std::find(columns.begin(), columns.end(), "op") - columns.begin();
    check(static_cast<std::size_t>(key) < fields.size(), "a line without a key was accepted: " + line);
    expected_ids.push_back(
        first_seen.try_emplace(fields[key], static_cast<std::uint32_t>(first_seen.size())).first->second);
    const bool write = static_cast<std::size_t>(op) < fields.size() &&
                       (fields[op] == "set" || fields[op] == "put" || fields[op] == "write");
    expected_writes.push_back(write);
  }
  if (std::none_of(expected_writes.begin(), expected_writes.end(), [](std::uint8_t w) { return w == 1; }))
    expected_writes.clear();
  check(ids == expected_ids, "request ids differ from the keys of the file's lines");
  check(writes == expected_writes, "write flags differ from the operations of the file's lines");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text = hotbench::fuzz::as_text(data, size);
  const std::string path = hotbench::fuzz::input_files().write("trace.csv", text);
  const std::vector<std::string> lines = lines_of(text);
  try {
    const hotbench::cache::Trace trace = hotbench::cache::read_csv_trace(path);
    check_trace(trace, path, lines);
  } catch (const hotbench::cache::TraceError& e) {
    check_error(e.what(), path, lines);
  } catch (const std::exception& e) {
    fail(std::string("an exception other than TraceError: ") + e.what());
  }
  return 0;
}
