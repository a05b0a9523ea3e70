// The floors of every row:
//   socket          the same channel written directly on a stream socket, a Unix
//                   socket (ipc) or loopback TCP, with nothing but a 4-byte
//                   length before each message. What a system adds on the same
//                   transport is its own cost.
//   queue:mutex_cv  no process boundary at all: an in-process queue (a deque under
//                   a mutex, a condition variable to wait on, as the queue suite's
//                   mutex_deque:cv) behind the same ends, driver and checks, the
//                   first rung of the latency ladder.
//
// socket:
// One sendmsg() (header and payload gathered) per message, reads of up to 256 KB parsed into frames, non-
// blocking sockets polled with the caller's timeout, TCP_NODELAY (as the NATS
// and ZeroMQ clients set it). A stream socket delivers every byte once and in
// order while the connection lives: exactly once, per-producer order.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "contract.h"

namespace hotbench::messaging {
namespace {

[[noreturn]] void fail(const std::string& what) { throw MessagingError("socket: " + what + ": " + std::strerror(errno)); }

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

// Polls one fd; true when `events` are ready within timeout.
bool wait_for(int fd, short events, Millis timeout) {
  pollfd p{fd, events, 0};
  const int n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  if (n < 0 && errno != EINTR) fail("poll");
  return n > 0;
}

void tune(int fd, Transport t) {
  if (::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) fail("fcntl");
  if (t == Transport::tcp) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
}

socklen_t address_of(const Endpoint& e, sockaddr_storage& out) {
  std::memset(&out, 0, sizeof out);
  if (e.transport == Transport::ipc) {
    auto& un = reinterpret_cast<sockaddr_un&>(out);
    un.sun_family = AF_UNIX;
    if (e.path.size() >= sizeof un.sun_path) throw MessagingError("socket path too long: " + e.path);
    std::memcpy(un.sun_path, e.path.c_str(), e.path.size() + 1);
    return sizeof un;
  }
  auto& in = reinterpret_cast<sockaddr_in&>(out);
  in.sin_family = AF_INET;
  in.sin_port = htons(static_cast<std::uint16_t>(e.port));
  if (::inet_pton(AF_INET, e.host.c_str(), &in.sin_addr) != 1) throw MessagingError("bad address " + e.host);
  return sizeof in;
}

int family(const Endpoint& e) { return e.transport == Transport::ipc ? AF_UNIX : AF_INET; }

// A connected stream carrying length-prefixed frames.
class FrameStream {
 public:
  FrameStream(Fd fd, Transport t) : fd_(std::move(fd)), buffer_(kReadChunk) { tune(fd_.get(), t); }

  bool send(Bytes message, Millis timeout) {
    const std::uint32_t length = static_cast<std::uint32_t>(message.size());
    iovec parts[2] = {{const_cast<std::uint32_t*>(&length), 4},
                      {const_cast<std::byte*>(message.data()), message.size()}};
    std::size_t total = 4 + message.size(), done = 0;
    bool first = true;
    while (done < total) {
      iovec at[2];
      int n = 0;
      std::size_t skip = done;
      for (const auto& p : parts) {
        if (skip >= p.iov_len) {
          skip -= p.iov_len;
          continue;
        }
        at[n++] = {static_cast<char*>(p.iov_base) + skip, p.iov_len - skip};
        skip = 0;
      }
      msghdr msg{};
      msg.msg_iov = at;
      msg.msg_iovlen = static_cast<std::size_t>(n);
      // MSG_NOSIGNAL: a peer that has gone is an error here, not SIGPIPE ending the benchmark.
      const ssize_t w = ::sendmsg(fd_.get(), &msg, MSG_NOSIGNAL);
      if (w > 0) {
        done += static_cast<std::size_t>(w);
        first = false;
        continue;
      }
      if (w < 0 && errno != EAGAIN && errno != EINTR) fail("write");
      // Full: nothing of this frame written yet -> not accepted; a frame begun is finished
      // (bounded: a peer that stops reading for kStuck fails the row).
      if (first && !wait_for(fd_.get(), POLLOUT, timeout)) return false;
      if (!first && !wait_for(fd_.get(), POLLOUT, kStuck)) throw MessagingError("socket: the peer stopped reading");
    }
    return true;
  }

