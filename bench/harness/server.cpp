#include "server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cctype>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string_view>

extern char** environ;

namespace hotbench {
namespace {

// --- the process-wide registry of live servers ---------------------------------
// Read from signal handlers, so it is a fixed array of plain data: a slot's
// fields are written before its pid is published and never while it is.
constexpr int kSlots = 64;
struct Slot {
  std::atomic<pid_t> pid{0};  // 0 free, -1 being filled, > 0 a live (or unreaped) server
  int stop_signal = SIGTERM;
  long stop_ms = 0;
  char dir[PATH_MAX] = {};
};
Slot g_slots[kSlots];

constexpr int kHandledSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGABRT};
constexpr int kHandledCount = sizeof kHandledSignals / sizeof kHandledSignals[0];
struct sigaction g_previous[kHandledCount];
std::once_flag g_install_once;

long monotonic_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<long>(t.tv_sec) * 1000 + t.tv_nsec / 1000000;
}

void sleep_ms(long ms) {
  timespec t{ms / 1000, (ms % 1000) * 1000000};
  nanosleep(&t, nullptr);  // an early wake-up (EINTR) only shortens one step of a bounded wait
}

// Whether the process has exited, without reaping it: while it is an unreaped
// zombie its pid cannot be reused, so a later kill() on it can hit nothing else.
bool has_exited(pid_t pid) {
  siginfo_t info{};
  if (waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) return errno == ECHILD;
  return info.si_pid == pid;
}

// Removes a folder tree with system calls only (no allocation), so a signal
// handler may call it. Bounded in depth and passes.
void remove_tree_at(int parent, const char* name, int depth) {
  if (depth > 16) return;
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    unlinkat(parent, name, 0);
    return;
  }
  alignas(8) char buf[2048];
  // Deleting while reading a directory may skip entries: read it again from
  // the start until a pass finds nothing.
  for (int pass = 0; pass < 64; ++pass) {
    lseek(fd, 0, SEEK_SET);
    bool found = false;
    for (;;) {
      long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
      if (n <= 0) break;
      for (long off = 0; off < n;) {
        unsigned short reclen;  // struct linux_dirent64: d_ino, d_off (8 bytes each), d_reclen, d_type, d_name
        std::memcpy(&reclen, buf + off + 16, sizeof reclen);
        unsigned char type = static_cast<unsigned char>(buf[off + 18]);
        const char* entry = buf + off + 19;
        off += reclen;
        if (std::strcmp(entry, ".") == 0 || std::strcmp(entry, "..") == 0) continue;
        found = true;
        if (type == DT_DIR || (unlinkat(fd, entry, 0) != 0 && errno == EISDIR)) remove_tree_at(fd, entry, depth + 1);
      }
    }
    if (!found) break;
  }
  close(fd);
  unlinkat(parent, name, AT_REMOVEDIR);
}

// Stops every registered server the way the destructor would, but with system
// calls only: the stop signal, a bounded wait, SIGKILL, the folders removed.
// The processes are left unreaped for their owners' destructors, if those run.
void stop_all_registered() {
  long longest = 0;
  for (Slot& s : g_slots) {
    pid_t pid = s.pid.load();
    if (pid > 0 && !has_exited(pid)) {
      kill(pid, s.stop_signal);
      longest = std::max(longest, s.stop_ms);
    }
  }
  for (long deadline = monotonic_ms() + longest;;) {
    bool running = false;
    for (Slot& s : g_slots) {
      pid_t pid = s.pid.load();
      running = running || (pid > 0 && !has_exited(pid));
    }
    if (!running || monotonic_ms() >= deadline) break;
    sleep_ms(10);
  }
  for (Slot& s : g_slots) {
    pid_t pid = s.pid.load();
    if (pid <= 0) continue;
    if (!has_exited(pid)) kill(pid, SIGKILL);
    for (long deadline = monotonic_ms() + 2000; !has_exited(pid) && monotonic_ms() < deadline;) sleep_ms(5);
    if (s.dir[0] != '\0') remove_tree_at(AT_FDCWD, s.dir, 0);
  }
}

