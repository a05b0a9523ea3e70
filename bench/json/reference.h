// The reference parser: a small, strict RFC 8259 parser that every library is
// checked against. It is deliberately independent of the libraries under test:
// doubles go through std::from_chars (correctly rounded; numbers beyond the
// range of a double get their correctly rounded value, +-inf or +-0, and are
// reported to visitors that ask, see DeepVisitor::out_of_range_dbl), strings are checked
// for valid UTF-8 and decoded by hand, nesting is limited so that no library is
// ever handed input it could recurse on without bound. Every dataset passes
// through it before any library sees the dataset.
#pragma once

#include <charconv>
#include <cstdio>
#include <cstdint>
#include <limits>
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

namespace hotbench::json {

constexpr std::size_t kMaxDepth = 256;

struct SyntaxError : std::runtime_error {
  SyntaxError(std::size_t at, const std::string& what) : std::runtime_error(what), offset(at) {}
  std::size_t offset;  // byte offset of the problem in the text given to the parser
};

template <class Visitor>
class ReferenceParser {
 public:
  ReferenceParser(std::string_view text, Visitor& v) : s_(text), v_(v) {}

  void parse() {
    skip_ws();
    value(0);
    skip_ws();
    if (p_ != s_.size()) fail("unexpected content after the document");
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw SyntaxError(p_, what); }
  bool eof() const { return p_ >= s_.size(); }
  char peek() const { return eof() ? '\0' : s_[p_]; }

  void skip_ws() {
    while (!eof() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\r' || s_[p_] == '\t')) ++p_;
  }

  void expect_word(std::string_view w) {
    if (s_.substr(p_, w.size()) != w) fail("invalid literal");
    p_ += w.size();
  }

  void value(std::size_t depth) {
    if (eof()) fail("unexpected end of input, expected a value");
    switch (s_[p_]) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return v_.string(string_body());
      case 't': expect_word("true"); return v_.boolean(true);
      case 'f': expect_word("false"); return v_.boolean(false);
      case 'n': expect_word("null"); return v_.null();
      default:
        if (s_[p_] == '-' || (s_[p_] >= '0' && s_[p_] <= '9')) return number();
        fail(std::string("unexpected character '") + printable(s_[p_]) + "', expected a value");
    }
  }