  bool receive(std::vector<std::byte>& out, Millis timeout) {
    for (;;) {
      if (try_receive(out)) return true;
      if (!wait_for(fd_.get(), POLLIN, timeout)) return false;
    }
  }
  // A frame already here or readable now, without waiting.
  bool try_receive(std::vector<std::byte>& out) {
    for (;;) {
      if (take(out)) return true;
      if (!fill()) return false;
    }
  }
  int fd() const { return fd_.get(); }

 private:
  static constexpr std::size_t kReadChunk = 256 << 10;
  static constexpr Millis kStuck{10000};

  bool take(std::vector<std::byte>& out) {
    if (end_ - begin_ < 4) return false;
    std::uint32_t length;
    std::memcpy(&length, buffer_.data() + begin_, 4);
    if (end_ - begin_ < 4 + length) {
      if (4 + length > buffer_.size()) buffer_.resize(4 + length);
      return false;
    }
    out.assign(buffer_.begin() + static_cast<std::ptrdiff_t>(begin_ + 4),
               buffer_.begin() + static_cast<std::ptrdiff_t>(begin_ + 4 + length));
    begin_ += 4 + length;
    return true;
  }
  // Reads what is there; false when nothing was.
  bool fill() {
    if (begin_ > 0) {  // keep the partial frame at the front
      std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
      end_ -= begin_;
      begin_ = 0;
    }
    if (end_ == buffer_.size()) return true;  // a frame bigger than the buffer was just made room for
    const ssize_t r = ::read(fd_.get(), buffer_.data() + end_, buffer_.size() - end_);
    if (r == 0) throw MessagingError("socket: the peer closed the connection");
    if (r < 0) {
      if (errno == EAGAIN || errno == EINTR) return false;
      fail("read");
    }
    end_ += static_cast<std::size_t>(r);
    return true;
  }

  Fd fd_;
  std::vector<std::byte> buffer_;
  std::size_t begin_ = 0, end_ = 0;
};

// The listening end: accepts its `peers` (the producers the session sent to it; the harness opens
// every end before the first message) on first use, then reads from whichever has a frame.
class Listening {
 public:
  explicit Listening(const Endpoint& e, std::shared_ptr<const int> peers = std::make_shared<const int>(1))
      : e_(e), peers_(std::move(peers)) {
    listener_ = Fd(::socket(family(e), SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (listener_.get() < 0) fail("socket");
    int one = 1;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage a;
    const socklen_t len = address_of(e, a);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) fail("bind");
    if (::listen(listener_.get(), 64) != 0) fail("listen");
  }
  // The one peer's stream once it has connected (request-reply, one producer).
  FrameStream* stream(Millis timeout) {
    if (!accept_all(timeout)) return nullptr;
    return &streams_.front();
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) {
    if (!accept_all(timeout)) return false;
    if (streams_.size() == 1) return streams_.front().receive(out, timeout);
    for (;;) {  // several producers: round robin over those with a frame
      for (std::size_t i = 0; i < streams_.size(); ++i) {
        const std::size_t j = (next_ + i) % streams_.size();
        if (streams_[j].try_receive(out)) {
          next_ = j + 1;
          return true;
        }
      }
      std::vector<pollfd> ps;
      for (const auto& s : streams_) ps.push_back({s.fd(), POLLIN, 0});
      const int n = ::poll(ps.data(), ps.size(), static_cast<int>(timeout.count()));
      if (n < 0 && errno != EINTR) fail("poll");
      if (n == 0) return false;
    }
  }

 private:
  bool accept_all(Millis timeout) {
    while (streams_.size() < static_cast<std::size_t>(*peers_)) {
      if (!wait_for(listener_.get(), POLLIN, timeout)) return false;
      Fd fd(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (fd.get() < 0) fail("accept");
      streams_.emplace_back(std::move(fd), e_.transport);
    }
    return true;
  }

  Endpoint e_;
  std::shared_ptr<const int> peers_;
  Fd listener_;
  std::vector<FrameStream> streams_;
  std::size_t next_ = 0;
};

FrameStream connect_to(const Endpoint& e) {
  Fd fd(::socket(family(e), SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (fd.get() < 0) fail("socket");
  sockaddr_storage a;
  const socklen_t len = address_of(e, a);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&a), len) != 0) fail("connect");
  return FrameStream(std::move(fd), e.transport);
}

class SocketConsumer final : public Consumer {
 public:
  SocketConsumer(const Endpoint& e, std::shared_ptr<const int> peers) : l_(e, std::move(peers)) {}
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return l_.receive(out, timeout); }

