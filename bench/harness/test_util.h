// Small helpers shared by the tests: temporary dataset files and running a
// registered family's case the way the harness would (check() first).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <ostream>
#include <filesystem>
#include <fstream>
#include <string>

#include "json/contract.h"

namespace hotbench::test {

// A fresh folder per call, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = std::filesystem::temp_directory_path() /
            ("hotbench-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string write(const std::string& name, const std::string& content) const {
    auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }
  std::string path() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline std::string family_name(const json::Family& f) {
  return f.task + "/" + f.library + (f.variant.empty() ? "" : ":" + f.variant);
}

// A test name made of the family's name (parameterized test names allow only [A-Za-z0-9_]).
inline std::string test_name_of(const json::Family& f) {
  std::string n = family_name(f);
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

// Builds and checks the family's case for a dataset file, as the harness does.
inline Check check_family(const json::Family& f, const std::string& path) {
  CaseFactory make = f.for_dataset(path);
  if (!make) return Check::failed("family does not apply to " + path);
  try {
    auto c = make();
    Check result = c->check();
    if (result.ok()) c->run();  // the measured region must also run cleanly
    return result;
  } catch (const std::exception& e) {
    return Check::failed(e.what());
  }
}

inline double finding(const Check& c, const std::string& name) {
  for (const auto& [k, v] : c.findings)
    if (k == name) return v;
  return -1;
}

}  // namespace hotbench::test

namespace hotbench::json {
// How GoogleTest (and so CTest's test list) shows a Family parameter: its name,
// not a dump of its bytes.
inline void PrintTo(const Family& f, std::ostream* os) { *os << test::family_name(f); }
}  // namespace hotbench::json
