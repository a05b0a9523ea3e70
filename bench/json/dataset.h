// A JSON dataset as the suite sees it: a file's bytes split into documents
// (one for .json, one per non-empty line for .jsonl), each copied into its own
// zero-padded slot so that simdjson may read kPadding bytes past its end
// without a copy, and the reference statistics computed once.
#pragma once

#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "stats.h"

namespace hotbench::json {

constexpr std::size_t kPadding = 64;  // >= SIMDJSON_PADDING

// Zeroed bytes starting on a 64-byte boundary. Every document starts on one:
// where malloc happens to place a buffer depends on what was allocated before
// (the length of a path, say), and an input's alignment changes the
// instructions memcpy and SIMD parsers execute, so the gate's instruction
// counts would differ between two checkouts of the same commit.
constexpr std::size_t kAlignment = 64;
struct AlignedDelete {
  void operator()(char* p) const { ::operator delete[](p, std::align_val_t{kAlignment}); }
};
using AlignedBytes = std::unique_ptr<char[], AlignedDelete>;
AlignedBytes aligned_bytes(std::size_t n);

struct DatasetError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Dataset {
 public:
  std::string name;  // file name without its extension
  std::string path;
  std::vector<std::string_view> documents;
  std::size_t bytes = 0;  // sum of the documents' sizes
  DeepStats reference;    // over all documents, from the reference parser

  // Reads and validates `path`. Throws DatasetError naming the file, the line,
  // column and byte offset, and the problem.
  static std::shared_ptr<const Dataset> load(const std::string& path);

 private:
  AlignedBytes storage_;
};

// One load per path per process.
std::shared_ptr<const Dataset> cached_dataset(const std::string& path);


std::string dataset_name(const std::string& path);

}  // namespace hotbench::json
