// A suite's own settings (--hotbench_set=KEY=VALUE), parsed in one place.
//
// A suite reads each setting by declaring it: the call names the key, its
// default (which may depend on the run's profile), what it accepts and a line
// of help, and returns the value given on the command line or the default.
// The declarations are also the suite's self-description (--hotbench_describe
// lists them), so a setting is written once. finish() refuses any given key no
// declaration read, naming the keys the suite knows. Every refusal is a
// UsageError worded the same way for every suite.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "suite.h"

namespace hotbench {

class Settings {
 public:
  struct Declared {
    std::string key, type, default_value, accepts, help;
    // Only chooses which benchmarks run, each visible in the names of those it selects (a policy, a
    // capacity=...): two runs that differ in it are still comparable row by row. Any other setting
    // changes the work behind a name, so runs that differ in it are refused by compare and check.
    bool selects = false;
  };

  Settings(std::string suite, std::vector<std::pair<std::string, std::string>> given);

  // A comma-separated list; with `known` non-empty, every item must be one of them.
  std::vector<std::string> names(const std::string& key, const std::vector<std::string>& fallback,
                                 const std::vector<std::string>& known, const std::string& help);
  // Integers in [low, high], one or a comma-separated list.
  std::uint64_t integer(const std::string& key, std::uint64_t fallback, std::uint64_t low, std::uint64_t high,
                        const std::string& help);
  std::vector<std::uint64_t> integers(const std::string& key, const std::vector<std::uint64_t>& fallback,
                                      std::uint64_t low, std::uint64_t high, const std::string& help);
  double real(const std::string& key, double fallback, double low, double high, const std::string& help);
  bool flag(const std::string& key, bool fallback, const std::string& help);
  // Free text checked by the suite: `check` throws std::invalid_argument with the reason.
  std::vector<std::string> items(const std::string& key, const std::vector<std::string>& fallback,
                                 const std::string& accepts, const std::string& help,
                                 void (*check)(const std::string& item));

  // Marks settings already declared as selecting rows only (see Declared::selects).
  void selects_rows(const std::vector<std::string>& keys);
  // Whether the user gave the key (a suite may treat an explicit choice differently from its default).
  bool given(const std::string& key) const;
  // Refuses a key that no declaration read. Call after the last declaration.
  void finish() const;
  // `msg` about KEY=VALUE as given, as a UsageError in the common wording.
  [[noreturn]] void refuse(const std::string& key, const std::string& msg) const;

  const std::vector<Declared>& declared() const { return declared_; }
  // The settings as given, KEY=VALUE;... (recorded with every run).
  std::string as_given() const;

 private:
  const std::string* value_of(const std::string& key) const;
  void declare(Declared d);
  std::vector<std::string> split(const std::string& key, const std::string& value) const;
  std::uint64_t parse_integer(const std::string& key, const std::string& text, std::uint64_t low,
                              std::uint64_t high) const;

  std::string suite_;
  std::vector<std::pair<std::string, std::string>> given_;
  std::vector<Declared> declared_;
};

}  // namespace hotbench
