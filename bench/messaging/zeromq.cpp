// ZeroMQ 4.3 through cppzmq 4.9 (Debian's libzmq3-dev, cppzmq-dev): no broker.
//   zeromq:push_pull  PUSH -> PULL, the throughput task;
//   zeromq:req_rep    REQ <-> REP, the ping_pong task;
//   zeromq:pub_sub    PUB -> SUBs, the fan_out task;
// over inproc (one context per row), ipc (a socket in a private folder) and
// tcp (127.0.0.1, a free port). The consumer/replier binds, the producer/
// requester connects (several consumers: a PULL bound per consumer, and
// every PUSH connected to all of them; PUB/SUB: the PUB binds). Default socket options except LINGER 0 (closing never
// waits for unsent messages) and the send/receive timeouts the harness asks
// for. ZeroMQ promises no delivery (a message in a pipe whose connection
// drops is gone) but keeps each pipe in order: at most once, per-producer order.
#include <zmq.hpp>

#include <cstring>

#include "contract.h"

namespace hotbench::messaging {
namespace {

std::string address_of(const Endpoint& e) {
  switch (e.transport) {
    case Transport::inproc: return "inproc://" + e.name;
    case Transport::ipc: return "ipc://" + e.path;
    case Transport::tcp: return "tcp://" + e.host + ":" + std::to_string(e.port);
  }
  return "";
}

// One socket, its timeouts set only when the caller's change.
class Socket {
 public:
  Socket(zmq::context_t& ctx, zmq::socket_type type) : s_(ctx, type) { s_.set(zmq::sockopt::linger, 0); }
  Socket(zmq::context_t& ctx, zmq::socket_type type, const std::string& address, bool bind) : Socket(ctx, type) {
    if (bind) this->bind(address);
    else connect(address);
  }
  // The address bound: `address` itself, or with the port chosen when it asked for any ("tcp://host:*").
  std::string bind(const std::string& address) {
    try {
      s_.bind(address);
      return s_.get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t& e) {
      throw MessagingError("zeromq: bind " + address + ": " + e.what());
    }
  }
  void connect(const std::string& address) {
    try {
      s_.connect(address);
    } catch (const zmq::error_t& e) {
      throw MessagingError("zeromq: connect " + address + ": " + e.what());
    }
  }
  void subscribe_all() { s_.set(zmq::sockopt::subscribe, ""); }

  bool send(Bytes m, Millis timeout) {
    timeouts(timeout, send_ms_, zmq::sockopt::sndtimeo);
    try {
      return s_.send(zmq::const_buffer(m.data(), m.size()), zmq::send_flags::none).has_value();
    } catch (const zmq::error_t& e) {
      throw MessagingError(std::string("zeromq: send: ") + e.what());
    }
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) {
    timeouts(timeout, receive_ms_, zmq::sockopt::rcvtimeo);
    try {
      if (!s_.recv(message_, zmq::recv_flags::none)) return false;
    } catch (const zmq::error_t& e) {
      throw MessagingError(std::string("zeromq: receive: ") + e.what());
    }
    const auto* data = static_cast<const std::byte*>(message_.data());
    out.assign(data, data + message_.size());
    return true;
  }

 private:
  template <class Option>
  void timeouts(Millis timeout, int& current, Option option) {
    const int ms = static_cast<int>(timeout.count());
    if (ms != current) s_.set(option, current = ms);
  }

  zmq::socket_t s_;
  zmq::message_t message_;
  int send_ms_ = -2, receive_ms_ = -2;
};

// Connected to every PULL of the row: PUSH hands each message to one of them, round robin among
// those whose pipe has room.
class PushProducer final : public Producer {
 public:
  PushProducer(zmq::context_t& ctx, const std::vector<std::string>& consumers) : s_(ctx, zmq::socket_type::push) {
    for (const auto& a : consumers) s_.connect(a);
  }
  bool send(Bytes m, Millis timeout) override { return s_.send(m, timeout); }

 private:
  Socket s_;
};

class PullConsumer final : public Consumer {
 public:
  PullConsumer(zmq::context_t& ctx, const std::string& a) : s_(ctx, zmq::socket_type::pull) { bound_ = s_.bind(a); }
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }
  const std::string& bound() const { return bound_; }

 private:
  Socket s_;
  std::string bound_;
};

// PUB binds, each SUB connects and subscribes to everything. A SUB's subscription reaches the PUB a
// moment after it connects (the harness's sentinels wait for it); a PUB drops what a subscriber's
// full pipe (SNDHWM, RCVHWM) cannot take, never waiting.
class PubProducer final : public Producer {
 public:
  PubProducer(zmq::context_t& ctx, const std::string& a) : s_(ctx, zmq::socket_type::pub) { s_.bind(a); }
  bool send(Bytes m, Millis timeout) override { return s_.send(m, timeout); }

