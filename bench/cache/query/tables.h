// The generated table set and the query, written once for every database.
//
//   users  (id, name, email, balance, created)   `users` rows, ids 0..users-1
//   orders (id, user_id, amount, created)        0..10 per user (5 on average), index on user_id
//
// Every value is a pure function of (seed, id): the same seed gives the same
// tables in SQLite and PostgreSQL, and the same serialized query results.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "../../harness/mix64.h"
#include "database.h"

namespace hotbench::cache::query {

inline constexpr std::uint64_t kMaxOrdersPerUser = 10;  // uniform 0..10: 5 per user on average

// The query a request stands for: a user's row, its order count and order total. One parameter ($1,
// which SQLite also accepts), the user id. Grouping by u.id alone would do for PostgreSQL (a
// primary key) but the full list keeps the text the same for both.
inline constexpr const char* kQuerySql =
    "SELECT u.id, u.name, u.email, u.balance, COUNT(o.id), COALESCE(SUM(o.amount), 0) "
    "FROM users u LEFT JOIN orders o ON o.user_id = u.id WHERE u.id = $1 "
    "GROUP BY u.id, u.name, u.email, u.balance";
inline constexpr int kQueryColumns = 6;
inline constexpr const char* kUpdateSql = "UPDATE users SET balance = $2 WHERE id = $1";
inline constexpr const char* kOrdersIndexSql = "CREATE INDEX orders_user_id ON orders (user_id)";

struct UserRow {
  std::uint64_t id = 0;
  std::string name, email;
  std::uint64_t balance = 0, created = 0;
};
struct OrderRow {
  std::uint64_t id = 0, user_id = 0, amount = 0, created = 0;
};

// Calls on_user(const UserRow&) for every user and on_order(const OrderRow&) for each of its orders
// right after it; returns the number of orders.
template <class OnUser, class OnOrder>
std::uint64_t generate_tables(const TableSpec& spec, OnUser&& on_user, OnOrder&& on_order) {
  static constexpr const char* kSyllables[16] = {"ka", "lo", "mi", "ra", "ne", "to", "su", "vi",
                                                 "da", "fe", "go", "hu", "ji", "be", "wa", "zo"};
  UserRow user;
  OrderRow order;
  std::uint64_t orders = 0;
  for (std::uint64_t id = 0; id < spec.users; ++id) {
    const std::uint64_t h = mix64(spec.seed * 0x9e3779b97f4a7c15ULL + id);
    user.id = id;
    user.name.clear();
    for (int s = 0; s < 3; ++s) user.name += kSyllables[(h >> (4 * s)) & 15];
    user.name += ' ';
    for (int s = 3; s < 5; ++s) user.name += kSyllables[(h >> (4 * s)) & 15];
    user.email = user.name;
    user.email[3 * 2] = '.';
    user.email += std::to_string(id) + "@example.com";
    user.balance = (h >> 20) % 100'000;
    user.created = 1'600'000'000 + (h >> 40) % 100'000'000;
    on_user(static_cast<const UserRow&>(user));
    const std::uint64_t count = mix64(h) % (kMaxOrdersPerUser + 1);
    for (std::uint64_t k = 0; k < count; ++k) {
      const std::uint64_t g = mix64(h + k + 1);
      order.id = orders++;
      order.user_id = id;
      order.amount = g % 50'000;  // cents
      order.created = user.created + (g >> 32) % 10'000'000;
      on_order(static_cast<const OrderRow&>(order));
    }
  }
  return orders;
}

// A result row as bytes: its columns' text joined by '|' (no generated text contains one). Both
// adapters read every column as text, so equal rows give equal bytes.
inline void append_column(std::string& out, int column, std::string_view text) {
  if (column > 0) out += '|';
  out.append(text);
}

}  // namespace hotbench::cache::query
