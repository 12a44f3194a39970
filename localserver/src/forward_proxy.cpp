// proxy scenario: a forward HTTP proxy to loopback targets (Asio), one request per client
// connection. See forward_proxy.hpp and README.md.
#include "forward_proxy.hpp"

#include "head_session.hpp"

#include <array>
#include <cctype>

namespace ls {

namespace {

constexpr std::size_t kProxyMaxHead = 64 * 1024;
constexpr std::size_t kProxyMaxBody = 1024 * 1024;

std::string ascii_lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// Hop-by-hop headers a proxy does not forward (RFC 9110 7.6.1, plus the proxy's own).
bool hop_by_hop(const std::string& name) {
  const std::string n = ascii_lower(name);
  return n == "connection" || n == "proxy-connection" || n == "keep-alive" || n == "proxy-authorization" ||
         n == "te" || n == "trailer" || n == "upgrade";
}

class ProxySession : public HeadSession {
 public:
  ProxySession(tcp::socket socket, ScenarioState& state, std::uint64_t conn)
      : HeadSession(std::move(socket), state, conn, kProxyMaxHead + kProxyMaxBody),
        upstream_(client_.get_executor()) {}

 private:
  std::shared_ptr<ProxySession> shared() { return self_as<ProxySession>(); }

  void close() override {
    boost::system::error_code ec;
    upstream_.shutdown(tcp::socket::shutdown_both, ec);
    upstream_.close(ec);
    HeadSession::close();
  }

  void on_head(std::size_t n) override {
    RequestHead head = parse_request_head(in_.substr(0, n));
    const std::string& method = head.method;
    method_ = method;
    std::uint64_t body_size = 0;
    bool chunked = false, bad_length = false;
    for (const auto& [name, value] : head.headers) {
      const std::string lname = ascii_lower(name);
      if (lname == "content-length") {
        try {
          std::size_t used = 0;
          body_size = std::stoull(value, &used);
          bad_length = used != value.size();
        } catch (const std::exception&) {
          bad_length = true;
        }
      } else if (lname == "transfer-encoding") {
        chunked = true;
      }
    }
    headers_ = std::move(head.headers);
    ticket_ = state_.request_begin(conn_, 1, RequestInfo{method, head.path, head.query, headers_, body_size});
    in_.erase(0, n);

    std::string reason;
    if (method.empty() || head.version.rfind("HTTP/", 0) != 0) {
      respond_error(400, "malformed request line");
    } else if (method == "CONNECT") {
      respond_error(405, "CONNECT is not supported: this proxy forwards plain http:// requests only");
    } else if (!(target_ = parse_proxy_target(head.target, reason))) {
      respond_error(400, reason);
    } else if (!is_loopback_host(target_->host)) {
      respond_error(
          403, "refused: target host " + target_->host.substr(0, 200) +
                   " is not a loopback address (this proxy forwards to 127.0.0.0/8, ::1 and localhost only)");
    } else if (chunked) {
      respond_error(411, "chunked request bodies are not supported; send Content-Length");
    } else if (bad_length || body_size > kProxyMaxBody) {
      respond_error(413, "Content-Length must be a decimal number up to " + std::to_string(kProxyMaxBody));
    } else if (in_.size() >= body_size) {
      connect_upstream(static_cast<std::size_t>(body_size));
    } else {
      net::async_read(client_, buf_, net::transfer_exactly(static_cast<std::size_t>(body_size) - in_.size()),
                      [self = shared(), body_size](boost::system::error_code ec2, std::size_t) {
                        if (ec2 || self->aborted_) {
                          self->close();
                          return;
                        }
                        self->connect_upstream(static_cast<std::size_t>(body_size));
                      });
    }
  }

