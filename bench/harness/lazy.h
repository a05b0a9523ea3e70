// Shared<T>: data made on first use, then shared by every row holding it (a request stream, say).
// Registration makes every row of a run, and a process that only lists or describes them
// (--benchmark_list_tests, --hotbench_describe, the smoke run's refusals) or runs one of them (a filter,
// instruction counting) must not pay for every row's data: generating the cache suite's streams
// up front took 0.6 CPU-s of each of its starts, 1.4 s under ASan and 3.7 s under TSan.
// A case's factory (case.h), which runs outside any measured region, makes it (shared()) and gives the
// case the plain shared_ptr: the timed loops read data already made, through the same code as before.
// Thread-safe (std::call_once).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <type_traits>
#include <utility>

namespace hotbench {

template <class T>
class Shared {
 public:
  Shared() = default;
  // Already made (a trace read at registration, a test's fixture).
  template <class U, class = std::enable_if_t<std::is_convertible_v<U*, const T*>>>
  Shared(std::shared_ptr<U> made)  // NOLINT: implicit, as a shared_ptr would convert
      : state_(made ? std::make_shared<State>() : nullptr) {
    if (state_) state_->make = [made = std::shared_ptr<const T>(std::move(made))] { return made; };
  }
  // Made by `make` on first use.
  static Shared later(std::function<T()> make) {
    Shared s;
    s.state_ = std::make_shared<State>();
    s.state_->make = [make = std::move(make)] { return std::make_shared<const T>(make()); };
    return s;
  }

  // The data, made now if it is not yet.
  std::shared_ptr<const T> shared() const {
    if (!state_) return nullptr;
    std::call_once(state_->once, [this] {
      state_->value = state_->make();
      state_->make = nullptr;  // what it captured (another stream, say) is no longer needed
    });
    return state_->value;
  }
  const T& operator*() const { return *shared(); }
  explicit operator bool() const { return state_ != nullptr; }

 private:
  struct State {
    std::once_flag once;
    std::function<std::shared_ptr<const T>()> make;
    std::shared_ptr<const T> value;
  };
  std::shared_ptr<State> state_;
};

}  // namespace hotbench
