// ServerProcess against a stand-in server that exists everywhere: python3
// running a small echo server written into the server's folder as its config.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

#include "harness/server.h"

namespace hotbench {
namespace {

// What a forked child wrote on its report pipe, once it closed it; closes the read end.
std::string read_report(int fd) {
  std::string text;
  char buf[512];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

namespace fs = std::filesystem;
using std::chrono::milliseconds;

// Echoes every byte on a Unix socket (argv[1]) and a loopback TCP port (argv[2]).
// PREAMBLE lines let a test change its behaviour before it listens.
const char kEchoServer[] = R"(import selectors, signal, socket, sys, os
PREAMBLE
sel = selectors.DefaultSelector()
u = socket.socket(socket.AF_UNIX)
u.bind(sys.argv[1])
t = socket.socket()
t.bind(("127.0.0.1", int(sys.argv[2])))
for s in (u, t):
    s.listen()
    sel.register(s, selectors.EVENT_READ)
print("listening", flush=True)
while True:
    for key, _ in sel.select():
        s = key.fileobj
        if s in (u, t):
            c, _ = s.accept()
            sel.register(c, selectors.EVENT_READ)
        else:
            data = s.recv(4096)
            if data:
                s.sendall(data)
            else:
                sel.unregister(s)
                s.close()
)";

std::string echo_script(const std::string& preamble = "") {
  std::string text = kEchoServer;
  return text.replace(text.find("PREAMBLE"), 8, preamble);
}

ServerSpec echo_spec(const std::string& preamble = "") {
  ServerSpec spec;
  spec.name = "echo";
  spec.package = "python3";
  spec.argv = {"/usr/bin/python3", "{config}", "{socket}", "{port}"};
  spec.config_name = "echo.py";
  spec.config_text = echo_script(preamble);
  return spec;
}

std::string round_trip(int fd, const std::string& message) {
  if (::send(fd, message.data(), message.size(), 0) != static_cast<ssize_t>(message.size())) return "(send failed)";
  std::string reply;
  char buf[256];
  while (reply.size() < message.size()) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return reply;
}

int connected_unix(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  return fd;
}

int connected_tcp(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0) << std::strerror(errno);
  return fd;
}

bool gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

std::string error_of(const std::function<void()>& start) {
  try {
    start();
  } catch (const ServerError& e) {
    return e.what();
  }
  return "(started)";
}

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// Each test gets its own $TMPDIR, so it can check that nothing was left in it.
class Server : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    had_tmpdir_ = old != nullptr;
    if (old) old_tmpdir_ = old;
    char templ[] = "/tmp/hbtest-XXXXXX";
    ASSERT_NE(::mkdtemp(templ), nullptr);
    root_ = templ;
    ::setenv("TMPDIR", root_.c_str(), 1);
  }
  void TearDown() override {
    EXPECT_TRUE(fs::is_empty(root_)) << "a server folder was left in " << root_;
    fs::remove_all(root_);
    if (had_tmpdir_) ::setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    else ::unsetenv("TMPDIR");
  }
  fs::path root_;
  std::string old_tmpdir_;
  bool had_tmpdir_ = false;
};

TEST_F(Server, StartsAndEchoesOverUnixSocketAndTcp) {
  ServerProcess server(echo_spec());
  const ServerEndpoint& e = server.endpoint();
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_GT(e.port, 0);
  EXPECT_EQ(fs::path(e.unix_socket).parent_path(), fs::path(server.dir()));
  EXPECT_EQ(fs::path(server.dir()).parent_path(), root_);
  EXPECT_EQ(fs::path(server.dir()).filename().string().rfind("hotbench-echo-", 0), 0u);
  EXPECT_TRUE(server.alive());
  EXPECT_EQ(round_trip(connected_unix(e.unix_socket), "over unix"), "over unix");
  EXPECT_EQ(round_trip(connected_tcp(e.port), "over tcp"), "over tcp");
  // The config was written with its placeholders resolved, and run from the folder.
  std::ifstream config(server.dir() + "/echo.py");
  std::string written((std::istreambuf_iterator<char>(config)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, server.config_text());
  EXPECT_EQ(server.command_line(), "/usr/bin/python3 " + server.dir() + "/echo.py " + e.unix_socket + " " +
                                       std::to_string(e.port));
  bool has_command = false;
  for (const auto& [key, value] : server.describe()) has_command = has_command || (key == "command" && value == server.command_line());
  EXPECT_TRUE(has_command);
  EXPECT_NE(server.log_tail().find("listening"), std::string::npos) << server.log_tail();
}

// ServerSpec::env reaches the server, placeholders replaced, over the benchmark's own variable of
// the same name, and the rest of the benchmark's environment is kept.
TEST_F(Server, EnvironmentIsSetOverTheBenchmarksOwn) {
  ::setenv("HOTBENCH_TEST_OVERRIDDEN", "benchmark", 1);
  ::setenv("HOTBENCH_TEST_KEPT", "kept", 1);
  ServerSpec spec;
  spec.name = "env";
  spec.argv = {"/bin/sh", "-c", "echo \"$HOTBENCH_TEST_OVERRIDDEN $HOTBENCH_TEST_KEPT\" > {dir}/env.tmp && "
                                "mv {dir}/env.tmp {dir}/env.txt && exec sleep 60"};
  spec.env = {{"HOTBENCH_TEST_OVERRIDDEN", "server:{port}"}};
  spec.probe = [](const ServerEndpoint& e) {
    return fs::exists(fs::path(e.unix_socket).parent_path() / "env.txt");
  };
  ServerProcess server(spec);
  ::unsetenv("HOTBENCH_TEST_OVERRIDDEN");
  ::unsetenv("HOTBENCH_TEST_KEPT");
  std::ifstream in(server.dir() + "/env.txt");
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "server:" + std::to_string(server.endpoint().port) + " kept");
  EXPECT_EQ(server.environment(), "HOTBENCH_TEST_OVERRIDDEN=server:" + std::to_string(server.endpoint().port));
}

