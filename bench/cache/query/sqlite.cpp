// SQLite (embedded, the default database): a file in a private temporary
// folder, removed when the database is closed.
//
// Settings in the same spirit as PostgreSQL's (postgresql.cpp): write-ahead
// log, no fsync (synchronous=OFF), a page cache the size of PostgreSQL's
// shared_buffers (kCacheSizePragma).
#include <sqlite3.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <string>

#include "database.h"
#include "tables.h"

namespace hotbench::cache::query {
namespace {

// A page cache as large as PostgreSQL's default shared_buffers (128 MB); SQLite's default (2 MB)
// would make every query of the default tables read pages from the operating system.
constexpr const char* kCacheSizePragma = "PRAGMA cache_size=-131072";

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) {
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK)
      throw DatabaseError(std::string("sqlite: cannot prepare '") + sql + "': " + sqlite3_errmsg(db));
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }
  // SQLite numbers $1, $2 in order of appearance, not by their digits: ask it by name.
  int index(const char* name) const {
    const int i = sqlite3_bind_parameter_index(stmt_, name);
    if (i == 0) throw DatabaseError(std::string("sqlite: no parameter ") + name + " in '" + sqlite3_sql(stmt_) + "'");
    return i;
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

class Sqlite final : public Database {
 public:
  explicit Sqlite(const TableSpec& spec) {
    tables_ = spec;
    const auto start = std::chrono::steady_clock::now();
    std::string templ = (std::filesystem::temp_directory_path() / "hotbench-sqlite-XXXXXX").string();
    if (::mkdtemp(templ.data()) == nullptr) throw DatabaseError("sqlite: cannot create a folder in " + templ);
    dir_ = templ;
    try {
      path_ = dir_ + "/tables.sqlite3";
      if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK)
        throw DatabaseError("sqlite: cannot open " + path_ + ": " + (db_ ? sqlite3_errmsg(db_) : "out of memory"));
      exec("PRAGMA journal_mode=WAL");
      exec("PRAGMA synchronous=OFF");
      exec(kCacheSizePragma);
      exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, "
           "balance INTEGER NOT NULL, created INTEGER NOT NULL)");
      exec("CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, amount INTEGER NOT NULL, "
           "created INTEGER NOT NULL)");
      load();
      exec(kOrdersIndexSql);
      exec("ANALYZE");
      query_ = std::make_unique<Statement>(db_, kQuerySql);
      update_ = std::make_unique<Statement>(db_, kUpdateSql);
      query_user_ = query_->index("$1");
      update_user_ = update_->index("$1");
      update_balance_ = update_->index("$2");
    } catch (...) {
      close();
      throw;
    }
    load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }
  ~Sqlite() override { close(); }

  std::string_view query(std::uint32_t user) override {
    sqlite3_stmt* s = query_->get();
    sqlite3_bind_int64(s, query_user_, user);
    const int rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
      sqlite3_reset(s);
      if (rc == SQLITE_DONE) throw DatabaseError("sqlite: no user " + std::to_string(user));
      throw DatabaseError(std::string("sqlite: query failed: ") + sqlite3_errmsg(db_));
    }
    result_.clear();
    for (int c = 0; c < kQueryColumns; ++c) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
      append_column(result_, c, std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(s, c))));
    }
    sqlite3_reset(s);
    return result_;
  }

  void update_balance(std::uint32_t user, std::uint64_t balance) override {
    sqlite3_stmt* s = update_->get();
    sqlite3_bind_int64(s, update_user_, user);
    sqlite3_bind_int64(s, update_balance_, static_cast<sqlite3_int64>(balance));
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) throw DatabaseError(std::string("sqlite: update failed: ") + sqlite3_errmsg(db_));
    if (sqlite3_changes(db_) != 1) throw DatabaseError("sqlite: update of user " + std::to_string(user) + " changed no row");
  }

  bool alive() const override { return db_ != nullptr; }
  std::string version() const override { return std::string("SQLite ") + sqlite3_libversion(); }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    return {{"database", "sqlite"}, {"version", sqlite3_libversion()}, {"file", path_},
            {"pragmas", std::string("journal_mode=WAL synchronous=OFF ") + (kCacheSizePragma + 7)}};
  }

 private:
  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = std::string("sqlite: '") + sql + "' failed: " + (error ? error : sqlite3_errmsg(db_));
      sqlite3_free(error);
      throw DatabaseError(message);
    }
  }

  // One transaction, two prepared inserts, the index afterwards: the fast way in.
  void load() {
    exec("BEGIN");
    Statement users(db_, "INSERT INTO users VALUES (?1, ?2, ?3, ?4, ?5)");
    Statement orders(db_, "INSERT INTO orders VALUES (?1, ?2, ?3, ?4)");
    auto step = [&](sqlite3_stmt* s) {
      if (sqlite3_step(s) != SQLITE_DONE) throw DatabaseError(std::string("sqlite: loading failed: ") + sqlite3_errmsg(db_));
      sqlite3_reset(s);
    };
    orders_ = generate_tables(
        tables_,
        [&](const UserRow& u) {
          sqlite3_stmt* s = users.get();
          sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(u.id));
          sqlite3_bind_text(s, 2, u.name.data(), static_cast<int>(u.name.size()), SQLITE_STATIC);
          sqlite3_bind_text(s, 3, u.email.data(), static_cast<int>(u.email.size()), SQLITE_STATIC);
          sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(u.balance));
          sqlite3_bind_int64(s, 5, static_cast<sqlite3_int64>(u.created));
          step(s);
        },
        [&](const OrderRow& o) {
          sqlite3_stmt* s = orders.get();
          sqlite3_bind_int64(s, 1, static_cast<sqlite3_int64>(o.id));
          sqlite3_bind_int64(s, 2, static_cast<sqlite3_int64>(o.user_id));
          sqlite3_bind_int64(s, 3, static_cast<sqlite3_int64>(o.amount));
          sqlite3_bind_int64(s, 4, static_cast<sqlite3_int64>(o.created));
          step(s);
        });
    exec("COMMIT");
  }

  void close() {
    query_.reset();
    update_.reset();
    if (db_) sqlite3_close(db_);
    db_ = nullptr;
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
      dir_.clear();
    }
  }

  std::string dir_, path_;
  sqlite3* db_ = nullptr;
  std::unique_ptr<Statement> query_, update_;
  int query_user_ = 0, update_user_ = 0, update_balance_ = 0;
  std::string result_;
};

}  // namespace

HOTBENCH_REGISTER(Sqlite) {
  databases().add({"sqlite", "libsqlite3-dev", [](const TableSpec& spec) -> std::unique_ptr<Database> {
                     return std::make_unique<Sqlite>(spec);
                   }});
}

}  // namespace hotbench::cache::query
