// raw scenario: scripted misbehaviour at the TCP level (Asio). The path of the
// first request line picks what happens; see README.md.
#include "asio_listener.hpp"
#include "bytegen.hpp"
#include "params.hpp"
#include "scenario.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <sstream>

namespace ls {

namespace {

constexpr std::size_t kMaxHead = 64 * 1024;

class RawSession : public AsioSession {
 public:
  RawSession(tcp::socket socket, ScenarioState& state, std::uint64_t conn)
      : AsioSession(state, conn),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        buf_(in_, kMaxHead) {}

  void start() override {
    // A client that never finishes its request head is dropped after 5 s.
    timer_.expires_after(std::chrono::seconds(5));
    timer_.async_wait([self = shared()](boost::system::error_code ec) {
      if (!ec && !self->got_head_) {
        self->close();
      }
    });
    net::async_read_until(
        socket_, buf_, "\r\n\r\n",
        [self = shared()](boost::system::error_code ec, std::size_t n) { self->on_head(ec, n); });
  }

  void abort() override {
    aborted_ = true;
    close();
  }

 private:
  std::shared_ptr<RawSession> shared() { return std::static_pointer_cast<RawSession>(shared_from_this()); }

  void close() {
    boost::system::error_code ec;
    timer_.cancel();
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    finish(0);
  }

  void finish(int status) {
    if (ticket_ && !ended_) {
      ended_ = true;
      state_.request_end(*ticket_, status_ ? status_ : status);
    }
  }

  void on_head(boost::system::error_code ec, std::size_t n) {
    if (ec || aborted_) {
      close();
      return;
    }
    got_head_ = true;
    timer_.cancel();
    std::string head = in_.substr(0, n);
    std::istringstream lines(head);
    std::string line;
    std::getline(lines, line);
    if (!line.empty() && line.back() == '\r') {
      line.pop_back();
    }
    std::istringstream rl(line);
    std::string method, target, version;
    rl >> method >> target >> version;
    HeaderList headers;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      auto colon = line.find(':');
      if (colon != std::string::npos) {
        auto v = line.substr(colon + 1);
        v.erase(0, v.find_first_not_of(" \t"));
        headers.emplace_back(line.substr(0, colon), v);
      }
    }
    auto q = target.find('?');
    path_ = target.substr(0, q);
    std::string query = q == std::string::npos ? "" : target.substr(q + 1);
    std::map<std::string, std::string> params;
    std::istringstream qs(query);
    std::string kv;
    while (std::getline(qs, kv, '&')) {
      auto eq = kv.find('=');
      params[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    ticket_ = state_.request_begin(conn_, 1, RequestInfo{method, path_, query, std::move(headers), 0});

    if (method.empty() || version.rfind("HTTP/", 0) != 0) {
      respond_error(400, "malformed request line");
    } else if (path_ == "/close-after-headers") {
      status_ = 200;
      finish(200);
      write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n" +
                headers_() + "\r\n",
            [self = shared()] { self->close(); });
    } else if (path_ == "/reset") {
      boost::system::error_code ignored;
      socket_.set_option(net::socket_base::linger(true, 0), ignored);
      socket_.close(ignored);
      timer_.cancel();
      finish(0);
    } else if (path_ == "/never-answer") {
      never_answer();
    } else if (path_ == "/http10-close") {
      try {
        remaining_ = static_cast<std::size_t>(
            params.count("bytes") ? parse_int(params["bytes"], 0, 64ll << 20, "bytes") : 1024);
        seed_ = static_cast<std::uint64_t>(
            params.count("seed") ? parse_int(params["seed"], 0, 0xffffffffll, "seed") : 0);
      } catch (const BadRequest& e) {
        respond_error(400, e.what());
        return;
      }
      status_ = 200;
      write("HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n" +
                headers_() + "\r\n",
            [self = shared()] { self->write_body(); });
    } else {
      respond_error(404, "no such raw behaviour: " + path_.substr(0, 200));
    }
  }

  std::string headers_() const { return seq_headers(conn_, 1, ticket_ ? ticket_->seq : 0); }

  void respond_error(int status, const std::string& reason) {
    status_ = status;
    finish(status);
    std::string body =
        nlohmann::json({{"error", reason}})
            .dump(-1, ' ', false,
                  nlohmann::json::error_handler_t::replace);  // invalid UTF-8 in reason must not throw
    write("HTTP/1.1 " + std::to_string(status) + (status == 404 ? " Not Found" : " Bad Request") +
              "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
              std::to_string(body.size()) + "\r\n" + headers_() + "\r\n" + body,
          [self = shared()] { self->close(); });
  }

  template <class Next>
  void write(std::string data, Next next) {
    out_ = std::move(data);
    net::async_write(socket_, net::buffer(out_),
                     [self = shared(), next](boost::system::error_code ec, std::size_t) {
                       if (ec || self->aborted_) {
                         self->close();
                         return;
                       }
                       next();
                     });
  }

  // Close-delimited body: bytes of the generator, then the end of the connection.
  void write_body() {
    if (remaining_ == 0) {
      close();
      return;
    }
    std::size_t n = std::min<std::size_t>(remaining_, 64 * 1024);
    std::string chunk(n, '\0');
    gen_fill(seed_, offset_, chunk.data(), n);
    offset_ += n;
    remaining_ -= n;
    write(std::move(chunk), [self = shared()] { self->write_body(); });
  }

  // Holds the connection without answering until the client leaves, the
  // scenario stops, or 60 s pass.
  void never_answer() {
    timer_.expires_after(std::chrono::seconds(60));
    timer_.async_wait([self = shared()](boost::system::error_code ec) {
      if (!ec) {
        self->close();
      }
    });
    watch_client();
  }

  void watch_client() {
    socket_.async_read_some(net::buffer(sink_), [self = shared()](boost::system::error_code ec, std::size_t) {
      if (self->aborted_ || !self->socket_.is_open()) {
        return;
      }
      if (ec) {
        if (self->ticket_) {
          self->state_.request_client_gone(*self->ticket_);
        }
        self->close();
        return;
      }
      self->watch_client();  // discard whatever else the client sends
    });
  }

  tcp::socket socket_;
  net::steady_timer timer_;
  std::string in_;
  net::dynamic_string_buffer<char, std::char_traits<char>, std::allocator<char>> buf_;
  std::string out_;
  std::array<char, 4096> sink_{};
  std::string path_;
  std::optional<ScenarioState::Ticket> ticket_;
  bool ended_ = false;
  bool got_head_ = false;
  bool aborted_ = false;
  int status_ = 0;
  std::size_t remaining_ = 0;
  std::uint64_t offset_ = 0;
  std::uint64_t seed_ = 0;
};

}  // namespace

std::unique_ptr<Scenario> make_raw_scenario(const std::string& id, const std::string& name,
                                            const std::string& host) {
  return make_asio_scenario<RawSession>(id, "raw", name, host);
}

}  // namespace ls
