// Every registered format, on every message of every message file of the corpus: decode(encode(x))
// == x member by member, validate accepts the encoding, partial_read gives the reference's stamps,
// and access (where the format has it) reports what the struct does. The formats come from the
// registry, so a new one is tested without editing this file.
#include <gtest/gtest.h>

#include <filesystem>

#include "harness/suite.h"
#include "serial/cases.h"

namespace hotbench::serial {
namespace {

// The suite's default data: the generated corpus.
std::string corpus_file(const char* dataset) {
  return (std::filesystem::path(suite_info().default_data.at(0)) / (std::string(dataset) + ".jsonl")).string();
}

template <class T>
void check_every_message(const Format& format, const char* dataset) {
  const std::string path = corpus_file(dataset);
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " missing: python3 data/generate.py";
  auto messages = load_messages<T>(path);
  auto f = format.make<T>();
  std::string bytes;
  for (std::size_t i = 0; i < messages->items.size(); ++i) {
    const T& want = messages->items[i];
    f->encode(want, bytes);
    T got{};
    f->decode(bytes, got);
    ASSERT_EQ(first_difference(got, want), "") << format.name << " " << messages->where(i);
    ASSERT_TRUE(f->validate(bytes)) << format.name << " " << messages->where(i);
    if (f->has_access()) {
      ASSERT_EQ(f->access(bytes), fingerprint_of(want)) << format.name << " " << messages->where(i);
    }
  }
  std::string batch;
  f->encode_batch({messages->items}, batch);
  std::vector<Stamp> stamps;
  f->partial_read(batch, stamps);
  ASSERT_EQ(stamps.size(), messages->items.size()) << format.name;
  for (std::size_t i = 0; i < stamps.size(); ++i) ASSERT_EQ(stamps[i], stamp_of(messages->items[i])) << messages->where(i);
}

TEST(SerialRoundTrip, EveryFormatEveryMessage) {
  ASSERT_FALSE(formats().all().empty());
  for (const Format& format : formats().all()) {
    SCOPED_TRACE(format.name);
    for_each_kind([&]<class T>(const typed::Kind<T>& kind) { check_every_message<T>(format, kind.dataset); });
  }
}

}  // namespace
}  // namespace hotbench::serial
