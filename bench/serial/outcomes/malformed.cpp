// Malformed input, as rows of the suite (outcomes.h): every truncation and a sample of the bit flips
// of one encoding per format and message kind, each refused by validate, refused by decode after
// validate accepted it, or accepted and read as a value that survives its own round trip. No format here has a checksum: most bit flips land in string
// bytes or scalars and give another valid message, which is what "accepted" counts.
#include <cstring>
#include <memory>

#include "../cases.h"
#include "outcomes.h"

namespace hotbench::serial::outcomes {

template <class T>
Fate judge(AnyFormat<T>& format, std::string_view bytes, std::string& why) {
  std::unique_ptr<char[]> copy(new char[bytes.size() + 1]);
  std::memcpy(copy.get(), bytes.data(), bytes.size());
  const std::string_view view(copy.get(), bytes.size());
  if (!format.validate(view)) return Fate::refused;
  T value{};
  std::uint64_t accessed = 0;
  try {
    format.decode(view, value);
    if (format.has_access()) accessed = format.access(view);
  } catch (const std::exception&) {
    return Fate::decode_refused;
  }
  if (format.has_access() && accessed != fingerprint_of(value)) {
    why = "validate accepted it, and its accessors read other values than its decode";
    return Fate::broken;
  }
  try {
    std::string again;
    format.encode(value, again);
    T back{};
    format.decode(again, back);
    if (std::string d = first_difference(back, value); !d.empty()) {
      why = "validate accepted it, and the value decode gave does not survive a round trip: " + d;
      return Fate::broken;
    }
  } catch (const std::exception& e) {
    why = std::string("validate accepted it, and the round trip of the value decode gave failed: ") + e.what();
    return Fate::broken;
  }
  return Fate::accepted;
}

namespace {

void count(Tally& tally, Fate fate, const std::string& input, const std::string& why) {
  ++tally.tried;
  if (fate == Fate::refused) ++tally.refused;
  if (fate == Fate::decode_refused) ++tally.decode_refused;
  if (fate == Fate::accepted) ++tally.accepted;
  if (fate == Fate::broken && tally.broken.empty()) tally.broken = input + ": " + why;
}

}  // namespace

template <class T>
Malformed truncations_and_bit_flips(AnyFormat<T>& format, const std::string& encoded) {
  Malformed m;
  std::string why;
  for (std::size_t n = 0; n < encoded.size(); ++n) {
    const Fate fate = judge(format, std::string_view(encoded).substr(0, n), why);
    count(m.truncations, fate, "its first " + std::to_string(n) + " bytes", why);
  }
  std::string flipped = encoded;
  for (std::size_t byte = 0; byte < encoded.size(); ++byte) {
    if (byte >= kEdgeBytes && byte + kEdgeBytes < encoded.size() && byte % kFlipStride != 0) continue;
    for (int bit = 0; bit < 8; ++bit) {
      flipped[byte] = static_cast<char>(encoded[byte] ^ (1 << bit));
      const Fate fate = judge(format, flipped, why);
      count(m.bit_flips, fate, "bit " + std::to_string(bit) + " of byte " + std::to_string(byte) + " flipped", why);
    }
    flipped[byte] = encoded[byte];
  }
  return m;
}

template Fate judge<Order>(AnyFormat<Order>&, std::string_view, std::string&);
template Fate judge<UserProfile>(AnyFormat<UserProfile>&, std::string_view, std::string&);
template Fate judge<Event>(AnyFormat<Event>&, std::string_view, std::string&);
template Malformed truncations_and_bit_flips<Order>(AnyFormat<Order>&, const std::string&);
template Malformed truncations_and_bit_flips<UserProfile>(AnyFormat<UserProfile>&, const std::string&);
template Malformed truncations_and_bit_flips<Event>(AnyFormat<Event>&, const std::string&);

namespace {

// The first message of the file, encoded by the format alone (no codec), and every truncation and
// bit flip of it judged: the row's counts, or an error row naming the first input that broke.
template <class T>
class MalformedCase final : public Case {
 public:
  MalformedCase(const Format& format, std::string path) : format_(format), path_(std::move(path)) {}
  Work work() const override { return {}; }
  Check check() override {
    const auto messages = load_messages<T>(path_);
    auto format = format_.make<T>();
    std::string encoded;
    format->encode(messages->items.front(), encoded);
    const Malformed m = truncations_and_bit_flips(*format, encoded);
    const std::string where = path_ + ": " + messages->where(0) + " (" + std::to_string(encoded.size()) + " bytes)";
    for (const Tally* t : {&m.truncations, &m.bit_flips})
      if (!t->broken.empty()) return Check::failed(where + ", " + t->broken);
    if (m.truncations.refused + m.bit_flips.refused == 0)
      return Check::failed(where + ": validate accepted every truncation and bit flip (it checks nothing)");
    Check c;
    c.findings = {{"truncations", static_cast<double>(m.truncations.tried)},
                  {"truncations_refused", static_cast<double>(m.truncations.refused)},
                  {"truncations_decode_refused", static_cast<double>(m.truncations.decode_refused)},
                  {"truncations_accepted", static_cast<double>(m.truncations.accepted)},
                  {"bit_flips", static_cast<double>(m.bit_flips.tried)},
                  {"bit_flips_refused", static_cast<double>(m.bit_flips.refused)},
                  {"bit_flips_decode_refused", static_cast<double>(m.bit_flips.decode_refused)},
                  {"bit_flips_accepted", static_cast<double>(m.bit_flips.accepted)}};
    c.label = messages->where(0) + ", " + std::to_string(encoded.size()) + " bytes";
    return c;
  }
  void run() override {}

 private:
  const Format& format_;
  std::string path_;
};

}  // namespace

CaseFactory malformed_case(const Format& format, const std::string& path) {
  CaseFactory make;
  with_kind(dataset_of(path), [&]<class T>(const typed::Kind<T>&) {
    make = [&format, path] { return std::make_unique<MalformedCase<T>>(format, path); };
  });
  return make;
}

}  // namespace hotbench::serial::outcomes