 private:
  Listening l_;
};

class SocketProducer final : public Producer {
 public:
  explicit SocketProducer(const Endpoint& e) : s_(connect_to(e)) {}
  bool send(Bytes m, Millis timeout) override { return s_.send(m, timeout); }

 private:
  FrameStream s_;
};

class SocketReplier final : public Replier {
 public:
  explicit SocketReplier(const Endpoint& e) : l_(e) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override {
    s_ = l_.stream(timeout);
    return s_ && s_->receive(out, timeout);
  }
  void reply(Bytes m) override {
    while (!s_->send(m, Millis(1000))) {
      if (++waits_ > 10) throw MessagingError("socket: the requester stopped reading replies");
    }
    waits_ = 0;
  }

 private:
  Listening l_;
  FrameStream* s_ = nullptr;
  int waits_ = 0;
};

class SocketRequester final : public Requester {
 public:
  explicit SocketRequester(const Endpoint& e) : s_(connect_to(e)) {}
  bool send_request(Bytes m, Millis timeout) override { return s_.send(m, timeout); }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }

 private:
  FrameStream s_;
};

// Several consumers: each listens on an address of its own (the row's, then "<path>.N" or a free
// port), and producer i connects to consumer i mod N: each message goes to one consumer, the floor
// of a work queue being independent streams.
class SocketSession final : public Session {
 public:
  explicit SocketSession(const Endpoint& e) : e_(e) {}
  std::unique_ptr<Consumer> consumer() override {
    Endpoint at = e_;
    if (!consumers_.empty()) {
      at.path.append(".").append(std::to_string(consumers_.size()));  // not "." + ...: GCC 12's -Wrestrict false alarm
      if (at.transport == Transport::tcp) at.port = free_loopback_port("socket");
    }
    auto peers = std::make_shared<int>(0);
    consumers_.push_back({at, peers});
    return std::make_unique<SocketConsumer>(at, peers);
  }
  std::unique_ptr<Producer> producer() override {
    if (consumers_.empty()) return std::make_unique<SocketProducer>(e_);
    auto& [at, peers] = consumers_[producers_++ % consumers_.size()];
    ++*peers;
    return std::make_unique<SocketProducer>(at);
  }
  std::unique_ptr<Replier> replier() override { return std::make_unique<SocketReplier>(e_); }
  std::unique_ptr<Requester> requester() override { return std::make_unique<SocketRequester>(e_); }

 private:
  Endpoint e_;
  std::vector<std::pair<Endpoint, std::shared_ptr<int>>> consumers_;  // and how many producers each has
  std::size_t producers_ = 0;
};

// --- the in-process queue ---------------------------------------------------------

// A bounded FIFO of messages shared by the ends of one row. Buffers are recycled (a consumer's
// previous buffer takes the next message), so a row allocates only while the queue grows. Several
// producers and consumers share it: each message goes to one consumer, each producer's messages in
// order, every message once.
class InProcessQueue {
 public:
  bool push(Bytes m, Millis timeout) {
    std::unique_lock lock(mutex_);
    if (!not_full_.wait_for(lock, timeout, [&] { return items_.size() < kCapacity; })) return false;
    std::vector<std::byte> item;
    if (!spare_.empty()) {
      item = std::move(spare_.back());
      spare_.pop_back();
    }
    item.assign(m.begin(), m.end());
    items_.push_back(std::move(item));
    lock.unlock();
    not_empty_.notify_one();
    return true;
  }
  bool pop(std::vector<std::byte>& out, Millis timeout) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return !items_.empty(); })) return false;
    std::swap(out, items_.front());
    spare_.push_back(std::move(items_.front()));
    items_.pop_front();
    lock.unlock();
    not_full_.notify_one();
    return true;
  }

 private:
  static constexpr std::size_t kCapacity = 1024;  // messages; ZeroMQ's high-water marks are 1000
  std::mutex mutex_;
  std::condition_variable not_empty_, not_full_;
  std::deque<std::vector<std::byte>> items_;
  std::vector<std::vector<std::byte>> spare_;  // emptied buffers, reused by push
};
using Queue = std::shared_ptr<InProcessQueue>;

