// The serial suite's cases: one per task, a template over the format adapter (contract.h) and the
// message struct, so the timed loop calls the adapter directly. Every case's check() runs the
// operation on every message of the file and compares with the reference before any timing.
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "compression.h"
#include "contract.h"

namespace hotbench::serial {

// The messages of one data file (one JSON object per line), decoded with Boost.JSON's value_to:
// the reference every format is checked against.
template <class T>
struct Messages {
  std::string path;     // the data file
  std::string dataset;  // its name in the rows (orders, profiles, events)
  std::vector<T> items;
  // "orders line 17" (1-based lines), for error messages.
  std::string where(std::size_t i) const { return dataset + " line " + std::to_string(i + 1); }
};

// Throws std::runtime_error naming file and line when a line is not a T.
template <class T>
std::shared_ptr<const Messages<T>> load_messages(const std::string& path);
// Declared per kind, defined once in messages.cpp (Boost.JSON stays out of the adapters).
extern template std::shared_ptr<const Messages<Order>> load_messages<Order>(const std::string&);
extern template std::shared_ptr<const Messages<UserProfile>> load_messages<UserProfile>(const std::string&);
extern template std::shared_ptr<const Messages<Event>> load_messages<Event>(const std::string&);

// The tasks, in the order of the rows.
inline constexpr const char* kTasks[] = {"encode", "decode", "round_trip", "partial_read", "validate", "access"};

// partial_read without the adapter's own: the full decode of the batch, then the two fields.
template <class T, class F>
void partial_read_of(F& format, std::string_view batch, std::vector<Stamp>& out, Batch<T>& scratch) {
  if constexpr (HasPartialRead<F, T>) {
    format.template partial_read<T>(batch, out);
  } else {
    scratch.messages.clear();
    format.template decode<Batch<T>>(batch, scratch);
    out.clear();
    out.reserve(scratch.messages.size());
    for (const T& m : scratch.messages) out.push_back(stamp_of(m));
  }
}

// The shared part of every case: the reference messages, their encodings, and the check that
// decode(encode(x)) == x for each of them. The adapter is built in place from `args` (a codec's
// name for Compressed<F>): adapters holding arenas or builders need not be movable.
template <class F, class T>
class SerialCase : public Case {
 public:
  template <class... Args>
  explicit SerialCase(std::shared_ptr<const Messages<T>> m, Args&&... args)
      : messages_(std::move(m)), format_(std::forward<Args>(args)...) {}

 protected:
  const std::vector<T>& items() const { return messages_->items; }

  // Encodes every message (kept in encoded_) and decodes each back; "" or the first problem.
  std::string encode_and_round_trip() {
    encoded_.assign(items().size(), {});
    wire_bytes_ = 0;
    raw_bytes_ = 0;
    for (std::size_t i = 0; i < items().size(); ++i) {
      const std::string where = messages_->where(i);
      try {
        format_.template encode<T>(items()[i], encoded_[i]);
      } catch (const std::exception& e) {
        return where + ": encode: " + e.what();
      }
      wire_bytes_ += static_cast<double>(encoded_[i].size());
      if constexpr (kIsCompressed<F>) raw_bytes_ += static_cast<double>(format_.raw_size());
      T back{};
      try {
        format_.template decode<T>(encoded_[i], back);
      } catch (const std::exception& e) {
        return where + ": decode of its encoding: " + e.what();
      }
      if (std::string d = first_difference(back, items()[i]); !d.empty()) return where + ": " + d;
    }
    return "";
  }

  Check checked(std::string problem) {
    if (!problem.empty()) return Check::failed(messages_->path + ": " + problem);
    return sized(wire_bytes_, raw_bytes_, items().size());
  }

  // The findings every row reports: bytes per message on the wire and, with compression, before it;
  // a compressed row's label records the codec's configuration.
  Check sized(double wire_bytes, double raw_bytes, std::size_t messages, std::string label = "") const {
    Check c;
    c.findings = {{"wire_bytes_per_message", wire_bytes / static_cast<double>(messages)}};
    if constexpr (kIsCompressed<F>) {
      c.findings.emplace_back("raw_bytes_per_message", raw_bytes / static_cast<double>(messages));
      label = label.empty() ? format_.settings() : label + "; " + format_.settings();
    }
    c.label = std::move(label);
    return c;
  }

  Work per_message_work() const {
    return {wire_bytes_, 0, static_cast<double>(items().size())};
  }

  std::shared_ptr<const Messages<T>> messages_;
  F format_;
  std::vector<std::string> encoded_;
  double wire_bytes_ = 0;
  double raw_bytes_ = 0;  // the format's own sizes, when compressed
};

// encode: every message of the file, struct -> bytes.
template <class F, class T>
class EncodeCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override { return this->per_message_work(); }
  Check check() override { return this->checked(this->encode_and_round_trip()); }
  void run() override {
    for (const T& m : this->items()) {
      this->format_.template encode<T>(m, out_);
      benchmark::DoNotOptimize(out_.data());
    }
  }

