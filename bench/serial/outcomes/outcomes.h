// What each format promised and did, as rows of the suite (docs/serial.md, "Schema evolution" and
// "Malformed input"): rows that carry no time (Clock::none, bench/harness/case.h), whose counters
// are categorical outcomes, declared with their codes in the suite's description (suite.cpp).
//
// - serial/evolution/<format>/<message>[/mapping=<m>]: a Basket of a v2 schema (one field appended
//   to a nested struct) read by the v1 reader, and v1's bytes read by the v2 reader (evolution.cpp);
// - serial/malformed/<format>/<kind>: every truncation and a sample of the bit flips of one encoding,
//   each refused by validate, or accepted by it and then refused by decode (or the accessors) with an
//   error, or read as a value that survives its own round trip (malformed.cpp); anything else makes the
//   row an error row.
//
// The suite's tests pin the evolution rows' outcomes (tests/evolution_test.cpp) and fuzz the same
// judge with seeded mutations (tests/malformed_test.cpp).
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "../contract.h"

namespace hotbench::serial::outcomes {

// --- schema evolution ------------------------------------------------------------------------------

// How a reader met the other version's bytes: the code of the counters old_reader_new_bytes and
// new_reader_old_bytes.
enum class Read {
  as_written = 0,  // read as the writer meant: the new field skipped, or the missing one at its default
  refused = 1,     // refused with an error
  misread = 2,     // read as other values, no error
};
// Why it did: the code of the counters old_reader_promise and new_reader_promise.
enum class Basis {
  accident = 0,       // nothing promised: what the bytes and these values happen to give
  promised = 1,       // the format's promise (or, without a format, the library's for its own layout)
  suites_choice = 2,  // a choice of the suite's adapter
};

struct EvolutionSeen {
  Read old_reader_new_bytes = Read::refused;
  Read new_reader_old_bytes = Read::refused;
  std::string detail;   // what the readers said (their errors; a misread's first difference)
  std::string problem;  // not empty: a version does not read its own bytes (the row is an error row)
};

// One row. The promise is written here, beside the readers it is about: the schema formats are
// read through tiny schemas of their own (outcomes/schemas), the others through the suite's own
// adapters (formats/*.h) or the mappings named by `mapping`.
struct Evolution {
  const char* format;   // library[:variant], a registered format
  const char* message;  // the row's dataset: basket, or basket_collision (a value an old reader misreads)
  const char* mapping;  // "" (the format's schema or the suite's adapter), msgpack_define, class_version
  Basis old_reader;     // why the old reader does what it does with new bytes
  Basis new_reader;     // why the new reader does what it does with old bytes
  const char* why;      // the promise or the accident, in words
  EvolutionSeen (*observe)();
};

// Every evolution row, in the order of the table (a static array: nothing allocated).
std::span<const Evolution> evolution_rows();

// The words of an outcome, as the table shows them.
const char* words(Read r, bool old_reader);
const char* words(Basis b);
// "codes: 0 = <words>; 1 = <words>; 2 = <words>": the end of the counters' declared meaning, which the
// report reads its words from (scripts/hotbench/suites/serial.py).
std::string read_codes(bool old_reader);
std::string basis_codes();

// --- malformed input --------------------------------------------------------------------------------

// Bit flips: every bit of the first and last kEdgeBytes bytes (headers, root offsets, lengths of
// the last fields), every bit of every kFlipStride-th byte between them.
inline constexpr std::size_t kEdgeBytes = 32;
inline constexpr std::size_t kFlipStride = 16;

// What became of one malformed input.
enum class Fate {
  refused,          // validate said no
  decode_refused,   // validate said yes, decode (or the accessors) refused it with an error: safe, but
                    // validate did not judge all that decode does (Cap'n Proto's traversal checks the
                    // structure, not which kind of list a field points to)
  accepted,         // validate said yes; decode gave a value that encodes and decodes back to itself
                    // (and the format's accessors read what decode read)
  broken,           // anything else: the value did not survive its round trip, the accessors read
                    // other values than decode
};

// Judges one input, in a fresh heap block of exactly its size (AddressSanitizer sees any read past
// its end); `why` says what broke.
template <class T>
Fate judge(AnyFormat<T>& format, std::string_view bytes, std::string& why);

struct Tally {
  std::size_t tried = 0, refused = 0, decode_refused = 0, accepted = 0;
  std::string broken;  // the first broken input: which, and why
};
struct Malformed {
  Tally truncations, bit_flips;
};

// Every truncation of `encoded` and its bit flips (above), judged.
template <class T>
Malformed truncations_and_bit_flips(AnyFormat<T>& format, const std::string& encoded);

extern template Fate judge<Order>(AnyFormat<Order>&, std::string_view, std::string&);
extern template Fate judge<UserProfile>(AnyFormat<UserProfile>&, std::string_view, std::string&);
extern template Fate judge<Event>(AnyFormat<Event>&, std::string_view, std::string&);
extern template Malformed truncations_and_bit_flips<Order>(AnyFormat<Order>&, const std::string&);
extern template Malformed truncations_and_bit_flips<UserProfile>(AnyFormat<UserProfile>&, const std::string&);
extern template Malformed truncations_and_bit_flips<Event>(AnyFormat<Event>&, const std::string&);

// The rows' cases (Clock::none): one evolution row; the malformed row of a format on a data file
// (null when the file holds no message kind).
CaseFactory evolution_case(const Evolution& row);
CaseFactory malformed_case(const Format& format, const std::string& path);

}  // namespace hotbench::serial::outcomes
