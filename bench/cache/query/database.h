// The database behind the query cache: one contract, one adapter per database
// (sqlite.cpp, postgresql.cpp, each ending with HOTBENCH_REGISTER).
//
// Every adapter holds the same generated table set (tables.h), answers the same
// join for one user and serializes its result to the same bytes, so a result
// can be compared byte for byte with the database's own answer, and the SQLite
// and PostgreSQL rows of one seed serve identical results.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../../harness/registry.h"
#include "../servers/kv.h"

namespace hotbench::cache::query {

// A failed statement, a lost connection, a database that is gone: one line, for an error row.
struct DatabaseError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The generated table set: `users` rows 0..users-1 and their orders, a pure function of the seed.
struct TableSpec {
  std::uint64_t users = 100'000;
  std::uint64_t seed = 42;
};

class Database {
 public:
  virtual ~Database() = default;

  // The query every request stands for: user `user`'s row joined with the count and the
  // total of its orders, serialized (tables.h: serialize_row). Valid until the next call.
  virtual std::string_view query(std::uint32_t user) = 0;
  // UPDATE users SET balance = `balance` WHERE id = `user`; returns once committed.
  virtual void update_balance(std::uint32_t user, std::uint64_t balance) = 0;
  // False once the database is gone (its server process exited).
  virtual bool alive() const = 0;
  // Version, command line, configuration: for error messages and the row's label.
  virtual std::string version() const = 0;
  virtual std::vector<std::pair<std::string, std::string>> describe() const = 0;
  // For the tests: the server's process id (0 when embedded).
  virtual int server_pid() const { return 0; }

  const TableSpec& tables() const { return tables_; }
  std::uint64_t orders() const { return orders_; }
  double load_seconds() const { return load_seconds_; }  // generating and loading the tables, with indexes
  // A balance no row has held before: writes of every row and check pass stay distinguishable.
  std::uint64_t next_balance() { return kFirstWrittenBalance + balances_written_.fetch_add(1); }
  static constexpr std::uint64_t kFirstWrittenBalance = 1'000'000'000;

 protected:
  TableSpec tables_;
  std::uint64_t orders_ = 0;
  double load_seconds_ = 0;

 private:
  std::atomic<std::uint64_t> balances_written_{0};
};

struct DatabaseInfo {
  std::string name;     // the rows' library: "sqlite", "postgresql"
  std::string package;  // the Debian package its server or library comes from
  // Creates (starts) the database and loads the tables. Throws ServerError (harness/server.h)
  // naming the package when a program is missing, DatabaseError otherwise.
  std::function<std::unique_ptr<Database>(const TableSpec&)> open;
  // Loads the tables into the user's server at the endpoint (setting endpoints=<name>=...),
  // touching nothing else there and removing them afterwards; empty if it has no server.
  std::function<std::unique_ptr<Database>(const TableSpec&, const kv::Endpoint&)> attach = {};
};

Registry<DatabaseInfo>& databases();  // sorted by name once registration is over

}  // namespace hotbench::cache::query
