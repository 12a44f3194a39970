// raw scenario: scripted misbehaviour at the TCP level (Asio). The path of the
// first request line picks what happens; see README.md.
#include "bytegen.hpp"
#include "head_session.hpp"
#include "params.hpp"
#include "scenario.hpp"

#include <chrono>
#include <map>
#include <sstream>

namespace ls {

namespace {

constexpr std::size_t kMaxHead = 64 * 1024;

class RawSession : public HeadSession {
 public:
  RawSession(tcp::socket socket, ScenarioState& state, std::uint64_t conn)
      : HeadSession(std::move(socket), state, conn, kMaxHead) {}

 private:
  std::shared_ptr<RawSession> shared() { return self_as<RawSession>(); }

  void on_head(std::size_t n) override {
    RequestHead head = parse_request_head(in_.substr(0, n));
    std::map<std::string, std::string> params;
    std::istringstream qs(head.query);
    std::string kv;
    while (std::getline(qs, kv, '&')) {
      auto eq = kv.find('=');
      params[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    ticket_ = state_.request_begin(
        conn_, 1, RequestInfo{head.method, head.path, head.query, std::move(head.headers), 0});

    if (head.method.empty() || head.version.rfind("HTTP/", 0) != 0) {
      respond_error(400, "malformed request line");
    } else if (head.path == "/close-after-headers") {
      status_ = 200;
      finish(200);
      write("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 100\r\n" +
                seq_headers_() + "\r\n",
            [self = shared()] { self->close(); });
    } else if (head.path == "/reset") {
      boost::system::error_code ignored;
      client_.set_option(net::socket_base::linger(true, 0), ignored);
      client_.close(ignored);
      timer_.cancel();
      finish(0);
    } else if (head.path == "/never-answer") {
      never_answer();
    } else if (head.path == "/http10-close") {
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
                seq_headers_() + "\r\n",
            [self = shared()] { self->write_body(); });
    } else {
      respond_error(404, "no such raw behaviour: " + head.path.substr(0, 200));
    }
  }

  template <class Next>
  void write(std::string data, Next next) {
    out_ = std::move(data);
    net::async_write(client_, net::buffer(out_),
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
    watch_client(0);  // a client that leaves ends the request without a status
  }

  std::string out_;
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