TEST_F(Server, DestructorStopsTheProcessAndRemovesTheFolder) {
  pid_t pid;
  std::string dir;
  {
    ServerProcess server(echo_spec());
    pid = server.pid();
    dir = server.dir();
    ASSERT_GT(pid, 0);
    ASSERT_TRUE(fs::is_directory(dir));
  }
  EXPECT_TRUE(gone(pid));
  EXPECT_FALSE(fs::exists(dir));
}

// The fault measurements' crash: SIGKILL keeps the folder (the server's data), and the restart runs
// the same command line on the same folder, port and Unix socket.
TEST_F(Server, KillNowKeepsTheFolderAndRestartComesBackOnTheSamePortAndFolder) {
  // A killed server leaves its Unix socket's file behind, which bind() refuses (Redis removes it too).
  ServerProcess server(echo_spec("if os.path.exists(sys.argv[1]): os.unlink(sys.argv[1])"));
  const int port = server.endpoint().port;
  const std::string dir = server.dir();
  const pid_t first = server.pid();
  std::ofstream(dir + "/data") << "kept";
  server.kill_now();
  EXPECT_TRUE(gone(first));
  EXPECT_FALSE(server.alive());
  EXPECT_TRUE(fs::exists(dir + "/data"));
  server.restart();
  EXPECT_TRUE(server.alive());
  EXPECT_NE(server.pid(), first);
  EXPECT_EQ(server.endpoint().port, port);
  EXPECT_EQ(server.dir(), dir);
  EXPECT_EQ(round_trip(connected_tcp(port), "again over tcp"), "again over tcp");
  EXPECT_EQ(round_trip(connected_unix(server.endpoint().unix_socket), "again over unix"), "again over unix");
}

TEST_F(Server, MissingProgramNamesItsDebianPackage) {
  ServerSpec spec = echo_spec();
  spec.name = "redis-server";
  spec.package = "redis-server";
  spec.argv = {"hotbench-no-such-server", "--port", "{port}"};
  std::string error = error_of([&] { ServerProcess server(spec); });
  EXPECT_EQ(error, "hotbench-no-such-server not found: install the Debian package redis-server "
                   "(apt-get install redis-server)");
}

