// trace_read: the rate of the oracleGeneral reader itself, over a file.
#pragma once

#include <benchmark/benchmark.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../harness/case.h"
#include "trace.h"

namespace hotbench::cache {

// One run of the trace reader over a file: records/s of the read itself.
class TraceRead final : public Case {
 public:
  TraceRead(std::string path, std::vector<std::uint64_t> expected, bool remove_after)
      : path_(std::move(path)), expected_(std::move(expected)), remove_(remove_after) {}
  ~TraceRead() override {
    if (remove_) std::filesystem::remove(path_);
  }
  Work work() const override {
    Work w;
    w.items = static_cast<double>(records_);
    w.input_bytes = static_cast<double>(records_ * kOracleGeneralRecordBytes);
    w.unit = Work::Unit::ops;
    return w;
  }
  Check check() override {
    try {
      read_oracle_general_ids(path_, ids_);
    } catch (const std::exception& e) {
      return Check::failed(e.what());
    }
    if (ids_.empty()) return Check::failed(path_ + ": no records");
    if (!expected_.empty() && ids_ != expected_) return Check::failed(path_ + ": object ids read back differ");
    records_ = ids_.size();
    return {};
  }
  void run() override {
    read_oracle_general_ids(path_, ids_);
    benchmark::DoNotOptimize(ids_.data());
  }

 private:
  std::string path_;
  std::vector<std::uint64_t> expected_, ids_;
  bool remove_;
  std::size_t records_ = 0;
};

}  // namespace hotbench::cache
