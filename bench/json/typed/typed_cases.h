// The typed tasks: JSON text <-> the C++ message structs of messages.h, the
// way an API server uses a JSON library. Codecs (typed/*_codec.cpp) include
// this file and register themselves with typed_codec<>() (see contract.h).
//
// Validation goes through the same DeepStats as a parse: a decoded struct is
// walked (reflect.h) as the reference parser walks its wire form, so a decode
// that drops, reorders, truncates or misrounds anything is caught before any
// timing.
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../cases.h"
#include "messages.h"
#include "reflect.h"

namespace hotbench::json {

using typed::Kind;
using typed::kMessageKinds;

template <class Codec, class T>
concept CanEncode = requires(Codec& codec, const T& in, std::string& out) { codec.encode(in, out); };

template <class T>
DeepStats deep_stats_of(const T& message) {
  DeepVisitor v;
  typed::walk(message, v);
  return v.finish();
}

// check() paths only: a failure names the document, not just the dataset.
template <class Codec, class T>
void decode_document(Codec& codec, const Dataset& data, std::size_t i, T& out) {
  try {
    codec.decode(data.documents[i], out);
  } catch (const std::exception& e) {
    throw std::runtime_error("document " + std::to_string(i) + ": " + e.what());
  }
}

// The first document whose decode differs from its own reference parse, so a
// failure points at a line rather than at a whole dataset. Only runs once
// something already failed.
template <class T, class Codec>
std::string first_differing_document(Codec& codec, const Dataset& data) {
  for (std::size_t i = 0; i < data.documents.size(); ++i) {
    DeepVisitor want;
    parse_reference(data.documents[i], want);
    T decoded;
    decode_document(codec, data, i, decoded);
    Comparison c = compare(want.finish(), deep_stats_of(decoded), max_ulp_error_of<Codec>());
    if (!c.error.empty()) return "document " + std::to_string(i) + ": " + c.error;
  }
  return {};
}

// Judges decoded messages (their DeepStats, in document order) against the
// dataset's reference, as ParseCase judges a parse: the same number rules, with
// the codec's own declared ULP bound (kMaxUlpError, as for DOM adapters).
template <class T, class Codec>
Check judge_decode(const DeepStats& decoded, Codec& codec, const Dataset& data, const std::string& failure_prefix) {
  Comparison c = compare(data.reference, decoded, max_ulp_error_of<Codec>());
  if (!c.error.empty()) {
    std::string where = first_differing_document<T>(codec, data);
    return Check::failed(data.path + ": " + failure_prefix + (where.empty() ? c.error : where));
  }
  Check ok;
  add_number_findings(ok, c);
  return ok;
}

// typed_decode: every document's text -> a fresh struct.
template <class Codec, class T>
class TypedDecodeCase final : public Case {
 public:
  explicit TypedDecodeCase(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {}

  Work work() const override {
    return {static_cast<double>(data_->bytes), 0, static_cast<double>(data_->documents.size())};
  }

  Check check() override {
    try {
      DeepStats decoded;
      for (std::size_t i = 0; i < data_->documents.size(); ++i) {
        T message;
        decode_document(codec_, *data_, i, message);
        decoded.add(deep_stats_of(message));
      }
      Check c = judge_decode<T>(decoded, codec_, *data_, "");
      c.label = label_of(codec_);
      return c;
    } catch (const std::exception& e) {
      return Check::failed(data_->path + ": " + e.what());
    }
  }

  void run() override {
    for (auto text : data_->documents) {
      T message;
      codec_.decode(text, message);
      benchmark::DoNotOptimize(message);
    }
  }

 private:
  std::shared_ptr<const Dataset> data_;
  Codec codec_;
};

// typed_encode: already-decoded structs -> minified text.
template <class Codec, class T>
class TypedEncodeCase final : public Case {
 public:
  // A decode failure is kept for check() to report, where failures belong.
  explicit TypedEncodeCase(std::shared_ptr<const Dataset> d) : data_(std::move(d)) {
    messages_.resize(data_->documents.size());
    try {
      for (std::size_t i = 0; i < messages_.size(); ++i) decode_document(codec_, *data_, i, messages_[i]);
    } catch (const std::exception& e) {
      decode_error_ = e.what();
    }
  }

  Work work() const override {
    return {static_cast<double>(data_->bytes), output_bytes_, static_cast<double>(data_->documents.size())};
  }

  // The structs must first be what the dataset says; then the encoded text,
  // re-parsed by the reference parser, must describe those structs.
  Check check() override {
    try {
      const std::string cannot = "the encode cannot be checked because the decode fails or differs: ";
      if (!decode_error_.empty()) return Check::failed(data_->path + ": " + cannot + decode_error_);
      DeepStats given;
      for (const T& message : messages_) given.add(deep_stats_of(message));
      if (Check decoded = judge_decode<T>(given, codec_, *data_, cannot); !decoded.ok()) return decoded;

      DeepStats written;
      output_bytes_ = 0;
      for (std::size_t i = 0; i < messages_.size(); ++i) {
        codec_.encode(messages_[i], out_);
        output_bytes_ += static_cast<double>(out_.size());
        written.add(reference_stats_of_output(out_, i, "encoded"));
      }
      Comparison c = compare(given, written);  // an encoder writes exactly what it holds (0 ULP)
      if (!c.error.empty()) return Check::failed(data_->path + ": encoded output: " + c.error);
      c.out_of_range_numbers = data_->reference.out_of_range_numbers;
      Check ok;
      add_number_findings(ok, c);
      ok.label = label_of(codec_);
      return ok;
    } catch (const std::exception& e) {
      return Check::failed(data_->path + ": " + e.what());
    }
  }

  void run() override {
    for (const T& message : messages_) {
      codec_.encode(message, out_);
      benchmark::DoNotOptimize(out_.data());
    }
  }

 private:
  std::shared_ptr<const Dataset> data_;
  Codec codec_;
  std::vector<T> messages_;
  std::string decode_error_;
  std::string out_;
  double output_bytes_ = 0;
};

// One family per task and codec, like the DOM families (so a family's name
// stays unique); it applies to the message files only, each with its struct.
template <template <class, class> class CaseT, class Codec>
std::function<CaseFactory(const std::string&)> for_message_files() {
  return [](const std::string& path) -> CaseFactory {
    const std::string name = dataset_name(path);
    CaseFactory make;
    auto match = [&]<class T>(const Kind<T>& kind) {
      if (name == kind.dataset) make = [path] { return std::make_unique<CaseT<Codec, T>>(cached_dataset(path)); };
    };
    std::apply([&](const auto&... kind) { (match(kind), ...); }, kMessageKinds);
    return make;
  };
}

template <class Codec>
void typed_codec(std::string library, std::string variant) {
  add_family({"typed_decode", library, variant, for_message_files<TypedDecodeCase, Codec>()});
  constexpr bool can_encode = std::apply(
      []<class... T>(const Kind<T>&...) { return (CanEncode<Codec, T> && ...); }, kMessageKinds);
  if constexpr (can_encode)
    add_family({"typed_encode", std::move(library), std::move(variant), for_message_files<TypedEncodeCase, Codec>()});
}

}  // namespace hotbench::json
