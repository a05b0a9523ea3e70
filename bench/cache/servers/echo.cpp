// The floor of every server row: a minimal request/reply over the same
// transport, with no storage behind it. A request is a 4-byte length and the
// key; the reply is a 4-byte length and value_bytes bytes (the key repeated),
// so a GET's floor moves the same bytes a server's GET does. The server is a
// thread of the benchmark binary (one per connection), so the figure is the
// kernel's socket round trip and two thread wake-ups, and nothing else. Both
// sides read in large chunks and the server answers everything that arrived
// with one write, as Redis and memcached do.
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
#include <cstddef>
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

void set_timeouts(int fd) {
  const timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Reads a stream in large chunks and hands out exact byte counts, so a pipelined
// batch of replies costs a few recv calls, not two per reply.
class Reader {
 public:
  explicit Reader(int fd) : fd_(fd), buf_(1 << 16) {}
  // A pointer to the next n bytes (valid until the next call); null at a clean end of stream.
  const char* take(std::size_t n) {
    if (end_ - at_ < n) {
      std::memmove(buf_.data(), buf_.data() + at_, end_ - at_);
      end_ -= at_;
      at_ = 0;
      if (buf_.size() < n) buf_.resize(n);
      while (end_ < n) {
        const ssize_t r = ::recv(fd_, buf_.data() + end_, buf_.size() - end_, 0);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) sys_fail(errno == EAGAIN ? "no reply within 10 s" : "read");
        if (r == 0) {
          if (end_ == 0) return nullptr;
          throw KvError("echo: connection closed mid-message");
        }
        end_ += static_cast<std::size_t>(r);
      }
    }
    const char* p = buf_.data() + at_;
    at_ += n;
    return p;
  }
  bool buffered() const { return at_ < end_; }

 private:
  int fd_;
  std::vector<char> buf_;
  std::size_t at_ = 0, end_ = 0;
};

class EchoClient final : public Client {
 public:
  EchoClient(int fd, std::size_t value_bytes) : fd_(fd), value_bytes_(value_bytes), in_(fd) { set_timeouts(fd_); }
  ~EchoClient() override { ::close(fd_); }
  void get(std::span<const std::string> keys, GetReplies& out) override {
    out_.clear();
    for (const auto& k : keys) {
      const auto n = static_cast<std::uint32_t>(k.size());
      out_.append(reinterpret_cast<const char*>(&n), 4).append(k);
    }
    write_all(fd_, out_.data(), out_.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
      std::uint32_t n = 0;
      const char* h = in_.take(4);
      if (h) std::memcpy(&n, h, 4);
      if (!h || n != value_bytes_) throw KvError("echo: a reply of the wrong size");
      out.reply(i, true, {in_.take(n), n});
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
  std::string out_;
  Reader in_;
};

class EchoServer final : public Server {
 public:
  explicit EchoServer(const ServerOptions& o) : value_bytes_(o.value_bytes) {
    // An abstract Unix socket (Linux): a name, no file, so nothing stays behind whatever ends the
    // process. Unique per process and server.
    static std::atomic<unsigned> made{0};
    socket_name_ = "hotbench-echo-" + std::to_string(::getpid()) + "-" + std::to_string(made++);
    unix_listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un un{};
    const socklen_t un_len = abstract_address(un);
    if (unix_listener_ < 0 || ::bind(unix_listener_, reinterpret_cast<sockaddr*>(&un), un_len) != 0 ||
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
      const socklen_t un_len = abstract_address(un);
      if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&un), un_len) != 0) sys_fail("connect unix");
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
  // Answers every request that has arrived, then sends the answers with one write: a pipelined
  // batch costs the floor what it costs a server that batches its replies.
  static void serve(int fd, std::size_t value_bytes) {
    Reader in(fd);
    std::string reply;
    try {
      for (;;) {
        reply.clear();
        do {
          std::uint32_t n = 0;
          const char* h = in.take(4);
          if (!h) return;
          std::memcpy(&n, h, 4);
          if (n == 0 || n > 4096) return;
          const char* key = in.take(n);
          const auto v = static_cast<std::uint32_t>(value_bytes);
          reply.append(reinterpret_cast<const char*>(&v), 4);
          for (std::size_t i = 0; i < value_bytes; ++i) reply.push_back(key[i % n]);
        } while (in.buffered());
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
  }
  // The address of socket_name_ in the abstract namespace: sun_path starts with a NUL byte, and the
  // length counts exactly the name's bytes.
  socklen_t abstract_address(sockaddr_un& un) const {
    un.sun_family = AF_UNIX;
    un.sun_path[0] = '\0';
    std::memcpy(un.sun_path + 1, socket_name_.data(), socket_name_.size());
    return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + socket_name_.size());
  }

  std::size_t value_bytes_;
  std::string socket_name_;
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
                 "a thread of the benchmark binary per connection; an abstract Unix socket (no file), 127.0.0.1:0",
                 [](const ServerOptions& o) -> std::unique_ptr<Server> { return std::make_unique<EchoServer>(o); }});
}
