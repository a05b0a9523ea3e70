// Differential fuzzing of the reference parser (bench/json/reference.h) against
// simdjson 3.0.1's DOM parser: two independent strict parsers must agree on
// every input, on whether it is JSON and, when it is, on the document: the
// statistics, string hash, structural hash and every number exactly
// (DeepStats, the comparison the benchmarks validate with, computed by the same
// DOM walk: json/simdjson_dom.h). The reference must also refuse only with a
// SyntaxError whose offset lies within the input.
//
// simdjson's depth limit is set to the reference's (kMaxDepth), so the two
// agree on nesting too. The disagreements tolerated, each checked narrowly and
// then the rest of the document still compared:
//
// 1. Numbers simdjson 3.0.1 refuses (NUMBER_ERROR) that the reference accepts:
//    integer literals beyond int64/uint64 (the reference gives the nearest
//    double, simdjson has no big-integer type in its DOM), and literals whose
//    correctly rounded double is infinite (1e400; the reference accepts them as
//    +-inf). When simdjson refuses with NUMBER_ERROR a document the reference
//    accepted, each such literal is replaced by 0 and both parsers must then
//    accept the document and agree; if there is no such literal, it is a bug.
// 2. A document nested exactly kMaxDepth levels whose deepest array or object is
//    not empty: simdjson refuses it (DEPTH_ERROR) at a limit of kMaxDepth, though
//    it accepts the same nesting around an empty one ([[...[]...]]), which is what
//    the reference's limit counts. Found by this target (256 arrays around
//    `false`). The document is then parsed again at a limit one deeper, and both
//    parsers must agree on it; any other depth refusal is a bug.
//
// Anything else aborts, so libFuzzer keeps the input.
#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fuzz_util.h"
#include "json/reference.h"
#include "json/simdjson_dom.h"
#include "json/stats.h"

namespace {
using namespace hotbench::json;
using hotbench::fuzz::check;
using hotbench::fuzz::fail;
namespace sj = simdjson;

struct ReferenceResult {
  bool accepted = false;
  DeepStats doc;
  std::string error;
  std::size_t offset = 0;
};

ReferenceResult parse_with_reference(std::string_view text) {
  ReferenceResult r;
  DeepVisitor v;
  try {
    parse_reference(text, v);
    r.accepted = true;
    r.doc = v.finish();
  } catch (const SyntaxError& e) {
    check(e.offset <= text.size(), "the reference's error offset " + std::to_string(e.offset) +
                                       " is beyond the input (" + std::to_string(text.size()) + " bytes)");
    r.error = e.what();
    r.offset = e.offset;
  } catch (const std::exception& e) {
    fail(std::string("the reference threw something other than SyntaxError: ") + e.what());
  }
  return r;
}

struct SimdjsonResult {
  sj::error_code error = sj::SUCCESS;
  DeepStats doc;
};

// One parser per nesting limit, reused, as the benchmarks reuse theirs; a later capacity increase keeps
// the limit. Never destroyed: a static map's destructor would run before LeakSanitizer's check at exit
// and leave the parsers unreachable.
sj::dom::parser& simdjson_parser(std::size_t max_depth) {
  static auto& parsers = *new std::map<std::size_t, sj::dom::parser*>();
  sj::dom::parser*& p = parsers[max_depth];
  if (!p) {
    p = new sj::dom::parser();
    if (p->allocate(1 << 16, max_depth) != sj::SUCCESS) fail("simdjson: cannot allocate the parser");
  }
  return *p;
}

SimdjsonResult parse_with_simdjson(std::string_view text, std::size_t max_depth) {
  SimdjsonResult r;
  const sj::padded_string padded(text);
  sj::dom::element root;
  r.error = simdjson_parser(max_depth).parse(padded).get(root);
  if (r.error == sj::SUCCESS) {
    DeepVisitor v;
    walk_simdjson_dom(root, v);
    r.doc = v.finish();
  }
  return r;
}

// The number literals of `text` that the reference accepted (valid JSON, so a
// number is any run of number characters that starts outside a string with '-'
// or a digit). Pairs of (offset, length).
std::vector<std::pair<std::size_t, std::size_t>> number_literals(std::string_view text) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
      ++i;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      std::size_t j = i;
      while (j < text.size() && std::string_view("0123456789+-.eE").find(text[j]) != std::string_view::npos) ++j;
      out.emplace_back(i, j - i);
      i = j;
    } else {
      ++i;
    }
  }
  return out;
}

