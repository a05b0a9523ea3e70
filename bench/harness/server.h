// A server (cache, database, message broker) that a suite starts for itself
// and that never outlives the benchmark binary.
//
// The project's rule: a suite that needs a server starts it itself (private
// temporary folder, free loopback port or Unix socket, recorded config), stops
// it on every exit path, and turns a missing or dying server into error rows,
// never a hang or a stray process. ServerProcess is that rule in one place, for
// the cache suites and the message-broker suites alike.
//
// Exit paths and what covers them:
// - normal return, exceptions unwound through the owner: the destructor
//   (stop signal, bounded wait, SIGKILL, reap, folder removed);
// - exit() with a server still owned by a static or a leaked object: an atexit
//   handler does the same for every live server;
// - SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT (Ctrl-C, a kill, an uncaught
//   exception's std::terminate): a handler stops every live server, removes the
//   folders, then hands the signal to the disposition it replaced (re-raised
//   with the default action when that was SIG_DFL);
// - SIGKILL of the benchmark binary (the runner's time bound kills the whole
//   process group) or a crash: the server shares the binary's process group,
//   and PR_SET_PDEATHSIG makes the kernel SIGKILL it when the binary dies. No
//   code of ours runs then, so the folder stays behind in $TMPDIR (or /tmp),
//   named hotbench-<name>-XXXXXX.
// Starting a server also ignores SIGPIPE (when nobody chose another action), so
// that writing to a server that died is an error, not the end of the process.
// PR_SET_PDEATHSIG fires when the *thread* that started the server exits, so
// start servers from a thread that lives as long as the server (the main
// thread, where the runner calls case factories), not from a short-lived worker.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace hotbench {

// A server that is missing, exited during start-up or never answered. One line,
// meant for an error row.
struct ServerError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct ServerEndpoint {
  std::string host = "127.0.0.1";
  int port = 0;             // a loopback TCP port that was free just before the start
  std::string unix_socket;  // a path inside the server's folder, shorter than sun_path's 108 bytes
};

// Connects (non-blocking, bounded) to the TCP port or the Unix socket; true
// when the connection is accepted.
bool can_connect_tcp(const ServerEndpoint& endpoint);
bool can_connect_unix(const ServerEndpoint& endpoint);
// A blocking stream socket (close-on-exec) connected to the endpoint's TCP port (an IPv4 or IPv6
// host) or to its Unix socket, for a client that speaks the protocol itself. Throws ServerError
// naming the endpoint and why.
int connect_stream(const ServerEndpoint& endpoint, bool tcp);

// For suites whose endpoints are their own (a socket library with no server,
// the raw-socket floors): a new folder $TMPDIR/hotbench-<name>-XXXXXX (/tmp when
// $TMPDIR is too long for a Unix socket path inside it), and a loopback TCP
// port that was free just now. Both throw ServerError. The caller removes the
// folder (std::filesystem::remove_all).
std::string make_private_dir(const std::string& name);
int free_loopback_port(const std::string& name);

// A server of the user's that a suite's rows use instead of one they start (the `endpoints`
// setting of the cache and messaging suites): "unix:/path/to/socket" or "HOST:PORT", HOST a
// loopback address (the project sends load to loopback only). One parser for every suite.
struct UserEndpoint {
  bool unix_socket = false;
  std::string path;  // unix_socket
  std::string host;  // tcp: an IPv4 or IPv6 loopback address ("localhost" becomes 127.0.0.1)
  int port = 0;      // tcp
  std::string text;  // as given
};
// The form of an `endpoints` item, for the settings' help and their usage errors.
inline constexpr const char* kUserEndpointForm = "SYSTEM=unix:/PATH or SYSTEM=HOST:PORT, HOST a loopback address";
// Throws std::invalid_argument saying what is wrong with `text` (not loopback, no port, ...).
UserEndpoint parse_user_endpoint(const std::string& text);
// An `endpoints` item "SYSTEM=ADDRESS": the system's name and its parsed address (the name may
// contain ':', the address starts after the first '='). Throws std::invalid_argument.
std::pair<std::string, UserEndpoint> parse_user_endpoint_item(const std::string& item);

