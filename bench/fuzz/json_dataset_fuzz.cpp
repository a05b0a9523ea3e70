// Fuzzes the JSON dataset loader (bench/json/dataset.h, Dataset::load), which
// runs the reference parser over every document. Each input is loaded twice,
// as a .json file (one document) and as a .jsonl file (one per non-blank line).
// Properties:
// - load either returns a dataset or throws DatasetError, nothing else;
// - an error is "<path>: the file is empty (no JSON document)" for a file of
//   whitespace, or "<path>: line L, column C (byte B): invalid JSON: ..." where
//   B is a byte of the file and L, C are that byte's line and column (1-based);
// - a dataset holds, in order, the file's documents (the whole file for .json;
//   each non-blank line without its '\r' for .jsonl), each starting on a 64-byte
//   boundary and followed by kPadding zero bytes (simdjson reads past the end
//   without a copy: ASan reports a short slot), `bytes` their total, and
//   `reference` the reference statistics of those documents;
// - without a '\n' both forms hold the same single document: they accept or
//   refuse together, and agree on its statistics.
#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "json/dataset.h"
#include "json/reference.h"

namespace {
using namespace hotbench::json;
using hotbench::fuzz::check;
using hotbench::fuzz::fail;

std::vector<std::string_view> expected_documents(std::string_view file, bool lines) {
  if (!lines) return {file};
  std::vector<std::string_view> docs;
  for (std::size_t at = 0; at < file.size();) {
    std::size_t end = std::min(file.find('\n', at), file.size());
    std::string_view line = file.substr(at, end - at);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) docs.push_back(line);
    at = end + 1;
  }
  return docs;
}

bool same(const DeepStats& a, const DeepStats& b) {
  return a.stats == b.stats && a.string_hash == b.string_hash && a.tree_hash == b.tree_hash && a.numbers == b.numbers;
}

void check_dataset(const Dataset& d, const std::string& path, std::string_view file, bool lines) {
  check(d.path == path && d.name == "input", "the dataset's path or name is wrong: " + d.path + ", " + d.name);
  const auto expected = expected_documents(file, lines);
  check(d.documents.size() == expected.size(), std::to_string(d.documents.size()) + " documents, expected " +
                                                   std::to_string(expected.size()));
  std::size_t bytes = 0;
  DeepStats reference;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const std::string_view doc = d.documents[i];
    check(doc == expected[i], "document " + std::to_string(i) + " differs from the file's");
    check(reinterpret_cast<std::uintptr_t>(doc.data()) % kAlignment == 0, "a document is not 64-byte aligned");
    for (std::size_t k = 0; k < kPadding; ++k) check(doc.data()[doc.size() + k] == 0, "padding is not zero");
    bytes += doc.size();
    DeepVisitor v;
    parse_reference(doc, v);  // the loader accepted it, so must the reference
    reference.add(v.finish());
  }
  check(d.bytes == bytes, "bytes is not the documents' total size");
  check(same(d.reference, reference), "the dataset's reference statistics are not its documents'");
}

void check_error(const std::string& message, const std::string& path, std::string_view file) {
  if (message == path + ": the file is empty (no JSON document)") {
    check(file.find_first_not_of(" \t\r\n") == std::string_view::npos, "a non-blank file called empty");
    return;
  }
  std::size_t line = 0, column = 0, byte = 0;
  int consumed = 0;
  const std::string where = message.rfind(path + ": ", 0) == 0 ? message.substr(path.size() + 2) : "";
  const int n = std::sscanf(where.c_str(), "line %zu, column %zu (byte %zu): invalid JSON: %n", &line, &column,
                            &byte, &consumed);
  check(n == 3 && consumed > 0, "the error does not name the file, line, column and byte: " + message);
  check(byte <= file.size(), "the error's byte is beyond the file: " + message);
  const std::string_view before = file.substr(0, byte);
  const std::size_t expected_line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const std::size_t last_newline = before.rfind('\n');
  const std::size_t expected_column = byte - (last_newline == std::string_view::npos ? 0 : last_newline + 1) + 1;
  check(line == expected_line && column == expected_column,
        "line/column do not match byte " + std::to_string(byte) + " (expected line " + std::to_string(expected_line) +
            ", column " + std::to_string(expected_column) + "): " + message);
}

// The loaded dataset's reference statistics, or nothing when the load failed.
std::optional<DeepStats> load(std::string_view file, bool lines) {
  const std::string path = hotbench::fuzz::input_files().write(lines ? "input.jsonl" : "input.json", file);
  try {
    const auto d = Dataset::load(path);
    check(d != nullptr, "load returned no dataset");
    check_dataset(*d, path, file, lines);
    return d->reference;
  } catch (const DatasetError& e) {
    check_error(e.what(), path, file);
  } catch (const SyntaxError& e) {
    fail(std::string("a document the loader accepted is refused by the reference parser: ") + e.what());
  } catch (const std::exception& e) {
    fail(std::string("an exception other than DatasetError: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view file = hotbench::fuzz::as_text(data, size);
  const auto whole = load(file, false);
  const auto lines = load(file, true);
  if (file.find('\n') == std::string_view::npos) {
    check(whole.has_value() == lines.has_value(), "without a newline, .json and .jsonl disagree on accepting");
    if (whole) check(same(*whole, *lines), "without a newline, .json and .jsonl give different statistics");
  }
  return 0;
}
