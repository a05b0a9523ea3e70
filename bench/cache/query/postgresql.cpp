// PostgreSQL 15, started by hotbench (harness/server.h): initdb in a private
// temporary folder, then the server on a Unix socket in that folder and on a
// free loopback TCP port; the rows connect through the Unix socket with libpq.
//
// initdb and postgres refuse to run as root, so as root both run as Debian's
// `postgres` user (ServerSpec::run_as). Durability is off (fsync, synchronous
// commit, full-page writes): the folder is thrown away at the end, and with
// fsync on, every UPDATE of a write-mix row would cost a disk flush, which is
// not the question these rows ask. Every statement has a deadline
// (kStatementTimeout): a server that stops answering gives an error, not a hang.
//
// Or the user's own server (setting endpoints=postgresql=unix:/DIR/.s.PGSQL.PORT or
// HOST:PORT on loopback): the role, database and password come from libpq's
// environment (PGUSER, PGDATABASE, PGPASSWORD), never from the settings, which
// are recorded in the results. hotbench then works only inside a schema of its
// own (hotbench_<pid>), created for the run and dropped with everything in it
// at the end; nothing else of the user's database is read, changed or
// reconfigured (its durability settings stay as they are: say so when comparing).
#include <libpq-fe.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "../../harness/server.h"
#include "../servers/kv.h"
#include "database.h"
#include "tables.h"