// The deepest nesting of arrays and objects in `text`, which the reference accepted.
std::size_t nesting_depth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i)
        if (text[i] == '\\') ++i;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// Known case 1: a literal simdjson 3.0.1 refuses and the reference accepts.
bool beyond_simdjson(std::string_view literal) {
  const bool integral = literal.find_first_of(".eE") == std::string_view::npos;
  const char* first = literal.data();
  const char* last = first + literal.size();
  if (integral) {
    std::int64_t i;
    std::uint64_t u;
    const bool fits = literal[0] == '-' ? std::from_chars(first, last, i).ec == std::errc()
                                        : std::from_chars(first, last, u).ec == std::errc();
    if (!fits) return true;
  }
  const std::string copy(literal);
  return std::isinf(std::strtod(copy.c_str(), nullptr));  // glibc's strtod rounds correctly
}

std::string printable(std::string_view text) {
  std::string out;
  for (unsigned char c : text.substr(0, 200)) {
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out + (text.size() > 200 ? "..." : "");
}

std::string replaced(std::string_view text, const std::vector<std::pair<std::size_t, std::size_t>>& spans) {
  std::string out;
  std::size_t at = 0;
  for (auto [offset, length] : spans) {
    out.append(text.substr(at, offset - at));
    out += '0';
    at = offset + length;
  }
  out.append(text.substr(at));
  return out;
}

void compare_documents(const DeepStats& reference, const DeepStats& simdjson, std::string_view text) {
  const std::string input = " (input: " + printable(text) + ")";
  check(reference.stats == simdjson.stats,
        "simdjson's statistics differ from the reference's: " + simdjson.stats.diff(reference.stats) + input);
  check(reference.string_hash == simdjson.string_hash, "string contents differ" + input);
  check(reference.numbers == simdjson.numbers, "numbers differ" + input);
  check(reference.tree_hash == simdjson.tree_hash, "values sit at different keys or positions" + input);
}

void differential(std::string text) {
  // Each round either ends, replaces at least one number literal by "0" (which
  // both parsers accept) or, once, deepens simdjson's limit, so the loop ends.
  std::size_t simdjson_depth = kMaxDepth;
  for (;;) {
    const ReferenceResult ref = parse_with_reference(text);
    const SimdjsonResult simd = parse_with_simdjson(text, simdjson_depth);
    const bool simd_accepted = simd.error == sj::SUCCESS;
    if (ref.accepted && simd_accepted) return compare_documents(ref.doc, simd.doc, text);
    if (!ref.accepted && !simd_accepted) return;

    if (ref.accepted && simd.error == sj::NUMBER_ERROR) {  // known case 1
      std::vector<std::pair<std::size_t, std::size_t>> beyond;
      for (auto span : number_literals(text))
        if (beyond_simdjson(std::string_view(text).substr(span.first, span.second))) beyond.push_back(span);
      check(!beyond.empty(), "simdjson refuses a number the reference accepts, and it is not a big integer or an "
                             "infinite double (input: " + printable(text) + ")");
      text = replaced(text, beyond);
      continue;
    }
    if (ref.accepted && simd.error == sj::DEPTH_ERROR && simdjson_depth == kMaxDepth) {  // known case 2
      const std::size_t depth = nesting_depth(text);
      check(depth == kMaxDepth, "simdjson refuses as too deep a document the reference accepts, nested " +
                                    std::to_string(depth) + " levels, not " + std::to_string(kMaxDepth) +
                                    " (input: " + printable(text) + ")");
      simdjson_depth = kMaxDepth + 1;
      continue;
    }
    fail(std::string(ref.accepted ? "the reference accepts" : "the reference refuses (" + ref.error + ")") +
         ", simdjson " + (simd_accepted ? "accepts" : std::string("refuses (") + sj::error_message(simd.error) + ")") +
         " (input: " + printable(text) + ")");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  differential(std::string(hotbench::fuzz::as_text(data, size)));
  return 0;
}