void on_signal(int sig, siginfo_t* info, void* context) {
  int saved_errno = errno;
  stop_all_registered();
  for (int i = 0; i < kHandledCount; ++i) {
    if (kHandledSignals[i] != sig) continue;
    const struct sigaction& previous = g_previous[i];
    if (previous.sa_flags & SA_SIGINFO) {
      previous.sa_sigaction(sig, info, context);
    } else if (previous.sa_handler == SIG_DFL) {
      // The signal is blocked while this handler runs: raised now, it is
      // delivered with the default action (terminate, core) as we return.
      sigaction(sig, &previous, nullptr);
      raise(sig);
    } else if (previous.sa_handler != SIG_IGN) {
      previous.sa_handler(sig);
    }
  }
  errno = saved_errno;
}

void install_exit_handlers() {
  std::atexit(stop_all_registered);
  for (int i = 0; i < kHandledCount; ++i) {
    sigaction(kHandledSignals[i], nullptr, &g_previous[i]);
    // A signal the program ignores must stay ignored: nothing ends, nothing to clean.
    if (!(g_previous[i].sa_flags & SA_SIGINFO) && g_previous[i].sa_handler == SIG_IGN) continue;
    struct sigaction ours {};
    ours.sa_sigaction = on_signal;
    ours.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&ours.sa_mask);
    sigaction(kHandledSignals[i], &ours, nullptr);
  }
}

int claim_slot(const ServerSpec& spec, const std::string& dir) {
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = 0;
    if (!g_slots[i].pid.compare_exchange_strong(expected, -1)) continue;
    g_slots[i].stop_signal = spec.stop_signal;
    g_slots[i].stop_ms = static_cast<long>(spec.stop_timeout.count());
    std::snprintf(g_slots[i].dir, sizeof g_slots[i].dir, "%s", dir.c_str());
    return i;
  }
  throw ServerError(spec.name + ": more than " + std::to_string(kSlots) + " servers at once");
}

// --- start-up helpers --------------------------------------------------------------

std::string resolve_program(const ServerSpec& spec) {
  const std::string& program = spec.argv.front();
  auto runnable = [](const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
  };
  if (program.find('/') != std::string::npos) {
    if (runnable(program)) return program;
  } else {
    // Then the sbin folders, where Debian installs servers (nats-server, mosquitto) and which are not
    // on every user's PATH.
    const char* path = std::getenv("PATH");
    std::stringstream dirs((path && *path ? std::string(path) : "/usr/local/bin:/usr/bin:/bin") + ":/usr/sbin:/sbin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
      std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
      if (runnable(candidate)) return candidate;
    }
  }
  if (spec.package.empty()) throw ServerError(program + " not found (not on PATH, or not executable)");
  throw ServerError(program + " not found: install the Debian package " + spec.package + " (apt-get install " +
                    spec.package + ")");
}

const char kSocketName[] = "server.sock";

}  // namespace

std::string make_private_dir(const std::string& name) {
  std::string safe;
  for (char c : name) safe += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  safe = safe.substr(0, 40);
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = tmpdir && *tmpdir ? tmpdir : "/tmp";
  auto pattern = [&](const std::string& b) { return b + "/hotbench-" + safe + "-XXXXXX"; };
  // The socket's path must fit sun_path (108 bytes with its NUL); a long
  // $TMPDIR would make connect() and bind() fail, so use /tmp instead.
  if (pattern(base).size() + 1 + sizeof kSocketName > sizeof(sockaddr_un::sun_path)) base = "/tmp";
  std::string templ = pattern(base);
  if (::mkdtemp(templ.data()) == nullptr)
    throw ServerError(name + ": cannot create a folder in " + base + ": " + std::strerror(errno));
  return templ;
}

int free_loopback_port(const std::string& name) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ServerError(name + ": socket(): " + std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  int saved = errno;
  ::close(fd);
  if (port == 0) throw ServerError(name + ": no free loopback port: " + std::strerror(saved));
  return port;
}

namespace {

bool connect_bounded(int fd, const sockaddr* addr, socklen_t len) {
  bool ok = false;
  if (::connect(fd, addr, len) == 0) {
    ok = true;
  } else if (errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int error = 0;
    socklen_t elen = sizeof error;
    ok = ::poll(&p, 1, 200) == 1 && ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &elen) == 0 && error == 0;
  }
  // EAGAIN on a Unix socket: the backlog is full; not ready yet, try again later.
  ::close(fd);
  return ok;
}