namespace hotbench::cache::query {
namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";
constexpr const char* kPackage = "postgresql";
constexpr const char* kUser = "hotbench";  // the database role initdb creates
constexpr auto kStatementTimeout = std::chrono::seconds(30);
constexpr auto kStartDeadline = std::chrono::seconds(60);  // initdb takes 1-3 s here
const char* const kServerSettings =
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off";

std::string program(const char* name) { return std::string(kBinDir) + "/" + name; }

// The folder of the server's Unix socket (PostgreSQL names it .s.PGSQL.<port> in the -k folder).
std::string socket_dir(const ServerEndpoint& e) { return std::filesystem::path(e.unix_socket).parent_path().string(); }

std::string conninfo(const ServerEndpoint& e) {
  return "host=" + socket_dir(e) + " port=" + std::to_string(e.port) + " dbname=postgres user=" + kUser +
         " connect_timeout=5";
}

// The user's server: libpq takes the role, database and password from its environment.
std::string conninfo(const kv::Endpoint& e) {
  if (e.transport == kv::Transport::tcp)
    return "host=" + e.host + " port=" + std::to_string(e.port) + " connect_timeout=5";
  const std::filesystem::path socket(e.path);
  const std::string file = socket.filename().string(), prefix = ".s.PGSQL.";
  if (file.rfind(prefix, 0) != 0 || file.size() == prefix.size() ||
      file.find_first_not_of("0123456789", prefix.size()) != std::string::npos)
    throw DatabaseError("postgresql endpoint unix:" + e.path + ": name the server's socket file, /DIR/.s.PGSQL.PORT");
  return "host=" + socket.parent_path().string() + " port=" + file.substr(prefix.size()) + " connect_timeout=5";
}

ServerSpec server_spec() {
  for (const char* name : {"initdb", "postgres"}) {
    struct stat st {};
    const std::string path = program(name);
    if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), X_OK) != 0)
      throw ServerError("postgresql: " + path + " not found: install the Debian package " + kPackage +
                        " (apt-get install " + kPackage + ")");
  }
  ServerSpec spec;
  spec.name = "postgresql";
  spec.package = kPackage;
  // One process: the shell runs initdb, then becomes the server (exec), so the pid ServerProcess
  // watches and stops is the postmaster's.
  spec.argv = {"/bin/sh", "-c",
               program("initdb") + " -D {dir}/data -A trust -U " + kUser +
                   " -E UTF8 --locale=C --no-sync --no-instructions && exec " + program("postgres") +
                   " -D {dir}/data -k {dir} -p {port} " + kServerSettings};
  spec.probe = [](const ServerEndpoint& e) { return PQping(conninfo(e).c_str()) == PQPING_OK; };
  spec.start_deadline = kStartDeadline;
  spec.stop_signal = SIGINT;  // "fast" shutdown; SIGTERM would wait for clients to leave
  spec.stop_timeout = std::chrono::seconds(10);
  if (::geteuid() == 0) spec.run_as = "postgres";
  return spec;
}

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class Postgresql final : public Database {
 public:
  // A server hotbench starts.
  explicit Postgresql(const TableSpec& spec) : server_(std::in_place, server_spec()) {
    conninfo_ = conninfo(server_->endpoint());
    open(spec);
  }
  // The user's server, in a schema of this process's own.
  Postgresql(const TableSpec& spec, const kv::Endpoint& endpoint)
      : endpoint_(endpoint), schema_("hotbench_" + std::to_string(::getpid())) {
    conninfo_ = conninfo(endpoint);
    open(spec);
  }
  ~Postgresql() override { drop_schema(); }

  std::string_view query(std::uint32_t user) override {
    id_text_ = std::to_string(user);
    const char* values[] = {id_text_.c_str()};
    Result r = run_prepared("query", 1, values, PGRES_TUPLES_OK);
    if (PQntuples(r.get()) != 1) throw DatabaseError("postgresql: no user " + id_text_);
    result_.clear();
    for (int c = 0; c < kQueryColumns; ++c)
      append_column(result_, c,
                    std::string_view(PQgetvalue(r.get(), 0, c), static_cast<std::size_t>(PQgetlength(r.get(), 0, c))));
    return result_;
  }

  void update_balance(std::uint32_t user, std::uint64_t balance) override {
    id_text_ = std::to_string(user);
    const std::string b = std::to_string(balance);
    const char* values[] = {id_text_.c_str(), b.c_str()};
    Result r = run_prepared("update", 2, values, PGRES_COMMAND_OK);
    if (std::string_view(PQcmdTuples(r.get())) != "1")
      throw DatabaseError("postgresql: update of user " + id_text_ + " changed no row");
  }

  bool alive() const override {
    if (server_) return server_->alive();
    return PQstatus(conn()) == CONNECTION_OK && PQping(conninfo_.c_str()) == PQPING_OK;
  }
  std::string version() const override { return version_; }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    std::vector<std::pair<std::string, std::string>> d;
    if (server_) d = server_->describe();
    else d = {{"endpoint", endpoint_->text}, {"attached", "the user's server"}, {"schema", schema_}};
    d.emplace_back("version", version_);
    d.emplace_back("client", "libpq " + std::to_string(PQlibVersion()) + ", " +
                                 (endpoint_ && endpoint_->transport == kv::Transport::tcp ? "tcp" : "unix socket"));
    return d;
  }
  int server_pid() const override { return server_ ? static_cast<int>(server_->pid()) : 0; }

 private:
  // Connects, and creates and loads the tables (in its own schema on the user's server).
  void open(const TableSpec& spec) {
    tables_ = spec;
    conn_.reset(PQconnectdb(conninfo_.c_str()));
    if (!conn_ || PQstatus(conn()) != CONNECTION_OK)
      throw DatabaseError("postgresql" + where() + ": cannot connect: " +
                          trimmed(conn_ ? PQerrorMessage(conn()) : "out of memory"));
    PQsetNoticeProcessor(conn(), [](void*, const char*) {}, nullptr);  // "drop cascades to ...": not ours to print
    const char* v = PQparameterStatus(conn(), "server_version");
    version_ = "PostgreSQL " + std::string(v ? v : "?");
    const auto start = std::chrono::steady_clock::now();
    if (!schema_.empty()) {
      exec("CREATE SCHEMA " + schema_);  // fails if it exists: never another run's tables
      schema_created_ = true;
    }
    try {
      create_and_load();
    } catch (...) {
      drop_schema();  // a constructor that throws runs no destructor
      throw;
    }
    load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    prepare("query", kQuerySql, 1);
    prepare("update", kUpdateSql, 2);
  }

  void create_and_load() {
    if (schema_created_) exec("SET search_path TO " + schema_);
    exec("CREATE TABLE users (id BIGINT PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, "
         "balance BIGINT NOT NULL, created BIGINT NOT NULL)");
    exec("CREATE TABLE orders (id BIGINT PRIMARY KEY, user_id BIGINT NOT NULL, amount BIGINT NOT NULL, "
         "created BIGINT NOT NULL)");
    load();
    exec(kOrdersIndexSql);
    exec("ANALYZE users, orders");  // these two only: on the user's server, never the whole database
  }

  // The user's server keeps nothing of this run: the schema goes with everything in it.
  void drop_schema() noexcept {
    if (!schema_created_) return;
    schema_created_ = false;
    try {
      if (PQtransactionStatus(conn()) != PQTRANS_IDLE) exec("ROLLBACK");  // a load that failed midway
      exec("DROP SCHEMA " + schema_ + " CASCADE");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "hotbench: could not drop this run's schema %s from the PostgreSQL at %s: %s\n",
                   schema_.c_str(), endpoint_->text.c_str(), e.what());
    }
  }

  std::string where() const { return endpoint_ ? " at " + endpoint_->text : ""; }

  static std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    for (char& c : s)
      if (c == '\n') c = ' ';
    return s;
  }

  [[noreturn]] void fail(const std::string& what) {
    std::string message = "postgresql" + where() + ": " + what;
    if (server_ && !server_->alive()) message += " (the server is gone: " + server_->log_tail(3) + ")";
    throw DatabaseError(message);
  }

  // Waits for the whole result of the statement just sent, at most kStatementTimeout.
  Result wait_result(ExecStatusType expected, const char* what) {
    const auto deadline = std::chrono::steady_clock::now() + kStatementTimeout;
    while (PQisBusy(conn())) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0)
        fail(std::string(what) + ": no answer within " + std::to_string(kStatementTimeout.count()) + " s");
      pollfd p{PQsocket(conn()), POLLIN, 0};
      const int n = ::poll(&p, 1, static_cast<int>(left.count()));
      if (n < 0 && errno != EINTR) fail(std::string(what) + ": poll failed");
      if (n > 0 && !PQconsumeInput(conn())) fail(std::string(what) + ": " + trimmed(PQerrorMessage(conn())));
    }
    Result first(PQgetResult(conn()));
    while (PGresult* more = PQgetResult(conn())) PQclear(more);  // the end of this statement's results
    if (!first) fail(std::string(what) + ": no result: " + trimmed(PQerrorMessage(conn())));
    if (PQresultStatus(first.get()) != expected)
      fail(std::string(what) + " failed: " + trimmed(PQresultErrorMessage(first.get())));
    return first;
  }

  Result run_prepared(const char* name, int n, const char* const* values, ExecStatusType expected) {
    if (!PQsendQueryPrepared(conn(), name, n, values, nullptr, nullptr, 0))
      fail(std::string(name) + ": " + trimmed(PQerrorMessage(conn())));
    return wait_result(expected, name);
  }

  void exec(const std::string& sql) {
    if (!PQsendQuery(conn(), sql.c_str())) fail("'" + sql + "': " + trimmed(PQerrorMessage(conn())));
    wait_result(PGRES_COMMAND_OK, sql.c_str());
  }

  void prepare(const char* name, const char* sql, int params) {
    if (!PQsendPrepare(conn(), name, sql, params, nullptr)) fail(std::string(name) + ": " + trimmed(PQerrorMessage(conn())));
    wait_result(PGRES_COMMAND_OK, name);
  }

  // COPY ... FROM STDIN in the text format, one table after the other (the generator runs twice,
  // which costs less than holding a table's text), in one transaction.
  void load() {
    exec("BEGIN");
    std::string rows;
    copy("COPY users FROM STDIN", [&](const std::function<void()>& flush) {
      orders_ = generate_tables(
          tables_,
          [&](const UserRow& u) {
            rows += std::to_string(u.id) + '\t' + u.name + '\t' + u.email + '\t' + std::to_string(u.balance) + '\t' +
                    std::to_string(u.created) + '\n';
            flush();
          },
          [](const OrderRow&) {});
    }, rows);
    copy("COPY orders FROM STDIN", [&](const std::function<void()>& flush) {
      generate_tables(
          tables_, [](const UserRow&) {},
          [&](const OrderRow& o) {
            rows += std::to_string(o.id) + '\t' + std::to_string(o.user_id) + '\t' + std::to_string(o.amount) + '\t' +
                    std::to_string(o.created) + '\n';
            flush();
          });
    }, rows);
    exec("COMMIT");
  }

  // Runs `generate`, which appends lines to `rows` and calls flush() after each; flush() sends
  // what has gathered once it passes 1 MB.
  template <class Generate>
  void copy(const std::string& sql, Generate&& generate, std::string& rows) {
    if (!PQsendQuery(conn(), sql.c_str())) fail(sql + ": " + trimmed(PQerrorMessage(conn())));
    Result start(PQgetResult(conn()));
    if (!start || PQresultStatus(start.get()) != PGRES_COPY_IN)
      fail(sql + ": " + (start ? trimmed(PQresultErrorMessage(start.get())) : trimmed(PQerrorMessage(conn()))));
    constexpr std::size_t kChunk = 1 << 20;
    auto send = [&] {
      if (PQputCopyData(conn(), rows.data(), static_cast<int>(rows.size())) != 1)
        fail(sql + ": " + trimmed(PQerrorMessage(conn())));
      rows.clear();
    };
    rows.clear();
    generate(std::function<void()>([&] {
      if (rows.size() >= kChunk) send();
    }));
    if (!rows.empty()) send();
    if (PQputCopyEnd(conn(), nullptr) != 1) fail(sql + ": " + trimmed(PQerrorMessage(conn())));
    wait_result(PGRES_COMMAND_OK, sql.c_str());
  }

  PGconn* conn() const { return conn_.get(); }

  struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  std::optional<ServerProcess> server_;       // the one hotbench started, or
  std::optional<kv::Endpoint> endpoint_;      // the user's
  std::string schema_;                        // on the user's server: this run's own
  bool schema_created_ = false;
  std::string conninfo_;
  std::unique_ptr<PGconn, ConnDeleter> conn_;  // after server_: closed before the server stops
  std::string version_, id_text_, result_;
};

}  // namespace

HOTBENCH_REGISTER(Postgresql) {
  databases().add({"postgresql", kPackage,
                   [](const TableSpec& spec) -> std::unique_ptr<Database> { return std::make_unique<Postgresql>(spec); },
                   [](const TableSpec& spec, const kv::Endpoint& e) -> std::unique_ptr<Database> {
                     return std::make_unique<Postgresql>(spec, e);
                   }});
}

}  // namespace hotbench::cache::query