 private:
  std::string out_;
};

// decode: every message's bytes -> a fresh struct.
template <class F, class T>
class DecodeCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override { return this->per_message_work(); }
  Check check() override { return this->checked(this->encode_and_round_trip()); }
  void run() override {
    for (const std::string& bytes : this->encoded_) {
      T m{};
      this->format_.template decode<T>(bytes, m);
      benchmark::DoNotOptimize(m);
    }
  }
};

// round_trip: encode then decode each message, as a relay or a cache of structs does.
template <class F, class T>
class RoundTripCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override { return this->per_message_work(); }
  Check check() override { return this->checked(this->encode_and_round_trip()); }
  void run() override {
    for (const T& m : this->items()) {
      this->format_.template encode<T>(m, out_);
      T back{};
      this->format_.template decode<T>(out_, back);
      benchmark::DoNotOptimize(back);
    }
  }

 private:
  std::string out_;
};

// validate: each message's bytes judged as untrusted input.
template <class F, class T>
class ValidateCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override { return this->per_message_work(); }
  Check check() override {
    if (std::string problem = this->encode_and_round_trip(); !problem.empty()) return this->checked(problem);
    for (std::size_t i = 0; i < this->encoded_.size(); ++i)
      if (!this->format_.template validate<T>(this->encoded_[i]))
        return this->checked(this->messages_->where(i) + ": validate refuses a valid encoding");
    return this->checked("");
  }
  void run() override {
    std::size_t accepted = 0;
    for (const std::string& bytes : this->encoded_) accepted += this->format_.template validate<T>(bytes);
    if (accepted != this->encoded_.size()) throw std::runtime_error("validate refused a valid encoding");
    benchmark::DoNotOptimize(accepted);
  }
};

// partial_read: the id and timestamp of every message of the whole file encoded as one Batch<T>.
template <class F, class T>
class PartialReadCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override {
    return {static_cast<double>(batch_.size()), 0, static_cast<double>(this->items().size())};
  }
  Check check() override {
    const std::string& path = this->messages_->path;
    Batch<T> all{this->items()};
    double raw_bytes = 0;
    try {
      this->format_.template encode<Batch<T>>(all, batch_);
      if constexpr (kIsCompressed<F>) raw_bytes = static_cast<double>(this->format_.raw_size());
      Batch<T> back;
      this->format_.template decode<Batch<T>>(batch_, back);
      if (std::string d = first_difference(back, all); !d.empty())
        return Check::failed(path + ": the batch of every message: " + d);
      partial_read_of<T>(this->format_, batch_, stamps_, scratch_);
    } catch (const std::exception& e) {
      return Check::failed(path + ": the batch of every message: " + e.what());
    }
    if (stamps_.size() != this->items().size())
      return Check::failed(path + ": partial_read gave " + std::to_string(stamps_.size()) + " stamps for " +
                           std::to_string(this->items().size()) + " messages");
    for (std::size_t i = 0; i < stamps_.size(); ++i) {
      const Stamp want = stamp_of(this->items()[i]);
      if (stamps_[i] != want)
        return Check::failed(path + ": " + this->messages_->where(i) + ": partial_read gave id " +
                             std::to_string(stamps_[i].id) + " time " + std::to_string(stamps_[i].time_ms) +
                             ", want id " + std::to_string(want.id) + " time " + std::to_string(want.time_ms));
    }
    return this->sized(static_cast<double>(batch_.size()), raw_bytes, this->items().size(),
                       HasPartialRead<F, T> ? "accessors" : "full decode");
  }
  void run() override {
    partial_read_of<T>(this->format_, batch_, stamps_, scratch_);
    benchmark::DoNotOptimize(stamps_.data());
  }

 private:
  std::string batch_;
  std::vector<Stamp> stamps_;
  Batch<T> scratch_;
};

// access: every field of every message read through the format's accessors, no struct built.
template <class F, class T>
class AccessCase final : public SerialCase<F, T> {
 public:
  using SerialCase<F, T>::SerialCase;
  Work work() const override { return this->per_message_work(); }
  Check check() override {
    if (std::string problem = this->encode_and_round_trip(); !problem.empty()) return this->checked(problem);
    for (std::size_t i = 0; i < this->encoded_.size(); ++i) {
      Fingerprint got;
      this->format_.template access<T>(this->encoded_[i], got);
      if (got.value() != fingerprint_of(this->items()[i]))
        return this->checked(this->messages_->where(i) + ": access: " + trace_difference(i));
    }
    return this->checked("");
  }
  void run() override {
    Touch f;
    for (const std::string& bytes : this->encoded_) this->format_.template access<T>(bytes, f);
    benchmark::DoNotOptimize(f.value());
  }