TEST_F(Server, ExitDuringStartUpIsAnErrorWithItsStatusAndLog) {
  ServerSpec spec = echo_spec();
  spec.config_text = "import sys\nprint('cannot open the data file', flush=True)\nsys.exit(3)\n";
  std::string error = error_of([&] { ServerProcess server(spec); });
  EXPECT_NE(error.find("echo exited with status 3 during start-up"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot open the data file"), std::string::npos) << error;
}

TEST_F(Server, PortTakenByAnotherProcessIsRetriedOnceWithANewPort) {
  // The first start says what a server says when its port was taken in the
  // meantime; the marker (outside the server's folder) makes the second start work.
  fs::path marker = root_.parent_path() / ("hbtest-marker-" + std::to_string(::getpid()));
  fs::remove(marker);
  std::string preamble = "marker = '" + marker.string() + "'\n"
                         "if not os.path.exists(marker):\n"
                         "    open(marker, 'w').close()\n"
                         "    print('bind: Address already in use', flush=True)\n"
                         "    sys.exit(1)\n";
  {
    ServerProcess server(echo_spec(preamble));
    EXPECT_EQ(round_trip(connected_tcp(server.endpoint().port), "retried"), "retried");
  }
  EXPECT_TRUE(fs::exists(marker));
  fs::remove(marker);
}

TEST_F(Server, NoAnswerBeforeTheDeadlineIsAnErrorAndLeavesNoProcess) {
  fs::path pid_file = root_.parent_path() / ("hbtest-pid-" + std::to_string(::getpid()));
  ServerSpec spec = echo_spec();
  spec.argv = {"/usr/bin/python3", "{config}", pid_file.string()};
  spec.config_text = "import os, sys, time\nopen(sys.argv[1], 'w').write(str(os.getpid()))\n"
                     "print('warming up', flush=True)\ntime.sleep(60)\n";
  spec.start_deadline = milliseconds(1000);
  std::string error = error_of([&] { ServerProcess server(spec); });
  EXPECT_NE(error.find("echo did not answer within 1 s: warming up"), std::string::npos) << error;
  pid_t pid = read_pid(pid_file);
  fs::remove(pid_file);
  ASSERT_GT(pid, 0);
  EXPECT_TRUE(gone(pid));
}

TEST_F(Server, ServerIgnoringTheStopSignalIsKilled) {
  ServerSpec spec = echo_spec("signal.signal(signal.SIGTERM, signal.SIG_IGN)\n");
  spec.stop_timeout = milliseconds(300);
  pid_t pid;
  {
    ServerProcess server(spec);
    pid = server.pid();
    ::kill(pid, SIGTERM);
    ::usleep(100 * 1000);
    ASSERT_TRUE(server.alive()) << "the stand-in did not ignore SIGTERM";
  }
  EXPECT_TRUE(gone(pid));
}

TEST_F(Server, LongTmpdirFallsBackToAShortFolderForTheSocket) {
  fs::path long_root = root_ / std::string(100, 'd');
  fs::create_directories(long_root);
  ::setenv("TMPDIR", long_root.c_str(), 1);
  std::string dir;
  {
    ServerProcess server(echo_spec());
    dir = server.dir();
    EXPECT_EQ(fs::path(dir).parent_path(), fs::path("/tmp"));
    EXPECT_LT(server.endpoint().unix_socket.size(), sizeof(sockaddr_un::sun_path));
    EXPECT_EQ(round_trip(connected_unix(server.endpoint().unix_socket), "short"), "short");
  }
  EXPECT_FALSE(fs::exists(dir));
  fs::remove_all(long_root);
}

// How a server ended after its owner (a forked child of the test) started it
// and then _exit()ed without any cleanup, the way a crash or SIGKILL ends the
// benchmark binary.
struct Orphaned {
  pid_t server = 0;
  std::string dir;
  bool reaped = false;
  int status = 0;
};

Orphaned orphan_a_server(const ServerSpec& spec) {
  // Orphans are re-parented to us, so we can see how the server ended (and
  // reap it; PID 1 in a container may never do so).
  Orphaned result;
  EXPECT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  if (::pipe(report) != 0) return result;
  pid_t owner = ::fork();
  if (owner == 0) {
    ::close(report[0]);
    int code = 1;
    try {
      auto* server = new ServerProcess(spec);  // never deleted: the process ends without cleanup
      std::string line = std::to_string(server->pid()) + " " + server->dir() + "\n";
      if (::write(report[1], line.data(), line.size()) == static_cast<ssize_t>(line.size())) code = 0;
    } catch (const std::exception& e) {
      ssize_t ignored = ::write(report[1], e.what(), std::strlen(e.what()));
      (void)ignored;
    }
    ::_exit(code);
  }
  ::close(report[1]);
  const std::string line = read_report(report[0]);
  int status = 0;
  EXPECT_EQ(::waitpid(owner, &status, 0), owner);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ADD_FAILURE() << "the child could not start its server: " << line;
    ::prctl(PR_SET_CHILD_SUBREAPER, 0);
    return result;
  }
  result.server = std::stoi(line);
  result.dir = line.substr(line.find(' ') + 1);
  result.dir.pop_back();
  for (int i = 0; i < 300 && !result.reaped; ++i) {
    result.reaped = ::waitpid(result.server, &result.status, WNOHANG) == result.server;
    if (!result.reaped) ::usleep(10 * 1000);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  if (!result.reaped) ::kill(result.server, SIGKILL);  // the test failed; leave nothing behind anyway
  return result;
}

// PR_SET_PDEATHSIG: the server dies with the process that started it.
TEST_F(Server, ServerDiesWithTheProcessThatStartedIt) {
  Orphaned o = orphan_a_server(echo_spec());
  ASSERT_GT(o.server, 0);
  ASSERT_TRUE(o.reaped) << "the server outlived its owner";
  EXPECT_TRUE(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGKILL);
  EXPECT_TRUE(gone(o.server));
  // Documented: with no code of ours running, the folder stays behind.
  EXPECT_TRUE(fs::exists(o.dir));
  fs::remove_all(o.dir);
}

uid_t uid_of(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("Uid:", 0) == 0) return static_cast<uid_t>(std::stoul(line.substr(4)));
  return static_cast<uid_t>(-1);
}

TEST_F(Server, RunsAsAnotherUserAndStillDiesWithItsOwner) {
  if (::geteuid() != 0) GTEST_SKIP() << "changing user needs root";
  passwd* nobody = ::getpwnam("nobody");
  if (nobody == nullptr) GTEST_SKIP() << "no user nobody";
  uid_t nobody_uid = nobody->pw_uid;
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  ServerSpec spec = echo_spec();
  spec.run_as = "nobody";
  {
    ServerProcess server(spec);
    EXPECT_EQ(uid_of(server.pid()), nobody_uid);
    EXPECT_EQ(round_trip(connected_unix(server.endpoint().unix_socket), "as nobody"), "as nobody");
  }
  Orphaned o = orphan_a_server(spec);
  ASSERT_GT(o.server, 0);
  EXPECT_TRUE(o.reaped && WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGKILL)
      << "the server outlived its owner: changing user must not have cleared PR_SET_PDEATHSIG";
  fs::remove_all(o.dir);
}

TEST_F(Server, UnknownUserIsAnError) {
  ServerSpec spec = echo_spec();
  spec.run_as = "hotbench-no-such-user";
  EXPECT_EQ(error_of([&] { ServerProcess server(spec); }), "echo: no user hotbench-no-such-user to run it as");
}

// Ctrl-C: the handler stops the server and removes its folder, then the
// signal's default action ends the process.
TEST_F(Server, InterruptStopsTheServerAndRemovesItsFolder) {
  ASSERT_EQ(::prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  pid_t owner = ::fork();
  ASSERT_GE(owner, 0);
  if (owner == 0) {
    ::close(report[0]);
    try {
      ServerProcess server(echo_spec());
      std::string line = std::to_string(server.pid()) + " " + server.dir() + "\n";
      if (::write(report[1], line.data(), line.size()) != static_cast<ssize_t>(line.size())) ::_exit(1);
      ::raise(SIGINT);
    } catch (...) {
    }
    ::_exit(1);  // not reached when the handler re-raises SIGINT with its default action
  }
  ::close(report[1]);
  const std::string line = read_report(report[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(owner, &status, 0), owner);
  ASSERT_FALSE(line.empty()) << "the child could not start its server";
  pid_t server_pid = std::stoi(line);
  std::string dir = line.substr(line.find(' ') + 1);
  dir.pop_back();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) << "status " << status;
  // The handler waited for the server's exit before re-raising; the zombie
  // was then handed to us.
  int server_status = 0;
  pid_t reaped = 0;
  for (int i = 0; i < 300 && reaped == 0; ++i) {
    reaped = ::waitpid(server_pid, &server_status, WNOHANG);
    if (reaped == 0) ::usleep(10 * 1000);
  }
  ::prctl(PR_SET_CHILD_SUBREAPER, 0);
  if (reaped == 0) ::kill(server_pid, SIGKILL);
  EXPECT_EQ(reaped, server_pid);
  EXPECT_TRUE(WIFSIGNALED(server_status) && WTERMSIG(server_status) == SIGTERM) << server_status;
  EXPECT_FALSE(fs::exists(dir));
}

// A user's endpoint may be the IPv6 loopback ([::1]:PORT, which parse_user_endpoint accepts): it is
// reached, and found gone, like an IPv4 one; an address that is neither is an error that names it.
TEST(Endpoint, AnIpv6LoopbackIsReachedAndAMissingListenerIsSaid) {
  const int listener = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_loopback;
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listener, 4) != 0) {
    if (listener >= 0) ::close(listener);
    GTEST_SKIP() << "no IPv6 loopback on this machine";
  }
  socklen_t length = sizeof addr;
  ASSERT_EQ(::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &length), 0);
  ServerEndpoint e;
  e.host = "::1";
  e.port = ntohs(addr.sin6_port);
  EXPECT_TRUE(can_connect_tcp(e));
  const int fd = connect_stream(e, true);
  EXPECT_GE(fd, 0);
  ::close(fd);
  ::close(listener);
  EXPECT_FALSE(can_connect_tcp(e));
  try {
    ::close(connect_stream(e, true));
    ADD_FAILURE() << "connected to a closed port";
  } catch (const ServerError& error) {
    EXPECT_NE(std::string(error.what()).find("::1:" + std::to_string(e.port) + ": connect"), std::string::npos)
        << error.what();
  }
  ServerEndpoint nowhere;
  nowhere.host = "cache.example.com";
  EXPECT_THROW(connect_stream(nowhere, true), ServerError);
}

}  // namespace
}  // namespace hotbench