class QueueProducer final : public Producer {
 public:
  explicit QueueProducer(Queue q) : q_(std::move(q)) {}
  bool send(Bytes m, Millis timeout) override { return q_->push(m, timeout); }

 private:
  Queue q_;
};

class QueueConsumer final : public Consumer {
 public:
  explicit QueueConsumer(Queue q) : q_(std::move(q)) {}
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return q_->pop(out, timeout); }

 private:
  Queue q_;
};

class QueueRequester final : public Requester {
 public:
  QueueRequester(Queue requests, Queue replies) : requests_(std::move(requests)), replies_(std::move(replies)) {}
  bool send_request(Bytes m, Millis timeout) override { return requests_->push(m, timeout); }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return replies_->pop(out, timeout); }

 private:
  Queue requests_, replies_;
};

class QueueReplier final : public Replier {
 public:
  QueueReplier(Queue requests, Queue replies) : requests_(std::move(requests)), replies_(std::move(replies)) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return requests_->pop(out, timeout); }
  // One reply per request in a queue of 1024: there is always room.
  void reply(Bytes m) override {
    if (!replies_->push(m, Millis(1000))) throw MessagingError("queue: the reply queue stayed full for 1 s");
  }

 private:
  Queue requests_, replies_;
};

class QueueSession final : public Session {
 public:
  std::unique_ptr<Consumer> consumer() override { return std::make_unique<QueueConsumer>(messages_); }
  std::unique_ptr<Producer> producer() override { return std::make_unique<QueueProducer>(messages_); }
  std::unique_ptr<Replier> replier() override { return std::make_unique<QueueReplier>(requests_, replies_); }
  std::unique_ptr<Requester> requester() override { return std::make_unique<QueueRequester>(requests_, replies_); }

 private:
  Queue messages_ = std::make_shared<InProcessQueue>(), requests_ = std::make_shared<InProcessQueue>(),
        replies_ = std::make_shared<InProcessQueue>();
};

}  // namespace
}  // namespace hotbench::messaging

HOTBENCH_REGISTER(in_process_queue) {
  using namespace hotbench::messaging;
  add_system({.name = "queue:mutex_cv",
              .promise = {Guarantee::exactly_once, true},
              .transports = {Transport::inproc},
              .tasks = {Task::throughput, Task::ping_pong},
              .open = [](const Endpoint&) -> std::unique_ptr<Session> { return std::make_unique<QueueSession>(); },
              .notes = "the in-process floor: a deque of up to 1024 messages under a std::mutex, "
                       "std::condition_variable to wait on, buffers reused; several consumers pop the same queue",
              .competing_consumers = true});
}

HOTBENCH_REGISTER(raw_socket) {
  using namespace hotbench::messaging;
  add_system({.name = "socket",
              .promise = {Guarantee::exactly_once, true},
              .transports = {Transport::ipc, Transport::tcp},
              .tasks = {Task::throughput, Task::ping_pong},
              .open = [](const Endpoint& e) -> std::unique_ptr<Session> { return std::make_unique<SocketSession>(e); },
              .notes = "a stream socket with a 4-byte length per message (the floor); several consumers: "
                       "one listening socket each, producer i connected to consumer i mod N",
              .competing_consumers = true});
}