 private:
  std::string trace_difference(std::size_t i) {
    Trace got, want;
    this->format_.template access<T>(this->encoded_[i], got);
    visit(this->items()[i], want);
    for (std::size_t k = 0; k < std::max(got.events.size(), want.events.size()); ++k) {
      const std::string g = k < got.events.size() ? got.events[k] : "(nothing)";
      const std::string w = k < want.events.size() ? want.events[k] : "(nothing)";
      if (g != w) return "field " + std::to_string(k) + " in declaration order: " + g + " != " + w + " (read != reference)";
    }
    return "the fingerprints differ but the traces do not (a Fingerprint bug)";
  }
};

// The case of `task` for adapter F (built from `args`) on messages of type T; null when the task
// does not apply.
template <class F, class T, class... Args>
std::unique_ptr<Case> make_case(const std::string& task, std::shared_ptr<const Messages<T>> m, const Args&... args) {
  if (task == "encode") return std::make_unique<EncodeCase<F, T>>(std::move(m), args...);
  if (task == "decode") return std::make_unique<DecodeCase<F, T>>(std::move(m), args...);
  if (task == "round_trip") return std::make_unique<RoundTripCase<F, T>>(std::move(m), args...);
  if (task == "partial_read") return std::make_unique<PartialReadCase<F, T>>(std::move(m), args...);
  if (task == "validate") return std::make_unique<ValidateCase<F, T>>(std::move(m), args...);
  if constexpr (HasAccess<F, T>)
    if (task == "access") return std::make_unique<AccessCase<F, T>>(std::move(m), args...);
  return nullptr;
}

template <class F, class T>
class Erased final : public AnyFormat<T> {
 public:
  template <class... Args>
  explicit Erased(const Args&... args) : f_(args...) {}
  void encode(const T& in, std::string& out) override { f_.template encode<T>(in, out); }
  void decode(std::string_view bytes, T& out) override { f_.template decode<T>(bytes, out); }
  bool validate(std::string_view bytes) override { return f_.template validate<T>(bytes); }
  void encode_batch(const Batch<T>& in, std::string& out) override { f_.template encode<Batch<T>>(in, out); }
  void partial_read(std::string_view batch, std::vector<Stamp>& out) override {
    partial_read_of<T>(f_, batch, out, scratch_);
  }
  bool has_access() const override { return HasAccess<F, T>; }
  std::uint64_t access(std::string_view bytes) override {
    if constexpr (HasAccess<F, T>) {
      Fingerprint v;
      f_.template access<T>(bytes, v);
      return v.value();
    }
    throw std::logic_error("this format has no access()");
  }
  std::vector<std::string> trace(std::string_view bytes) override {
    if constexpr (HasAccess<F, T>) {
      Trace v;
      f_.template access<T>(bytes, v);
      return v.events;
    }
    throw std::logic_error("this format has no access()");
  }

 private:
  F f_;
  Batch<T> scratch_;
};

// Calls f(Kind<T>) for every message kind (kMessageKinds).
template <class Fn>
void for_each_kind(Fn&& f) {
  std::apply([&](const auto&... kind) { (f(kind), ...); }, typed::kMessageKinds);
}

// The message kind of a data file, from its dataset name (kMessageKinds); calls f(Kind<T>) and
// returns true, or returns false for a name that is no kind.
template <class Fn>
bool with_kind(const std::string& dataset, Fn&& f) {
  bool found = false;
  std::apply([&](const auto&... kind) { ((dataset == kind.dataset ? (f(kind), found = true) : false), ...); },
             typed::kMessageKinds);
  return found;
}

std::string dataset_of(const std::string& path);  // suite.cpp: the harness's dataset name of a data file

template <class F, class T>
AnyFormatMaker<T> erased_maker() {
  return [](const std::string& compression) -> std::unique_ptr<AnyFormat<T>> {
    if (compression == "none") return std::make_unique<Erased<F, T>>();
    return std::make_unique<Erased<Compressed<F>, T>>(compression);
  };
}

template <class F>
void add_format(std::string library, std::string variant) {
  Format f;
  f.name = variant.empty() ? library : library + ":" + variant;
  f.library = std::move(library);
  f.variant = std::move(variant);
  f.access = HasAccess<F, Order> && HasAccess<F, UserProfile> && HasAccess<F, Event>;
  f.for_task = [](const std::string& task, const std::string& path, const std::string& compression) -> CaseFactory {
    CaseFactory make;
    with_kind(dataset_of(path), [&]<class T>(const typed::Kind<T>&) {
      if (task == "access" && !HasAccess<F, T>) return;
      make = [task, path, compression]() -> std::unique_ptr<Case> {
        if (compression == "none") return make_case<F, T>(task, load_messages<T>(path));
        return make_case<Compressed<F>, T>(task, load_messages<T>(path), compression);
      };
    });
    return make;
  };
  f.makers = {erased_maker<F, Order>(), erased_maker<F, UserProfile>(), erased_maker<F, Event>()};
  formats().add(std::move(f));
}

}  // namespace hotbench::serial
