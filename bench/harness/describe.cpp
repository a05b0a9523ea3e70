// --hotbench_describe, the harness's own metrics and the data-file discovery:
// what the Python side (runner, smoke, gate, metrics, plots, docs) reads
// instead of keeping its own copy of each suite's facts.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "describe.h"

namespace hotbench {
namespace {

std::vector<CaseId>& described_cases() {
  static std::vector<CaseId> cases;
  return cases;
}

MetricInfo m(std::string name, std::string unit, std::string better, std::string kind, bool deterministic,
             std::string meaning) {
  return {std::move(name), std::move(unit), std::move(better), std::move(kind), deterministic, std::move(meaning)};
}

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (const auto& i : items) out += (out.size() > 1 ? ", " : "") + quoted(i);
  return out + "]";
}

std::string metric_json(const MetricInfo& x, const char* from) {
  return "{\"name\": " + quoted(x.name) + ", \"unit\": " + quoted(x.unit) + ", \"better\": " +
         (x.better.empty() ? "null" : quoted(x.better)) + ", \"kind\": " + quoted(x.kind) +
         ", \"deterministic\": " + (x.deterministic ? "true" : "false") + ", \"meaning\": " + quoted(x.meaning) +
         ", \"from\": " + quoted(from) + "}";
}

}  // namespace

const std::vector<MetricInfo>& harness_metrics() {
  static const std::vector<MetricInfo> list = {
      m("iterations", "count", "", "count", false, "iterations Google Benchmark ran for this repetition"),
      m("real_time_ns", "ns per operation", "lower", "time", false, "wall-clock time of one operation"),
      m("cpu_time_ns", "ns per operation", "lower", "time", false, "CPU time of the benchmark thread per operation"),
      m("input_mb_per_s", "MB/s (10^6 B/s)", "higher", "throughput", false, "input bytes processed per second"),
      m("output_mb_per_s", "MB/s (10^6 B/s)", "higher", "throughput", false, "output bytes produced per second"),
      m("documents_per_s", "documents/s", "higher", "throughput", false, "documents handled per second"),
      m("input_bytes", "bytes per operation", "", "size", true, "input size of one operation"),
      m("output_bytes", "bytes per operation", "", "size", true, "output size of one operation"),
      m("documents", "count per operation", "", "count", true, "documents in one operation"),
      m("allocs_per_op", "count per operation", "lower", "count", true, "heap allocations per operation"),
      m("alloc_bytes_per_op", "bytes per operation", "lower", "size", true, "bytes requested by those allocations"),
      m("instructions_per_op", "instructions per operation", "lower", "count", true,
        "instructions per operation, from the callgrind mode"),
      m("estimated_cycles_per_op", "estimated cycles per operation", "lower", "count", true,
        "an estimate from callgrind's cache simulator: instructions + 10 x L1 misses + 100 x last-level misses"),
      m("ops", "count per run", "", "count", true, "operations (requests, messages) in one timed run"),
      m("ops_per_s", "operations/s", "higher", "throughput", false, "operations per second of wall-clock time"),
      m("ns_per_op", "ns per operation", "lower", "time", false, "wall-clock time per operation"),
      m("cpu_s_per_million", "CPU seconds per 10^6 operations", "lower", "time", false,
        "CPU time (all threads) per million operations"),
      m("p50_ns", "ns", "lower", "time", false, "median per-operation latency"),
      m("p90_ns", "ns", "lower", "time", false, "90th percentile per-operation latency"),
      m("p99_ns", "ns", "lower", "time", false, "99th percentile per-operation latency"),
      m("p999_ns", "ns", "lower", "time", false, "99.9th percentile per-operation latency"),
      m("max_ns", "ns", "lower", "time", false, "largest per-operation latency"),
      m("mean_ns", "ns", "lower", "time", false, "mean per-operation latency"),
      m("untimed", "flag (1)", "", "other", true,
        "the row carries no time: its figures are counts of what its check found, its timing columns are empty"),
  };
  return list;
}

std::vector<std::string> discover_files(const std::vector<std::string>& paths, const std::vector<std::string>& suffixes,
                                        const std::string& suite) {
  namespace fs = std::filesystem;
  std::string wanted;
  for (const auto& s : suffixes) wanted += (wanted.empty() ? "" : " or ") + s;
  auto accepted = [&](const fs::path& p) { return !data_suffix(p.string(), suffixes).empty(); };
  std::vector<std::string> files;
  for (const auto& path : paths) {
    if (suffixes.empty()) throw UsageError(path + ": the " + suite + " suite reads no data files (--hotbench_data)");
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
      std::vector<std::string> found;
      for (const auto& e : fs::directory_iterator(path, ec))
        if (e.is_regular_file() && accepted(e.path())) found.push_back(e.path().string());
      if (ec) throw UsageError(path + ": cannot list the folder: " + ec.message());
      if (found.empty()) throw UsageError(path + ": no " + wanted + " files in this folder");
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(path, ec)) {
      if (!accepted(path)) throw UsageError(path + ": not a data file of the " + suite + " suite (expected " + wanted + ")");
      files.push_back(path);
    } else {
      throw UsageError(path + ": no such file or folder");
    }
  }
  // A file's dataset name is in every benchmark name: two files of one name would be one dataset.
  std::set<std::string> names;
  for (const auto& f : files)
    if (const std::string name = dataset_name(f, suffixes); !names.insert(name).second)
      throw UsageError(f + ": another data file is also named '" + name + "'; dataset names must be unique");
  return files;
}

