// Untrusted bytes: every truncation and every single bit flip of a few encodings of every message
// kind, for every registered format. validate must answer (never throw, never read out of bounds:
// the asan preset runs this), and what it accepts must decode (and access) without a crash: a
// value or an error. Every format must refuse some of them (a validate that accepts everything
// checks nothing).
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>

#include "harness/suite.h"
#include "serial/cases.h"

namespace hotbench::serial {
namespace {

constexpr std::size_t kMessages = 2;  // encodings per kind: about 2 KB each, 16,000 flips

template <class T>
void accepted_bytes_are_safe(AnyFormat<T>& f, const std::string& bytes) {
  // A fresh heap block of exactly this size, so that AddressSanitizer sees any read past its end.
  std::unique_ptr<char[]> copy(new char[bytes.size() + 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  const std::string_view view(copy.get(), bytes.size());
  if (!f.validate(view)) return;
  T out{};
  try {
    f.decode(view, out);
  } catch (const std::exception&) {
  }
  if (f.has_access()) {
    try {
      f.access(view);
    } catch (const std::exception&) {
    }
  }
}

template <class T>
void mutations_of(const Format& format, const char* dataset) {
  const auto path = (std::filesystem::path(suite_info().default_data.at(0)) / (std::string(dataset) + ".jsonl")).string();
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "no generated corpus: python3 data/generate.py";
  auto messages = load_messages<T>(path);
  auto f = format.make<T>();
  std::size_t refused = 0, tried = 0;
  for (std::size_t i = 0; i < std::min(kMessages, messages->items.size()); ++i) {
    std::string encoded;
    f->encode(messages->items[i], encoded);
    for (std::size_t n = 0; n < encoded.size(); ++n) {
      const std::string prefix = encoded.substr(0, n);
      refused += !f->validate(prefix);
      ++tried;
      accepted_bytes_are_safe(*f, prefix);
    }
    for (std::size_t bit = 0; bit < encoded.size() * 8; ++bit) {
      std::string flipped = encoded;
      flipped[bit / 8] = static_cast<char>(flipped[bit / 8] ^ (1 << (bit % 8)));
      refused += !f->validate(flipped);
      ++tried;
      accepted_bytes_are_safe(*f, flipped);
    }
  }
  EXPECT_GT(refused, 0u) << format.name << " " << dataset << ": validate accepted all " << tried << " mutations";
  std::printf("%s %s: validate refused %zu of %zu truncations and bit flips\n", format.name.c_str(), dataset, refused,
              tried);
}

TEST(SerialMalformed, SomeFormatIsRegistered) { ASSERT_FALSE(formats().all().empty()); }

// One test case per format (taken from the registry when the tests start), so that the shards of
// the test binary share them: under ASan one format takes 5-11 s.
class SerialMalformedFormat : public testing::TestWithParam<std::string> {};

TEST_P(SerialMalformedFormat, TruncationsAndBitFlipsGiveAnErrorOrAValidatedValue) {
  const Format* format = nullptr;
  for (const Format& f : formats().all())
    if (f.name == GetParam()) format = &f;
  ASSERT_NE(format, nullptr) << GetParam();
  for_each_kind([&]<class T>(const typed::Kind<T>& kind) { mutations_of<T>(*format, kind.dataset); });
}

INSTANTIATE_TEST_SUITE_P(EveryFormat, SerialMalformedFormat, testing::ValuesIn(formats().names()),
                         [](const testing::TestParamInfo<std::string>& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

}  // namespace
}  // namespace hotbench::serial