  void connect_upstream(std::size_t body_size) {
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(target_->host == "localhost" ? "127.0.0.1" : target_->host, ec);
    if (ec) {
      respond_error(400, "target host " + target_->host.substr(0, 200) + " is not an address");
      return;
    }
    std::string out = method_ + " " + target_->path_and_query + " HTTP/1.1\r\n";
    for (const auto& [name, value] : headers_) {
      if (!hop_by_hop(name)) {
        out += name + ": " + value + "\r\n";
      }
    }
    out += "Connection: close\r\n\r\n";
    out.append(in_, 0, body_size);
    up_out_ = std::move(out);
    upstream_.async_connect(tcp::endpoint(addr, static_cast<unsigned short>(target_->port)),
                            [self = shared()](boost::system::error_code ec2) {
                              if (self->aborted_) {
                                return;
                              }
                              if (ec2) {
                                self->respond_error(502, "cannot connect to the target: " + ec2.message());
                                return;
                              }
                              net::async_write(self->upstream_, net::buffer(self->up_out_),
                                               [self](boost::system::error_code ec3, std::size_t) {
                                                 if (ec3 || self->aborted_) {
                                                   self->close();
                                                   return;
                                                 }
                                                 self->relay();
                                                 // A client that leaves while its request is
                                                 // forwarded ends the target connection too.
                                                 self->watch_client(499);
                                               });
                            });
  }

  // Target -> client until the target closes; the status of its first line goes to the log.
  void relay() {
    upstream_.async_read_some(net::buffer(up_buf_), [self = shared()](boost::system::error_code ec,
                                                                      std::size_t n) {
      if (self->aborted_) {
        return;
      }
      if (ec) {
        self->finish(self->status_ ? self->status_ : 502);
        boost::system::error_code ignored;
        self->client_.shutdown(tcp::socket::shutdown_send, ignored);
        self->close();
        return;
      }
      if (!self->status_) {
        self->head_seen_.append(self->up_buf_.data(), std::min<std::size_t>(n, 32 - self->head_seen_.size()));
        if (self->head_seen_.size() >= 12 && self->head_seen_.rfind("HTTP/", 0) == 0) {
          try {
            self->status_ = std::stoi(self->head_seen_.substr(9, 3));
          } catch (const std::exception&) {
            self->status_ = 502;
          }
        }
      }
      net::async_write(self->client_, net::buffer(self->up_buf_.data(), n),
                       [self](boost::system::error_code ec2, std::size_t) {
                         if (ec2 || self->aborted_) {
                           self->close();
                           return;
                         }
                         self->relay();
                       });
    });
  }

  tcp::socket upstream_;
  HeaderList headers_;
  std::string method_;
  std::optional<ProxyTarget> target_;
  std::string up_out_, head_seen_;
  std::array<char, 16384> up_buf_{};
};

}  // namespace

std::optional<ProxyTarget> parse_proxy_target(const std::string& target, std::string& reason) {
  const std::string scheme = "http://";
  if (ascii_lower(target.substr(0, scheme.size())) != scheme) {
    reason =
        "a forward proxy takes absolute-form targets (http://host:port/path), got " + target.substr(0, 200);
    return std::nullopt;
  }
  const std::size_t start = scheme.size();
  const std::size_t slash = target.find_first_of("/?", start);
  const std::string authority =
      target.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
  ProxyTarget t;
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      reason = "unterminated IPv6 address in " + authority.substr(0, 200);
      return std::nullopt;
    }
    t.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        reason = "bad authority " + authority.substr(0, 200);
        return std::nullopt;
      }
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    t.host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (t.host.empty() || t.host.find('@') != std::string::npos) {
    reason = "bad authority " + authority.substr(0, 200);
    return std::nullopt;
  }
  if (!port.empty()) {
    if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 ||
        std::stoi(port) > 65535) {
      reason = "bad port " + port.substr(0, 20);
      return std::nullopt;
    }
    t.port = std::stoi(port);
  }
  t.path_and_query = slash == std::string::npos ? "/" : target.substr(slash);
  if (t.path_and_query.front() == '?') {
    t.path_and_query.insert(0, "/");
  }
  return t;
}

bool is_loopback_host(const std::string& host) {
  if (ascii_lower(host) == "localhost") {
    return true;
  }
  boost::system::error_code ec;
  const auto addr = net::ip::make_address(host, ec);
  return !ec && addr.is_loopback();
}

std::unique_ptr<Scenario> make_proxy_scenario(const std::string& id, const std::string& name,
                                              const std::string& host) {
  return make_asio_scenario<ProxySession>(id, "proxy", name, host);
}

}  // namespace ls