// The endpoint's TCP address (an IPv4 or IPv6 host) or Unix socket as a sockaddr; 0 when it has none.
socklen_t socket_address(const ServerEndpoint& endpoint, bool tcp, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (!tcp) {
    auto& un = reinterpret_cast<sockaddr_un&>(out);
    if (endpoint.unix_socket.empty() || endpoint.unix_socket.size() >= sizeof un.sun_path) return 0;
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, endpoint.unix_socket.c_str(), endpoint.unix_socket.size() + 1);
    return sizeof un;
  }
  const auto port = htons(static_cast<uint16_t>(endpoint.port));
  auto& v4 = reinterpret_cast<sockaddr_in&>(out);
  if (::inet_pton(AF_INET, endpoint.host.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = port;
    return sizeof v4;
  }
  auto& v6 = reinterpret_cast<sockaddr_in6&>(out);
  if (::inet_pton(AF_INET6, endpoint.host.c_str(), &v6.sin6_addr) == 1) {
    v6.sin6_family = AF_INET6;
    v6.sin6_port = port;
    return sizeof v6;
  }
  return 0;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

std::string shell_quote(const std::string& arg) {
  bool plain = !arg.empty() && std::all_of(arg.begin(), arg.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("_@%+=:,./-", c) != nullptr;
  });
  if (plain) return arg;
  std::string quoted = "'";
  quoted += replace_all(arg, "'", "'\\''");
  quoted += '\'';
  return quoted;
}

std::string describe_status(int status) {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
                                  strsignal(WTERMSIG(status)) + ")";
  return "stopped (status " + std::to_string(status) + ")";
}

std::string format_seconds(std::chrono::milliseconds ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%g s", static_cast<double>(ms.count()) / 1000);
  return text;
}

}  // namespace

bool can_connect_tcp(const ServerEndpoint& endpoint) {
  sockaddr_storage addr;
  const socklen_t length = socket_address(endpoint, true, addr);
  if (length == 0) return false;
  int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  return connect_bounded(fd, reinterpret_cast<sockaddr*>(&addr), length);
}

UserEndpoint parse_user_endpoint(const std::string& text) {
  UserEndpoint e;
  e.text = text;
  if (text.rfind("unix:", 0) == 0) {
    e.unix_socket = true;
    e.path = text.substr(5);
    if (e.path.empty() || e.path[0] != '/') throw std::invalid_argument("unix: wants an absolute socket path");
    return e;
  }
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw std::invalid_argument("expected unix:/PATH or HOST:PORT");
  e.host = text.substr(0, colon);
  if (e.host.size() > 2 && e.host.front() == '[' && e.host.back() == ']') e.host = e.host.substr(1, e.host.size() - 2);
  try {
    std::size_t used = 0;
    e.port = std::stoi(text.substr(colon + 1), &used);
    if (used != text.size() - colon - 1 || e.port < 1 || e.port > 65535) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument("port '" + text.substr(colon + 1) + "' is not a number from 1 to 65535");
  }
  in_addr v4{};
  in6_addr v6{};
  const bool loopback = e.host == "localhost" ||
                        (inet_pton(AF_INET, e.host.c_str(), &v4) == 1 && (ntohl(v4.s_addr) >> 24) == 127) ||
                        (inet_pton(AF_INET6, e.host.c_str(), &v6) == 1 && IN6_IS_ADDR_LOOPBACK(&v6));
  if (!loopback)
    throw std::invalid_argument("host '" + e.host + "' is not a loopback address: hotbench sends load to loopback "
                                "only (127.0.0.0/8, ::1, localhost, or a Unix socket)");
  if (e.host == "localhost") e.host = "127.0.0.1";
  return e;
}

std::pair<std::string, UserEndpoint> parse_user_endpoint_item(const std::string& item) {
  const auto eq = item.find('=');
  if (eq == std::string::npos || eq == 0) throw std::invalid_argument("expected SYSTEM=ADDRESS");
  return {item.substr(0, eq), parse_user_endpoint(item.substr(eq + 1))};
}

bool can_connect_unix(const ServerEndpoint& endpoint) {
  sockaddr_storage addr;
  const socklen_t length = socket_address(endpoint, false, addr);
  if (length == 0) return false;
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  return connect_bounded(fd, reinterpret_cast<sockaddr*>(&addr), length);
}

int connect_stream(const ServerEndpoint& endpoint, bool tcp) {
  const std::string where = tcp ? endpoint.host + ":" + std::to_string(endpoint.port) : endpoint.unix_socket;
  sockaddr_storage addr;
  const socklen_t length = socket_address(endpoint, tcp, addr);
  if (length == 0) throw ServerError(where + ": not a usable address");
  const int fd = ::socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw ServerError(where + ": socket: " + std::strerror(errno));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), length) != 0) {
    const int saved = errno;
    ::close(fd);
    throw ServerError(where + ": connect: " + std::strerror(saved));
  }
  return fd;
}

