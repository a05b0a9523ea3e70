#include "settings.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace hotbench {
namespace {

std::string joined(const std::vector<std::string>& items, const char* sep = ",") {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : sep) + i;
  return s;
}

std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

Settings::Settings(std::string suite, std::vector<std::pair<std::string, std::string>> given)
    : suite_(std::move(suite)), given_(std::move(given)) {
  for (std::size_t i = 0; i < given_.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (given_[i].first == given_[j].first)
        throw UsageError("--hotbench_set=" + given_[i].first + " is given twice");
}

void Settings::refuse(const std::string& key, const std::string& msg) const {
  const std::string* v = value_of(key);
  throw UsageError("--hotbench_set=" + key + "=" + (v ? *v : std::string()) + ": " + msg);
}

const std::string* Settings::value_of(const std::string& key) const {
  for (const auto& [k, v] : given_)
    if (k == key) return &v;
  return nullptr;
}

void Settings::selects_rows(const std::vector<std::string>& keys) {
  for (const auto& key : keys) {
    auto it = std::find_if(declared_.begin(), declared_.end(), [&](const Declared& d) { return d.key == key; });
    if (it == declared_.end()) throw std::logic_error("selects_rows: '" + key + "' is not declared");
    it->selects = true;
  }
}

bool Settings::given(const std::string& key) const { return value_of(key) != nullptr; }

void Settings::declare(Declared d) {
  for (auto& existing : declared_)
    if (existing.key == d.key) {
      existing = std::move(d);  // read again (a suite may read a key in two places): one entry
      return;
    }
  declared_.push_back(std::move(d));
}

std::vector<std::string> Settings::split(const std::string& key, const std::string& value) const {
  std::vector<std::string> items;
  std::stringstream in(value);
  for (std::string item; std::getline(in, item, ',');) {
    if (item.empty()) refuse(key, "an empty item in the list");
    items.push_back(item);
  }
  if (items.empty() || value.back() == ',') refuse(key, "wants a comma-separated list, got none");
  return items;
}

std::uint64_t Settings::parse_integer(const std::string& key, const std::string& text, std::uint64_t low,
                                      std::uint64_t high) const {
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || v < low || v > high)
    refuse(key, "'" + text + "' is not an integer in " + std::to_string(low) + ".." + std::to_string(high));
  return v;
}

std::vector<std::string> Settings::names(const std::string& key, const std::vector<std::string>& fallback,
                                         const std::vector<std::string>& known, const std::string& help) {
  declare({key, "list", joined(fallback), known.empty() ? "a comma-separated list" : "any of " + joined(known), help});
  const std::string* v = value_of(key);
  if (!v) return fallback;
  auto items = split(key, *v);
  if (!known.empty())
    for (const auto& item : items)
      if (std::find(known.begin(), known.end(), item) == known.end())
        refuse(key, "unknown '" + item + "' (accepted: " + joined(known, ", ") + ")");
  return items;
}

std::vector<std::string> Settings::items(const std::string& key, const std::vector<std::string>& fallback,
                                         const std::string& accepts, const std::string& help,
                                         void (*check)(const std::string&)) {
  declare({key, "list", joined(fallback), accepts, help});
  const std::string* v = value_of(key);
  if (!v) return fallback;
  auto items = split(key, *v);
  for (const auto& item : items) try {
      check(item);
    } catch (const std::invalid_argument& e) {
      refuse(key, "'" + item + "': " + e.what());
    }
  return items;
}

std::uint64_t Settings::integer(const std::string& key, std::uint64_t fallback, std::uint64_t low, std::uint64_t high,
                                const std::string& help) {
  declare({key, "integer", std::to_string(fallback), "an integer in " + std::to_string(low) + ".." + std::to_string(high),
           help});
  const std::string* v = value_of(key);
  return v ? parse_integer(key, *v, low, high) : fallback;
}

std::vector<std::uint64_t> Settings::integers(const std::string& key, const std::vector<std::uint64_t>& fallback,
                                              std::uint64_t low, std::uint64_t high, const std::string& help) {
  std::vector<std::string> text;
  for (auto f : fallback) text.push_back(std::to_string(f));
  declare({key, "integers", joined(text),
           "a comma-separated list of integers in " + std::to_string(low) + ".." + std::to_string(high), help});
  const std::string* v = value_of(key);
  if (!v) return fallback;
  std::vector<std::uint64_t> out;
  for (const auto& item : split(key, *v)) out.push_back(parse_integer(key, item, low, high));
  return out;
}

double Settings::real(const std::string& key, double fallback, double low, double high, const std::string& help) {
  declare({key, "number", number_text(fallback), "a number in " + number_text(low) + ".." + number_text(high), help});
  const std::string* v = value_of(key);
  if (!v) return fallback;
  double x = 0;
  const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), x);
  if (v->empty() || ec != std::errc() || end != v->data() + v->size() || !(x >= low && x <= high))
    refuse(key, "'" + *v + "' is not a number in " + number_text(low) + ".." + number_text(high));
  return x;
}

bool Settings::flag(const std::string& key, bool fallback, const std::string& help) {
  declare({key, "boolean", fallback ? "true" : "false", "true or false", help});
  const std::string* v = value_of(key);
  if (!v) return fallback;
  if (*v == "true") return true;
  if (*v == "false") return false;
  refuse(key, "wants true or false");
}

void Settings::finish() const {
  std::vector<std::string> known;
  for (const auto& d : declared_) known.push_back(d.key);
  for (const auto& [key, value] : given_)
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw UsageError("--hotbench_set=" + key + "=" + value + ": the " + suite_ + " suite has no setting '" + key +
                       "' (" + (known.empty() ? std::string("it has no settings") : "its settings: " + joined(known, ", ")) +
                       ")");
}

std::string Settings::as_given() const {
  std::string s;
  for (const auto& [key, value] : given_) s += (s.empty() ? "" : ";") + key + "=" + value;
  return s;
}

}  // namespace hotbench
