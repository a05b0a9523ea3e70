#include "dataset.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>

#include "reference.h"

namespace hotbench::json {
namespace fs = std::filesystem;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DatasetError(path + ": cannot open: " + std::strerror(errno));
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw DatasetError(path + ": read error");
  return std::move(s).str();
}

std::string locate(const std::string& path, std::string_view file, std::size_t offset) {
  std::size_t line = 1 + static_cast<std::size_t>(std::count(file.begin(), file.begin() + offset, '\n'));
  std::size_t line_start = file.rfind('\n', offset == 0 ? 0 : offset - 1);
  std::size_t column = offset - (line_start == std::string_view::npos || offset == 0 ? 0 : line_start + 1) + 1;
  return path + ": line " + std::to_string(line) + ", column " + std::to_string(column) + " (byte " +
         std::to_string(offset) + ")";
}
}  // namespace

std::string dataset_name(const std::string& path) { return fs::path(path).stem().string(); }

std::shared_ptr<const Dataset> Dataset::load(const std::string& path) {
  const std::string file = read_file(path);
  if (file.find_first_not_of(" \t\r\n") == std::string::npos)
    throw DatasetError(path + ": the file is empty (no JSON document)");

  // Spans of the documents within the file.
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  if (fs::path(path).extension() == ".jsonl") {
    for (std::size_t at = 0; at < file.size();) {
      std::size_t end = file.find('\n', at);
      if (end == std::string::npos) end = file.size();
      std::size_t len = end - at;
      if (len > 0 && file[at + len - 1] == '\r') --len;
      if (std::string_view(file).substr(at, len).find_first_not_of(" \t") != std::string_view::npos)
        spans.emplace_back(at, len);
      at = end + 1;
    }
  } else {
    spans.emplace_back(0, file.size());
  }

  auto d = std::make_shared<Dataset>();
  d->name = dataset_name(path);
  d->path = path;
  std::size_t total = 0;
  auto slot = [](std::size_t len) { return (len + kPadding + kAlignment - 1) / kAlignment * kAlignment; };
  for (auto [at, len] : spans) total += slot(len);
  d->storage_ = aligned_bytes(total);  // zeroed: the padding after each document is zero
  char* out = d->storage_.get();
  for (auto [at, len] : spans) {
    std::string_view text(file.data() + at, len);
    DeepVisitor v;
    try {
      parse_reference(text, v);
    } catch (const SyntaxError& e) {
      throw DatasetError(locate(path, file, at + e.offset) + ": invalid JSON: " + e.what());
    }
    d->reference.add(v.finish());
    std::memcpy(out, text.data(), len);
    d->documents.emplace_back(out, len);
    d->bytes += len;
    out += slot(len);
  }
  return d;
}

AlignedBytes aligned_bytes(std::size_t n) {
  AlignedBytes bytes(static_cast<char*>(::operator new[](n, std::align_val_t{kAlignment})));
  std::memset(bytes.get(), 0, n);
  return bytes;
}

std::shared_ptr<const Dataset> cached_dataset(const std::string& path) {
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const Dataset>> cache;
  std::lock_guard lock(mutex);
  auto& slot = cache[path];
  if (!slot) slot = Dataset::load(path);
  return slot;
}

}  // namespace hotbench::json
