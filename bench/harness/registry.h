// The one registration shape of every registry (JSON libraries, cache policies
// and concurrent caches, queues, reference models in tests): a library's file
// ends with
//
//   HOTBENCH_REGISTER(rapidjson) { json::parse<RapidJson>("rapidjson"); ... }
//
// whose body runs once at start-up and calls its suite's typed add function,
// which puts an entry (with a `name` and the capabilities the suite asks for)
// into a Registry (cache policies and concurrent caches, the fixture's
// libraries; the JSON families and queues keep lists of their own, keyed by
// task/library/variant rather than by one name). Tests ask the registry for capabilities, never for a pinned
// list of names, so adding an entry touches no other file.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace hotbench {

struct Registrar {
  explicit Registrar(void (*fn)()) { fn(); }
};

// Entries in registration order; `Entry::name` (a string) must be unique.
template <class Entry>
class Registry {
 public:
  void add(Entry e) {
    if (find(e.name)) {
      // Static initialisation: no exception can be caught yet, so say it and stop.
      std::fprintf(stderr, "hotbench: '%s' is registered twice\n", std::string(e.name).c_str());
      std::abort();
    }
    entries_.push_back(std::move(e));
  }
  const std::vector<Entry>& all() const { return entries_; }
  const Entry* find(std::string_view name) const {
    auto it = std::find_if(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.name == name; });
    return it == entries_.end() ? nullptr : &*it;
  }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : entries_) out.push_back(e.name);
    return out;
  }
  // Name order, so rows and test names do not depend on link order.
  void sort() {
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.name < b.name; });
  }

 private:
  std::vector<Entry> entries_;
};

}  // namespace hotbench

#define HOTBENCH_REGISTER(id)                                                                  \
  static void hotbench_register_##id();                                                        \
  [[maybe_unused]] static const ::hotbench::Registrar hotbench_registrar_##id{&hotbench_register_##id}; \
  static void hotbench_register_##id()