std::string data_suffix(const std::string& path, const std::vector<std::string>& suffixes) {
  const std::string file = std::filesystem::path(path).filename().string();
  std::string best;
  for (const auto& s : suffixes)
    if (s.size() > best.size() && file.size() > s.size() && file.compare(file.size() - s.size(), s.size(), s) == 0)
      best = s;
  return best;
}

std::string dataset_name(const std::string& path, const std::vector<std::string>& suffixes) {
  const std::string suffix = data_suffix(path, suffixes);
  if (suffix.empty()) return std::filesystem::path(path).stem().string();
  const std::string file = std::filesystem::path(path).filename().string();
  return file.substr(0, file.size() - suffix.size());
}

namespace describe {

void record(const CaseId& id) { described_cases().push_back(id); }

std::string json(const SuiteInfo& suite, const Settings& settings, const Options& options,
                 const std::vector<std::pair<std::string, std::string>>& libraries) {
  std::string o = "{\n  \"describe_version\": 1,\n";
  o += "  \"suite\": " + quoted(suite.name) + ",\n  \"title\": " + quoted(suite.title) + ",\n";
  o += "  \"profile\": " + quoted(options.profile) + ",\n";
  o += std::string("  \"default_run\": ") + (suite.default_run ? "true" : "false") + ",\n";
  // tasks, with the implementations and datasets registered for each under this profile and settings
  o += "  \"tasks\": [";
  // A bare twin's task (register_bare, bare.h: <task>_bare) is declared by its task's declaration,
  // unless the suite describes it itself; it has rows only under --hotbench_bare. (Not in
  // SuiteInfo::tasks: a description allocated at start-up moves the heap addresses of every later
  // allocation, and with them the instruction counts of address-dependent code in the gate's rows.)
  std::vector<TaskInfo> tasks = suite.tasks;
  for (const auto& c : described_cases()) {
    const auto declared = [&](const std::string& name) {
      return std::any_of(tasks.begin(), tasks.end(), [&](const TaskInfo& t) { return t.name == name; });
    };
    const std::string bare = "_bare";
    if (declared(c.task) || !c.task.ends_with(bare)) continue;
    const std::string of = c.task.substr(0, c.task.size() - bare.size());
    if (declared(of))
      tasks.push_back({c.task, "the " + of + " rows' case timed without the harness (--hotbench_bare=true, "
                                             "bench/harness/bare.h): the harness's own cost"});
  }
  std::set<std::string> declared_tasks;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const auto& t = tasks[i];
    declared_tasks.insert(t.name);
    std::vector<std::string> impls, datasets;
    std::size_t rows = 0;
    for (const auto& c : described_cases()) {
      if (c.task != t.name) continue;
      ++rows;
      if (std::find(impls.begin(), impls.end(), c.implementation()) == impls.end()) impls.push_back(c.implementation());
      if (std::find(datasets.begin(), datasets.end(), c.dataset) == datasets.end()) datasets.push_back(c.dataset);
    }
    o += std::string(i ? ",\n" : "\n") + "    {\"name\": " + quoted(t.name) + ", \"what\": " + quoted(t.what) +
         ", \"benchmarks\": " + std::to_string(rows) + ", \"implementations\": " + list(impls) +
         ", \"datasets\": " + list(datasets) + "}";
  }
  o += "\n  ],\n";
  for (const auto& c : described_cases())
    if (!declared_tasks.count(c.task))
      throw UsageError("internal: " + c.name() + " belongs to a task the suite does not declare (SuiteInfo::tasks)");
  o += "  \"benchmarks\": " + std::to_string(described_cases().size()) + ",\n";
  std::set<std::string> metric_names;
  for (const auto& x : harness_metrics()) metric_names.insert(x.name);
  for (const auto& x : suite.metrics)
    if (!metric_names.insert(x.name).second)
      throw UsageError("internal: the metric '" + x.name + "' is declared twice (SuiteInfo::metrics, harness_metrics())");
  o += "  \"metrics\": [";
  bool first = true;
  for (const auto& x : harness_metrics()) o += std::string(first ? "\n    " : ",\n    ") + metric_json(x, "harness"), first = false;
  for (const auto& x : suite.metrics) o += ",\n    " + metric_json(x, "suite");
  o += "\n  ],\n  \"settings\": [";
  first = true;
  for (const auto& d : settings.declared()) {
    o += std::string(first ? "\n    " : ",\n    ") + "{\"key\": " + quoted(d.key) + ", \"type\": " + quoted(d.type) +
         ", \"default\": " + quoted(d.default_value) + ", \"accepts\": " + quoted(d.accepts) +
         ", \"help\": " + quoted(d.help) + ", \"selects\": " + (d.selects ? "true" : "false") + "}";
    first = false;
  }
  o += std::string(first ? "" : "\n  ") + "],\n";
  o += "  \"data\": {\"suffixes\": " + list(suite.data_suffixes) + ", \"default\": " + list(suite.default_data) + "},\n";
  o += "  \"libraries\": {";
  first = true;
  for (const auto& [name, version] : libraries) {
    o += std::string(first ? "" : ", ") + quoted(name) + ": " + quoted(version);
    first = false;
  }
  o += "},\n  \"gate\": {\"filter\": " + quoted(suite.gate_filter) + "}\n}\n";
  return o;
}

}  // namespace describe
}  // namespace hotbench