struct ServerSpec {
  std::string name;     // for messages and the folder's name: "redis-server"
  std::string package;  // the Debian package that provides it, named when it is missing
  // argv[0] is looked up on PATH, then in /usr/sbin and /sbin, unless it contains a '/'. Every argument (and
  // the config text) may use {dir} (the private folder), {port}, {socket} (the
  // Unix socket path) and {config} (the config file's path).
  std::vector<std::string> argv;
  std::string config_name;  // file written into the folder before the start; empty: none
  std::string config_text;
  // Variables set in the server's environment (placeholders replaced), over the benchmark's own: a
  // server whose start script reads its folders and ports from there (RabbitMQ).
  std::vector<std::pair<std::string, std::string>> env;
  // True when the server answers. Must return within a fraction of a second.
  // Empty: connect() succeeds to every endpoint the command line or config
  // mentions ({port}, {socket}), or to either when it mentions neither.
  std::function<bool(const ServerEndpoint&)> probe;
  std::chrono::milliseconds start_deadline{10000};
  // After stop_signal, how long to wait before SIGKILL. PostgreSQL wants
  // SIGINT (its SIGTERM waits for clients to leave).
  std::chrono::milliseconds stop_timeout{5000};
  int stop_signal = SIGTERM;
  // Runs the server as this user (PostgreSQL's initdb and postgres refuse
  // root). The folder is handed to the user; its parent ($TMPDIR or /tmp) must
  // let the user in. Not runuser/su: a credential change clears
  // PR_SET_PDEATHSIG, so the child changes user first and sets it afterwards.
  // Needs root; empty: the benchmark's own user.
  std::string run_as;
};

class ServerProcess {
 public:
  // Starts the server and waits until the probe succeeds. Throws ServerError
  // (missing program, early exit, no answer before the deadline) with nothing
  // left behind: no process, no folder. The port is picked by binding
  // 127.0.0.1:0 and closing the socket again, so another process may take it
  // before the server binds it; when the server then exits during start-up
  // saying an address is in use, the start is retried once with a new port.
  explicit ServerProcess(ServerSpec spec);
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  const ServerEndpoint& endpoint() const { return endpoint_; }
  const std::string& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  const std::string& config_text() const { return config_; }  // as written, placeholders replaced
  std::string command_line() const;                            // shell-quoted, placeholders replaced
  std::string environment() const;  // the variables of ServerSpec::env as NAME=VALUE, shell-quoted, placeholders replaced
  // What a result's metadata should record about the server.
  std::vector<std::pair<std::string, std::string>> describe() const;
  bool alive() const;
  // The last lines of the server's stdout and stderr, joined with " | ".
  std::string log_tail(int lines = 5) const;
  // Stops the server now (as the destructor would); idempotent.
  void stop();
  // A crash, for fault measurements: SIGKILL, no stop signal first, and the
  // folder kept (its data, its config, its log). Then restart() starts the same
  // command line again on the same folder, port and Unix socket, and waits for
  // the probe as the first start did (throws ServerError as the constructor
  // does, but keeps the folder: the destructor removes it). The port was
  // released by the kill, so another process could take it in between: the
  // restart then fails, it does not move to another port.
  void kill_now();
  void restart();

 private:
  bool start_once(bool& address_in_use);
  bool launch(bool& address_in_use, int log_mode, long longest_pause_ms);
  void remove_dir();

  ServerSpec spec_;
  ServerEndpoint endpoint_;
  std::string dir_;
  std::string log_path_;
  std::string config_;
  std::vector<std::string> args_;
  std::vector<std::string> env_;  // NAME=VALUE of ServerSpec::env, placeholders replaced
  pid_t pid_ = 0;
  int slot_ = -1;
};

}  // namespace hotbench