 private:
  Socket s_;
};

class SubConsumer final : public Consumer {
 public:
  SubConsumer(zmq::context_t& ctx, const std::string& a) : s_(ctx, zmq::socket_type::sub) {
    s_.subscribe_all();
    s_.connect(a);
  }
  bool receive(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }

 private:
  Socket s_;
};

class ReqRequester final : public Requester {
 public:
  ReqRequester(zmq::context_t& ctx, const std::string& a) : s_(ctx, zmq::socket_type::req, a, false) {}
  bool send_request(Bytes m, Millis timeout) override { return s_.send(m, timeout); }
  bool await_reply(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }

 private:
  Socket s_;
};

class RepReplier final : public Replier {
 public:
  RepReplier(zmq::context_t& ctx, const std::string& a) : s_(ctx, zmq::socket_type::rep, a, true) {}
  bool receive_request(std::vector<std::byte>& out, Millis timeout) override { return s_.receive(out, timeout); }
  void reply(Bytes m) override {
    for (int i = 0; !s_.send(m, Millis(100)); ++i)
      if (i == 50) throw MessagingError("zeromq: the reply was not taken within 5 s");
  }

 private:
  Socket s_;
};

class ZmqSession final : public Session {
 public:
  ZmqSession(const Endpoint& e, bool pub_sub) : e_(e), address_(address_of(e)), pub_sub_(pub_sub) {}
  // The first PULL binds the row's address; each further one an address of its own (tcp: a port the
  // system chooses), which the producers opened after it connect to.
  std::unique_ptr<Consumer> consumer() override {
    const std::string n = std::to_string(pulls_.size());
    const std::string a = pulls_.empty() ? address_
                          : e_.transport == Transport::tcp ? "tcp://" + e_.host + ":*"
                                                           : address_ + "." + n;
    auto c = std::make_unique<PullConsumer>(ctx_, a);
    pulls_.push_back(c->bound());
    return c;
  }
  std::unique_ptr<Producer> producer() override {
    if (pub_sub_) return std::make_unique<PubProducer>(ctx_, address_);
    return std::make_unique<PushProducer>(ctx_, pulls_.empty() ? std::vector<std::string>{address_} : pulls_);
  }
  std::unique_ptr<Consumer> subscriber() override {
    if (!pub_sub_) return Session::subscriber();
    return std::make_unique<SubConsumer>(ctx_, address_);
  }
  std::unique_ptr<Replier> replier() override { return std::make_unique<RepReplier>(ctx_, address_); }
  std::unique_ptr<Requester> requester() override { return std::make_unique<ReqRequester>(ctx_, address_); }

 private:
  zmq::context_t ctx_;  // destroyed after every socket (the ends go first), so its term() never waits
  Endpoint e_;
  std::string address_;
  bool pub_sub_;
  std::vector<std::string> pulls_;  // the addresses the PULLs bound, in the order they were opened
};

std::unique_ptr<Session> open(const Endpoint& e) { return std::make_unique<ZmqSession>(e, false); }
std::unique_ptr<Session> open_pub_sub(const Endpoint& e) { return std::make_unique<ZmqSession>(e, true); }

}  // namespace
}  // namespace hotbench::messaging

HOTBENCH_REGISTER(zeromq) {
  using namespace hotbench::messaging;
  const std::vector<Transport> all = {Transport::inproc, Transport::ipc, Transport::tcp};
  add_system({.name = "zeromq:push_pull",
              .promise = {Guarantee::at_most_once, true},
              .transports = all,
              .tasks = {Task::throughput},
              .open = open,
              .notes = "PUSH connects, PULL binds; LINGER 0, other options default (SNDHWM/RCVHWM 1000); several "
                       "consumers: a PULL bound per consumer, every PUSH connected to all of them",
              .competing_consumers = true});
  add_system({.name = "zeromq:pub_sub",
              .promise = {Guarantee::at_most_once, true},
              .transports = all,
              .tasks = {Task::fan_out},
              .open = open_pub_sub,
              .notes = "PUB binds, SUB connects and subscribes to everything; LINGER 0, other options default "
                       "(SNDHWM/RCVHWM 1000: the PUB drops what a subscriber's full pipe cannot take)"});
  add_system({.name = "zeromq:req_rep",
              .promise = {Guarantee::at_most_once, true},
              .transports = all,
              .tasks = {Task::ping_pong},
              .open = open,
              .notes = "REQ connects, REP binds; LINGER 0, other options default"});
}
