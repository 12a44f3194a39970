#include "asio_listener.hpp"

#include <cstdio>
#include <exception>

namespace ls {

AsioListener::AsioListener(ScenarioState& state, Factory factory)
    : state_(state), factory_(std::move(factory)) {}

AsioListener::~AsioListener() {
  stop();
}

int AsioListener::start(const std::string& host) {
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) {
    return -1;
  }
  tcp::endpoint ep(addr, 0);
  acceptor_.open(ep.protocol(), ec);
  if (!ec) {
    acceptor_.bind(ep, ec);
  }
  if (!ec) {
    acceptor_.listen(1024, ec);
  }
  if (ec) {
    return -1;
  }
  int port = acceptor_.local_endpoint().port();
  do_accept();
  thread_ = std::thread([this] {
    // A handler that throws must cost one session, not the whole listener.
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "localserver: %s scenario %s: handler threw: %s\n", state_.kind().c_str(),
                     state_.id().c_str(), e.what());
      }
    }
  });
  return port;
}

void AsioListener::do_accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
        return;
      }
      do_accept();  // e.g. EMFILE: keep serving the others
      return;
    }
    socket.set_option(tcp::no_delay(true), ec);
    std::uint64_t conn = state_.conn_open();
    auto session = factory_(std::move(socket), state_, conn);
    for (auto it = sessions_.begin(); it != sessions_.end();) {
      it = it->second.expired() ? sessions_.erase(it) : std::next(it);
    }
    sessions_[conn] = session;
    session->start();
    do_accept();
  });
}

void AsioListener::stop() {
  if (stopped_) {
    return;
  }
  stopped_ = true;
  state_.stop();
  if (thread_.joinable()) {
    net::post(ioc_, [this] {
      boost::system::error_code ec;
      acceptor_.close(ec);
      for (auto& [id, w] : sessions_) {
        if (auto s = w.lock()) {
          s->abort();
        }
      }
      sessions_.clear();
      // Handlers still queued are destroyed with the io_context, which also
      // destroys (and so accounts the close of) their sessions.
      ioc_.stop();
    });
    thread_.join();
  }
}

std::string seq_headers(std::uint64_t conn, std::uint64_t conn_seq, std::uint64_t seq) {
  return "X-Conn-Id: " + std::to_string(conn) + "\r\nX-Conn-Seq: " + std::to_string(conn_seq) +
         "\r\nX-Request-Seq: " + std::to_string(seq) + "\r\n";
}

}  // namespace ls