ServerProcess::ServerProcess(ServerSpec spec) : spec_(std::move(spec)) {
  if (spec_.argv.empty()) throw ServerError(spec_.name + ": no command line given");
  // A client library writing to a server that died must get EPIPE (an error row), not SIGPIPE,
  // whose default action would end the whole run. Left alone if someone chose a disposition.
  static std::once_flag pipe_once;
  std::call_once(pipe_once, [] {
    struct sigaction old {};
    if (sigaction(SIGPIPE, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::signal(SIGPIPE, SIG_IGN);
  });
  if (!spec_.probe) {
    auto mentions = [&](const std::string& placeholder) {
      return spec_.config_text.find(placeholder) != std::string::npos ||
             std::any_of(spec_.argv.begin(), spec_.argv.end(),
                         [&](const std::string& a) { return a.find(placeholder) != std::string::npos; });
    };
    bool tcp = mentions("{port}"), local = mentions("{socket}");
    spec_.probe = [tcp, local](const ServerEndpoint& e) {
      if (!tcp && !local) return can_connect_tcp(e) || can_connect_unix(e);
      return (!tcp || can_connect_tcp(e)) && (!local || can_connect_unix(e));
    };
  }
  std::call_once(g_install_once, install_exit_handlers);
  for (int attempt = 1;; ++attempt) {
    bool address_in_use = false;
    try {
      if (start_once(address_in_use)) return;
    } catch (const ServerError&) {
      if (!address_in_use || attempt == 2) throw;
    }
  }
}

ServerProcess::~ServerProcess() {
  stop();
  remove_dir();
}

bool ServerProcess::start_once(bool& address_in_use) {
  std::string program = resolve_program(spec_);
  dir_ = make_private_dir(spec_.name);
  try {
    endpoint_ = ServerEndpoint{};
    endpoint_.port = free_loopback_port(spec_.name);
    endpoint_.unix_socket = dir_ + "/" + kSocketName;
    std::string config_path = spec_.config_name.empty() ? std::string() : dir_ + "/" + spec_.config_name;
    auto substitute = [&](std::string text) {
      text = replace_all(std::move(text), "{dir}", dir_);
      text = replace_all(std::move(text), "{port}", std::to_string(endpoint_.port));
      text = replace_all(std::move(text), "{socket}", endpoint_.unix_socket);
      return replace_all(std::move(text), "{config}", config_path);
    };
    config_ = substitute(spec_.config_text);
    args_.clear();
    args_.push_back(program);
    for (size_t i = 1; i < spec_.argv.size(); ++i) args_.push_back(substitute(spec_.argv[i]));
    env_.clear();
    for (const auto& [name, value] : spec_.env) env_.push_back(name + "=" + substitute(value));
    if (!config_path.empty()) {
      std::ofstream out(config_path, std::ios::binary);
      out << config_;
      if (!out.flush()) throw ServerError(spec_.name + ": cannot write " + config_path);
    }
    log_path_ = dir_ + "/server.log";
    return launch(address_in_use, O_TRUNC, 100);
  } catch (...) {
    stop();
    remove_dir();
    throw;
  }
}

void ServerProcess::kill_now() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  for (long deadline = monotonic_ms() + 5000; !has_exited(pid_) && monotonic_ms() < deadline;) sleep_ms(1);
  stop();  // reaps it and frees its slot; the folder stays
}

void ServerProcess::restart() {
  if (dir_.empty()) throw ServerError(spec_.name + ": nothing to restart (its folder is gone)");
  stop();
  bool address_in_use = false;
  try {
    // The log keeps the first life's lines. Probed every 5 ms at most (a start-up is probed up to
    // every 100 ms), so that the time until it answers is a figure of the fault task's.
    launch(address_in_use, O_APPEND, 5);
  } catch (...) {
    stop();
    throw;
  }
}

// Forks and execs args_ in dir_ (already prepared), then waits for the probe, pausing from 5 ms up
// to `longest_pause_ms` between tries. On failure the caller stops the server; `address_in_use`
// says whether the log blamed the port.
bool ServerProcess::launch(bool& address_in_use, int log_mode, long longest_pause_ms) {
  const std::string& program = args_.front();
  int log = ::open(log_path_.c_str(), O_WRONLY | O_CREAT | log_mode | O_CLOEXEC, 0600);
  uid_t uid = 0;
  gid_t gid = 0;
  if (!spec_.run_as.empty()) {
    std::vector<char> buf(16384);
    passwd entry{}, *found = nullptr;
    if (::getpwnam_r(spec_.run_as.c_str(), &entry, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
      if (log >= 0) ::close(log);
      throw ServerError(spec_.name + ": no user " + spec_.run_as + " to run it as");
    }
    uid = entry.pw_uid;
    gid = entry.pw_gid;
    std::error_code ignored;
    for (const auto& item : std::filesystem::recursive_directory_iterator(dir_, ignored))
      (void)::chown(item.path().c_str(), uid, gid);
    if (::chown(dir_.c_str(), uid, gid) != 0) {
      int saved = errno;
      if (log >= 0) ::close(log);
      throw ServerError(spec_.name + ": cannot hand " + dir_ + " to user " + spec_.run_as + ": " +
                        std::strerror(saved));
    }
  }
  int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int exec_error[2] = {-1, -1};
  if (log < 0 || devnull < 0 || ::pipe2(exec_error, O_CLOEXEC) != 0) {
    int saved = errno;
    for (int fd : {log, devnull}) if (fd >= 0) ::close(fd);
    throw ServerError(spec_.name + ": cannot prepare its log in " + dir_ + ": " + std::strerror(saved));
  }
  std::vector<char*> argv;
  for (std::string& a : args_) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The benchmark's environment with ServerSpec::env over it, made before fork (the child may only
  // make async-signal-safe calls).
  std::vector<char*> envp;
  for (char** e = environ; *e; ++e) {
    const std::string_view entry(*e);
    const auto overridden = [&](const std::string& set) {
      const auto eq = set.find('=');
      return entry.size() > eq && entry.compare(0, eq + 1, set, 0, eq + 1) == 0;
    };
    if (std::none_of(env_.begin(), env_.end(), overridden)) envp.push_back(*e);
  }
  for (std::string& e : env_) envp.push_back(e.data());
  envp.push_back(nullptr);

  slot_ = claim_slot(spec_, dir_);
  // Our signals stay blocked from fork() until the pid is in the registry, so
  // a Ctrl-C in between cannot miss the new child.
  sigset_t handled, previous_mask;
  sigemptyset(&handled);
  for (int sig : kHandledSignals) sigaddset(&handled, sig);
  pthread_sigmask(SIG_BLOCK, &handled, &previous_mask);
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to execve: the parent may have threads.
    // Changing user clears PR_SET_PDEATHSIG, so it comes first.
    if (!spec_.run_as.empty() &&
        (::setgroups(1, &gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)) {
      int error = errno;
      ssize_t ignored = ::write(exec_error[1], &error, sizeof error);
      (void)ignored;
      ::_exit(127);
    }
    // The kernel SIGKILLs us when the thread that forked us dies; if the parent
    // died before prctl took effect, nobody would, hence the check.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);
    // Deliberately no setsid()/setpgid(): the runner's killpg must reach us.
    ::dup2(devnull, 0);
    ::dup2(log, 1);
    ::dup2(log, 2);
    // The benchmark's other descriptors (its output pipes, result files) must
    // not be held open by a server that may outlive a killed benchmark.
    if (exec_error[1] > 3) ::close_range(3, static_cast<unsigned>(exec_error[1]) - 1, 0);
    ::close_range(static_cast<unsigned>(exec_error[1]) + 1, ~0U, 0);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig)
      if (sig != SIGKILL && sig != SIGSTOP) ::sigaction(sig, &dfl, nullptr);  // ignored signals survive exec
    ::pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
    ::execve(argv[0], argv.data(), envp.data());
    int error = errno;
    ssize_t ignored = ::write(exec_error[1], &error, sizeof error);
    (void)ignored;
    ::_exit(127);
  }
  int fork_errno = errno;
  if (pid > 0) {
    pid_ = pid;
    g_slots[slot_].pid.store(pid);
  }
  pthread_sigmask(SIG_SETMASK, &previous_mask, nullptr);
  ::close(log);
  ::close(devnull);
  ::close(exec_error[1]);
  if (pid < 0) {
    ::close(exec_error[0]);
    throw ServerError(spec_.name + ": fork(): " + std::strerror(fork_errno));
  }
  // Closed by execve (success: end of file) or carrying its errno (failure).
  int exec_errno = 0;
  ssize_t n;
  do n = ::read(exec_error[0], &exec_errno, sizeof exec_errno);
  while (n < 0 && errno == EINTR);
  ::close(exec_error[0]);
  if (n == static_cast<ssize_t>(sizeof exec_errno))
    throw ServerError(spec_.name + ": cannot run " + program +
                      (spec_.run_as.empty() ? "" : " as user " + spec_.run_as) + ": " + std::strerror(exec_errno));

  const long deadline = monotonic_ms() + static_cast<long>(spec_.start_deadline.count());
  for (long pause = 5;; pause = std::min(pause * 2, longest_pause_ms)) {
    if (has_exited(pid_)) {
      int status = 0;
      ::waitpid(pid_, &status, WNOHANG);
      g_slots[slot_].pid.store(0);
      slot_ = -1;
      pid_ = 0;
      std::string tail = log_tail();
      std::string lower = tail;
      for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      address_in_use = lower.find("in use") != std::string::npos;
      throw ServerError(spec_.name + " " + describe_status(status) + " during start-up: " + tail);
    }
    if (spec_.probe(endpoint_)) return true;
    if (monotonic_ms() >= deadline)
      throw ServerError(spec_.name + " did not answer within " + format_seconds(spec_.start_deadline) + ": " +
                        log_tail());
    sleep_ms(std::min(pause, std::max(1L, deadline - monotonic_ms())));
  }
}

void ServerProcess::stop() {
  if (pid_ > 0) {
    ::kill(pid_, spec_.stop_signal);
    const long deadline = monotonic_ms() + static_cast<long>(spec_.stop_timeout.count());
    while (!has_exited(pid_) && monotonic_ms() < deadline) sleep_ms(10);
    if (!has_exited(pid_)) {
      ::kill(pid_, SIGKILL);
      // SIGKILL ends a process unless it sits in an uninterruptible kernel
      // wait; after 5 s we give up waiting rather than hang the benchmark.
      for (long kill_deadline = monotonic_ms() + 5000; !has_exited(pid_) && monotonic_ms() < kill_deadline;)
        sleep_ms(5);
    }
    // Out of the registry before it is reaped: after waitpid the pid may be reused.
    if (slot_ >= 0) g_slots[slot_].pid.store(0);
    slot_ = -1;
    int status = 0;
    ::waitpid(pid_, &status, WNOHANG);
    pid_ = 0;
  }
  if (slot_ >= 0) {
    g_slots[slot_].pid.store(0);
    slot_ = -1;
  }
}

void ServerProcess::remove_dir() {
  if (dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
}

bool ServerProcess::alive() const { return pid_ > 0 && !has_exited(pid_); }

std::string ServerProcess::log_tail(int lines) const {
  std::ifstream in(log_path_, std::ios::binary);
  if (!in) return "(no log)";
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  std::streamoff start = std::max<std::streamoff>(0, size - 8192);
  in.seekg(start);
  std::string text(static_cast<size_t>(size - start), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  std::vector<std::string> kept;
  std::stringstream stream(text);
  for (std::string line; std::getline(stream, line);) {
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    if (!line.empty()) kept.push_back(line);
  }
  if (kept.empty()) return "(nothing in its log)";
  std::string joined;
  for (size_t i = kept.size() > static_cast<size_t>(lines) ? kept.size() - lines : 0; i < kept.size(); ++i)
    joined += (joined.empty() ? "" : " | ") + kept[i];
  return joined;
}

std::string ServerProcess::command_line() const {
  std::string line;
  for (const std::string& a : args_) {
    if (!line.empty()) line += ' ';
    line += shell_quote(a);  // appended, not "x" + string: GCC 12 -O3 reports a false -Wrestrict there
  }
  return line;
}

std::string ServerProcess::environment() const {
  std::string line;
  for (const std::string& e : env_) {
    if (!line.empty()) line += ' ';
    line += shell_quote(e);
  }
  return line;
}

std::vector<std::pair<std::string, std::string>> ServerProcess::describe() const {
  return {{"server", spec_.name},
          {"package", spec_.package},
          {"command", command_line()},
          {"environment", environment()},
          {"config_file", spec_.config_name},
          {"config", config_},
          {"host", endpoint_.host},
          {"port", std::to_string(endpoint_.port)},
          {"unix_socket", endpoint_.unix_socket},
          {"dir", dir_},
          {"user", spec_.run_as}};
}

}  // namespace hotbench
