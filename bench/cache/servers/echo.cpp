// The floor of every server row: a minimal request/reply over the same
// transport, with no storage behind it. A request is a 4-byte length and the
// key; the reply is a 4-byte length and value_bytes bytes (the key repeated),
// so a GET's floor moves the same bytes a server's GET does. The server is a
// thread of the benchmark binary (one per connection), so the figure is the
// kernel's socket round trip and two thread wake-ups, and nothing else.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "kv.h"

namespace hotbench::cache::kv {
namespace {

[[noreturn]] void sys_fail(const std::string& what) { throw KvError("echo: " + what + ": " + std::strerror(errno)); }

void write_all(int fd, const char* p, std::size_t n) {
  while (n) {
    const ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) sys_fail("write");
    p += w;
    n -= static_cast<std::size_t>(w);
  }
}

// Reads exactly n bytes; false on a clean end of stream before the first byte.
bool read_all(int fd, char* p, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd, p + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) sys_fail(errno == EAGAIN ? "no reply within 10 s" : "read");
    if (r == 0) {
      if (got == 0) return false;
      throw KvError("echo: connection closed mid-message");
    }
    got += static_cast<std::size_t>(r);
  }
  return true;
}

void set_timeouts(int fd) {
  const timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

class EchoClient final : public Client {
 public:
  EchoClient(int fd, std::size_t value_bytes) : fd_(fd), value_bytes_(value_bytes) { set_timeouts(fd_); }
  ~EchoClient() override { ::close(fd_); }
  void get(std::span<const std::string> keys, GetReplies& out) override {
    out_.clear();
    for (const auto& k : keys) {
      const auto n = static_cast<std::uint32_t>(k.size());
      out_.append(reinterpret_cast<const char*>(&n), 4).append(k);
    }
    write_all(fd_, out_.data(), out_.size());
    in_.resize(value_bytes_);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::uint32_t n = 0;
      if (!read_all(fd_, reinterpret_cast<char*>(&n), 4) || n != value_bytes_ || !read_all(fd_, in_.data(), n))
        throw KvError("echo: a reply of the wrong size");
      out.reply(i, true, {in_.data(), n});
    }
  }
  void set(std::span<const std::string>, std::span<const std::string_view>) override {
    throw KvError("echo: the floor stores nothing");
  }
  void del(std::span<const std::string>) override { throw KvError("echo: the floor stores nothing"); }
  ServerStats stats() override { return {}; }
  void reset_stats() override {}

 private:
  int fd_;
  std::size_t value_bytes_;
  std::string out_, in_;
};

class EchoServer final : public Server {
 public:
  explicit EchoServer(const ServerOptions& o) : value_bytes_(o.value_bytes) {
    char tmpl[] = "/tmp/hotbench-echo-XXXXXX";
    if (!::mkdtemp(tmpl)) sys_fail("mkdtemp");
    dir_ = tmpl;
    socket_path_ = dir_ + "/echo.sock";
    unix_listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un un{};
    un.sun_family = AF_UNIX;
    std::strncpy(un.sun_path, socket_path_.c_str(), sizeof un.sun_path - 1);
    if (unix_listener_ < 0 || ::bind(unix_listener_, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0 ||
        ::listen(unix_listener_, 64) != 0) {
      cleanup();
      sys_fail("unix socket");
    }
    tcp_listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in in{};
    in.sin_family = AF_INET;
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof in;
    if (tcp_listener_ < 0 || ::bind(tcp_listener_, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0 ||
        ::listen(tcp_listener_, 64) != 0 || ::getsockname(tcp_listener_, reinterpret_cast<sockaddr*>(&in), &len) != 0) {
      cleanup();
      sys_fail("tcp socket");
    }
    port_ = ntohs(in.sin_port);
  }
  ~EchoServer() override { cleanup(); }

  std::unique_ptr<Client> connect(Transport t) override {
    int fd;
    if (t == Transport::tcp) {
      fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in in{};
      in.sin_family = AF_INET;
      in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      in.sin_port = htons(static_cast<std::uint16_t>(port_));
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&in), sizeof in) != 0) sys_fail("connect tcp");
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    } else {
      fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_un un{};
      un.sun_family = AF_UNIX;
      std::strncpy(un.sun_path, socket_path_.c_str(), sizeof un.sun_path - 1);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&un), sizeof un) != 0) sys_fail("connect unix");
    }
    accept_one(t == Transport::tcp ? tcp_listener_ : unix_listener_);
    return std::make_unique<EchoClient>(fd, value_bytes_);
  }
  bool alive() const override { return true; }
  std::vector<std::pair<std::string, std::string>> describe() const override {
    return {{"server", "a thread of the benchmark binary per connection"}, {"reply_bytes", std::to_string(value_bytes_)}};
  }

 private:
  // One serving thread per accepted connection; it ends when the client closes.
  void accept_one(int listener) {
    const int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) sys_fail("accept");
    const int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // harmless on a Unix socket (EOPNOTSUPP)
    {
      std::lock_guard lock(mutex_);
      served_.push_back(fd);
    }
    threads_.emplace_back([fd, vb = value_bytes_] { serve(fd, vb); });
  }
  static void serve(int fd, std::size_t value_bytes) {
    std::string key, reply;
    try {
      for (;;) {
        std::uint32_t n = 0;
        if (!read_all(fd, reinterpret_cast<char*>(&n), 4) || n == 0 || n > 4096) return;
        key.resize(n);
        if (!read_all(fd, key.data(), n)) return;
        reply.resize(4 + value_bytes);
        const auto v = static_cast<std::uint32_t>(value_bytes);
        std::memcpy(reply.data(), &v, 4);
        for (std::size_t i = 0; i < value_bytes; ++i) reply[4 + i] = key[i % n];
        write_all(fd, reply.data(), reply.size());
      }
    } catch (const KvError&) {
      // the client went away mid-message: nothing to answer
    }
  }
  void cleanup() {
    {
      std::lock_guard lock(mutex_);
      for (int fd : served_) ::shutdown(fd, SHUT_RDWR);  // wakes the serving threads
    }
    for (auto& t : threads_) t.join();
    for (int fd : served_) ::close(fd);
    threads_.clear();
    served_.clear();
    if (unix_listener_ >= 0) ::close(unix_listener_);
    if (tcp_listener_ >= 0) ::close(tcp_listener_);
    unix_listener_ = tcp_listener_ = -1;
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }

  std::size_t value_bytes_;
  std::string dir_, socket_path_;
  int unix_listener_ = -1, tcp_listener_ = -1, port_ = 0;
  std::mutex mutex_;
  std::vector<int> served_;
  std::vector<std::thread> threads_;
};

}  // namespace
}  // namespace hotbench::cache::kv

HOTBENCH_REGISTER(echo) {
  using namespace hotbench::cache::kv;
  systems().add({"echo",
                 {Transport::unix_socket, Transport::tcp},
                 {},
                 true,
                 false,
                 [](const ServerOptions& o) -> std::unique_ptr<Server> { return std::make_unique<EchoServer>(o); }});
}