  static std::string printable(char c) {
    if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) return std::string(1, c);
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(c));
    return buf;
  }

  void check_depth(std::size_t depth) {
    if (depth > kMaxDepth) fail("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
  }

  void object(std::size_t depth) {
    check_depth(depth);
    ++p_;
    v_.begin_object();
    std::size_t n = 0;
    skip_ws();
    if (peek() == '}') {
      ++p_;
      return v_.end_object(0);
    }
    for (;;) {
      skip_ws();
      if (peek() != '"') fail("expected a string key");
      v_.key(string_body());
      skip_ws();
      if (peek() != ':') fail("expected ':' after an object key");
      ++p_;
      skip_ws();
      value(depth);
      ++n;
      skip_ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() == '}') {
        ++p_;
        return v_.end_object(n);
      }
      fail(eof() ? "unexpected end of input inside an object" : "expected ',' or '}' in an object");
    }
  }

  void array(std::size_t depth) {
    check_depth(depth);
    ++p_;
    v_.begin_array();
    std::size_t n = 0;
    skip_ws();
    if (peek() == ']') {
      ++p_;
      return v_.end_array(0);
    }
    for (;;) {
      skip_ws();
      value(depth);
      ++n;
      skip_ws();
      if (peek() == ',') {
        ++p_;
        continue;
      }
      if (peek() == ']') {
        ++p_;
        return v_.end_array(n);
      }
      fail(eof() ? "unexpected end of input inside an array" : "expected ',' or ']' in an array");
    }
  }

  void number() {
    const std::size_t start = p_;
    bool integral = true;
    if (peek() == '-') ++p_;
    if (peek() == '0') {
      ++p_;
    } else if (peek() >= '1' && peek() <= '9') {
      while (peek() >= '0' && peek() <= '9') ++p_;
    } else {
      fail("invalid number: expected a digit");
    }
    if (peek() == '.') {
      integral = false;
      ++p_;
      if (!(peek() >= '0' && peek() <= '9')) fail("invalid number: expected a digit after '.'");
      while (peek() >= '0' && peek() <= '9') ++p_;
    }
    if (peek() == 'e' || peek() == 'E') {
      integral = false;
      ++p_;
      if (peek() == '+' || peek() == '-') ++p_;
      if (!(peek() >= '0' && peek() <= '9')) fail("invalid number: expected a digit in the exponent");
      while (peek() >= '0' && peek() <= '9') ++p_;
    }
    const char* first = s_.data() + start;
    const char* last = s_.data() + p_;
    if (integral) {
      std::int64_t i;
      if (auto r = std::from_chars(first, last, i); r.ec == std::errc() && r.ptr == last) return v_.int64(i);
      std::uint64_t u;
      if (*first != '-')
        if (auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) return v_.uint64(u);
    }
    double d;
    auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Valid JSON (RFC 8259 sets no range) whose correctly rounded value is
      // +-inf (1e400) or +-0 (1e-400); from_chars leaves d unset for those.
      // Which libraries accept such a number is a finding of the rows.
      d = out_of_range_value(first, last);
      if constexpr (requires { v_.out_of_range_dbl(d); })
        return v_.out_of_range_dbl(d);
    }
    v_.dbl(d);
  }

  // The round-to-nearest value of a number from_chars found out of range: a
  // decimal exponent (of the first significant digit) above 0 means it
  // overflowed (+-inf), otherwise it underflowed (+-0).
  static double out_of_range_value(const char* first, const char* last) {
    const bool negative = *first == '-';
    if (negative) ++first;
    long long lead = 0;  // the power of ten of the first nonzero digit, before the exponent
    bool seen_nonzero = false, after_point = false;
    const char* p = first;
    for (; p != last && *p != 'e' && *p != 'E'; ++p) {
      if (*p == '.') {
        after_point = true;
      } else if (!seen_nonzero) {
        if (*p != '0') {
          seen_nonzero = true;
          lead = after_point ? lead - 1 : 0;
        } else if (after_point) {
          --lead;
        }
      } else if (!after_point) {
        ++lead;
      }
    }
    long long exponent = 0;
    if (p != last) {
      ++p;
      const bool minus = *p == '-';
      if (*p == '+' || *p == '-') ++p;
      for (; p != last; ++p) exponent = std::min<long long>(exponent * 10 + (*p - '0'), 1'000'000'000);
      if (minus) exponent = -exponent;
    }
    const bool overflow = seen_nonzero && lead + exponent > 0;
    const double magnitude = overflow ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -magnitude : magnitude;
  }

  void put_utf8(std::uint32_t cp) {
    if (cp < 0x80) {
      buf_ += static_cast<char>(cp);
    } else if (cp < 0x800) {
      buf_ += static_cast<char>(0xC0 | (cp >> 6));
      buf_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      buf_ += static_cast<char>(0xE0 | (cp >> 12));
      buf_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf_ += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      buf_ += static_cast<char>(0xF0 | (cp >> 18));
      buf_ += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      buf_ += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      buf_ += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::uint32_t hex4() {
    if (p_ + 4 > s_.size()) fail("truncated \\u escape");
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = s_[p_++];
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<std::uint32_t>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<std::uint32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<std::uint32_t>(c - 'A' + 10);
      else {
        --p_;
        fail("invalid hex digit in a \\u escape");
      }
    }
    return v;
  }

  // Validates one UTF-8 sequence starting at p_ and copies it.
  void utf8_sequence() {
    const auto b = [&](std::size_t i) { return static_cast<unsigned char>(s_[p_ + i]); };
    unsigned char c = b(0);
    std::size_t len;
    std::uint32_t cp;
    if (c < 0xC2 || c > 0xF4) fail("invalid UTF-8 byte");
    if (c < 0xE0) len = 2, cp = c & 0x1F;
    else if (c < 0xF0) len = 3, cp = c & 0x0F;
    else len = 4, cp = c & 0x07;
    if (p_ + len > s_.size()) fail("truncated UTF-8 sequence");
    for (std::size_t i = 1; i < len; ++i) {
      if ((b(i) & 0xC0) != 0x80) fail("invalid UTF-8 continuation byte");
      cp = (cp << 6) | (b(i) & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
      fail("overlong or out-of-range UTF-8 sequence");
    if (cp >= 0xD800 && cp <= 0xDFFF) fail("UTF-8-encoded surrogate");
    buf_.append(s_.data() + p_, len);
    p_ += len;
  }

  std::string_view string_body() {
    ++p_;  // opening quote
    buf_.clear();
    for (;;) {
      if (eof()) fail("unterminated string");
      unsigned char c = static_cast<unsigned char>(s_[p_]);
      if (c == '"') {
        ++p_;
        return buf_;
      }
      if (c < 0x20) fail("unescaped control character in a string");
      if (c >= 0x80) {
        utf8_sequence();
        continue;
      }
      if (c != '\\') {
        buf_ += static_cast<char>(c);
        ++p_;
        continue;
      }
      ++p_;
      if (eof()) fail("unterminated escape");
      char e = s_[p_++];
      switch (e) {
        case '"': buf_ += '"'; break;
        case '\\': buf_ += '\\'; break;
        case '/': buf_ += '/'; break;
        case 'b': buf_ += '\b'; break;
        case 'f': buf_ += '\f'; break;
        case 'n': buf_ += '\n'; break;
        case 'r': buf_ += '\r'; break;
        case 't': buf_ += '\t'; break;
        case 'u': {
          std::uint32_t cp = hex4();
          if (cp >= 0xDC00 && cp <= 0xDFFF) fail("lone low surrogate in a \\u escape");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (s_.substr(p_, 2) != "\\u") fail("high surrogate not followed by a low surrogate");
            p_ += 2;
            std::uint32_t lo = hex4();
            if (lo < 0xDC00 || lo > 0xDFFF) fail("high surrogate not followed by a low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          put_utf8(cp);
          break;
        }
        default:
          --p_;
          fail("invalid escape character");
      }
    }
  }

  std::string_view s_;
  Visitor& v_;
  std::size_t p_ = 0;
  std::string buf_;
};

template <class Visitor>
void parse_reference(std::string_view text, Visitor& v) {
  ReferenceParser<Visitor>(text, v).parse();
}

}  // namespace hotbench::json
