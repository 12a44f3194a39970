// ws scenario: WebSocket echo on /websocket/echo (Boost.Beast, async, one io
// thread). Text messages starting with '!' are commands; see README.md.
#include "asio_listener.hpp"
#include "params.hpp"
#include "scenario.hpp"
#include "tls_spec.hpp"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#if LOCALSERVER_TLS
#include "tls_conn.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/ssl.hpp>
#endif
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <optional>
#include <type_traits>

namespace ls {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

constexpr std::size_t kDefaultMaxSize = 16u * 1024 * 1024;
constexpr std::int64_t kMaxSize = 64ll * 1024 * 1024;

struct Target {
  std::string path;
  std::string query;
  std::map<std::string, std::string> params;
};

// How long a connection may take to send its first bytes, its TLS handshake and then its upgrade
// request: the http listener's idle limit (ServerLimits::keep_alive_timeout_s). A TLS client checks
// the certificate chain before it sends the request, and 64 of them at once under Wine took longer
// than 5 s.
constexpr auto kRequestWait = std::chrono::seconds(30);

Target split_target(std::string_view target) {
  Target t;
  auto q = target.find('?');
  t.path = std::string(target.substr(0, q));
  if (q != std::string_view::npos) {
    t.query = std::string(target.substr(q + 1));
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
      auto amp = rest.find('&');
      auto kv = rest.substr(0, amp);
      auto eq = kv.find('=');
      t.params[std::string(kv.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(kv.substr(eq + 1));
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    }
  }
  return t;
}

#if LOCALSERVER_TLS
// A failed server handshake in the words of conn_entry.cpp's (OpenSSL's reason where there is one).
std::string tls_error_reason(const beast::error_code& ec) {
  if (ec.category() == net::error::get_ssl_category()) {
    const char* reason = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    return reason ? reason : ec.message();
  }
  if (ec == beast::error::timeout) {
    return "timed out waiting for the client";
  }
  if (ec == net::ssl::error::stream_truncated || ec == net::error::eof) {
    return "client closed the connection during the handshake";
  }
  if (ec == net::error::connection_reset) {
    return "client reset the connection during the handshake";
  }
  return ec.message();
}
#endif

// Next: beast::tcp_stream, or an ssl_stream over one for a wss listener.
template <class Next>
class WsSession : public AsioSession {
 public:
  static constexpr bool kTls = !std::is_same_v<Next, beast::tcp_stream>;

  // Args: the socket, and for TLS the listener's ssl::context.
  template <class... Args>
  WsSession(ScenarioState& state, std::uint64_t conn, Args&&... args)
      : AsioSession(state, conn), ws_(std::forward<Args>(args)...), timer_(ws_.get_executor()) {}

  // The first bytes decide what the connection speaks (see conn_entry.hpp for http): a client
  // that sends nothing within kRequestWait is dropped.
  void start() override {
    timer_.expires_after(kRequestWait);
    timer_.async_wait([self = shared()](beast::error_code ec) {
      if (!ec && !self->entered_) {
        beast::error_code ignored;
        self->socket().close(ignored);
      }
    });
    socket().async_wait(tcp::socket::wait_read,
                        [self = shared()](beast::error_code ec) { self->on_first(ec); });
  }

  void abort() override {
    aborted_ = true;
    timer_.cancel();
    beast::error_code ec;
    socket().close(ec);
  }

 private:
  std::shared_ptr<WsSession> shared() { return std::static_pointer_cast<WsSession>(shared_from_this()); }
  tcp::socket& socket() { return beast::get_lowest_layer(ws_).socket(); }

  void on_first(beast::error_code ec) {
    entered_ = true;
    timer_.cancel();
    unsigned char first = 0;
    std::size_t n = 0;
    if (!ec && !aborted_) {
      n = socket().receive(net::buffer(&first, 1), tcp::socket::message_peek, ec);
    }
    if (ec || n == 0 || aborted_) {
      if (kTls && !aborted_) {
        state_.tls_failed(conn_, "client closed the connection before the ClientHello");
      }
      return;
    }
    bool hello = first == kTlsHandshakeRecord;
    if (hello != kTls) {
      state_.wrong_protocol();
      if (kTls) {
        static const std::string body =
            nlohmann::json({{"error", "plain HTTP request on a TLS listener: use wss"}}).dump();
        out_ =
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n"
            "Content-Length: " +
            std::to_string(body.size()) + "\r\n\r\n" + body;
      }
      net::async_write(socket(), net::buffer(out_), [self = shared()](beast::error_code, std::size_t) {
        beast::error_code ignored;
        self->socket().shutdown(tcp::socket::shutdown_send, ignored);
        self->timer_.expires_after(std::chrono::seconds(1));
        self->timer_.async_wait([self](beast::error_code e) {
          if (!e) {
            beast::error_code ignored2;
            self->socket().close(ignored2);
          }
        });
        self->drain();
      });
      return;
    }
    handshake();
  }

  // Reads and drops what the client still sends until it closes (or 1 s passes), so that our
  // close does not become a reset.
  void drain() {
    socket().async_read_some(net::buffer(sink_), [self = shared()](beast::error_code ec, std::size_t) {
      if (ec) {
        self->timer_.cancel();
        beast::error_code ignored;
        self->socket().close(ignored);
        return;
      }
      self->drain();
    });
  }

  void handshake() {
#if LOCALSERVER_TLS
    if constexpr (kTls) {
      beast::get_lowest_layer(ws_).expires_after(kRequestWait);
      ws_.next_layer().async_handshake(
          net::ssl::stream_base::server, [self = shared()](beast::error_code ec) {
            if (ec) {
              self->state_.tls_failed(self->conn_, tls_error_reason(ec));
              return;
            }
            self->state_.tls_done(self->conn_, tls_facts(self->ws_.next_layer().native_handle()));
            self->read_request();
          });
      return;
    }
#endif
    read_request();
  }

  void read_request() {
    beast::get_lowest_layer(ws_).expires_after(kRequestWait);
    http::async_read(ws_.next_layer(), buffer_, req_,
                     [self = shared()](beast::error_code ec, std::size_t) { self->on_request(ec); });
  }

  ScenarioState::Ticket begin(const std::string& method, const std::string& path, const std::string& query,
                              HeaderList headers, std::uint64_t size) {
    RequestInfo info{method, path, query, std::move(headers), size};
    return state_.request_begin(conn_, ++conn_seq_, std::move(info));
  }

  void reject(int status, const std::string& reason, const Target& t) {
    HeaderList headers;
    for (const auto& f : req_) {
      headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    auto ticket =
        begin(std::string(req_.method_string()), t.path, t.query, std::move(headers), req_.body().size());
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(status),
                                                                   req_.version());
    res->set(http::field::content_type, "application/json");
    res->set("X-Conn-Id", std::to_string(conn_));
    res->set("X-Conn-Seq", std::to_string(conn_seq_));
    res->set("X-Request-Seq", std::to_string(ticket.seq));
    res->keep_alive(false);
    res->body() =
        nlohmann::json({{"error", reason}})
            .dump(-1, ' ', false,
                  nlohmann::json::error_handler_t::replace);  // invalid UTF-8 in reason must not throw
    res->prepare_payload();
    http::async_write(ws_.next_layer(), *res,
                      [self = shared(), res, ticket, status](beast::error_code, std::size_t) {
                        self->state_.request_end(ticket, status);
                        beast::error_code ec;
                        beast::get_lowest_layer(self->ws_).socket().shutdown(tcp::socket::shutdown_both, ec);
                      });
  }

  void on_request(beast::error_code ec) {
    if (ec || aborted_) {
      return;  // slow, malformed or vanished client: drop the connection
    }
    Target t = split_target(std::string_view(req_.target().data(), req_.target().size()));
    if (t.path != "/websocket/echo") {
      reject(404, "no such endpoint: " + t.path.substr(0, 200), t);
      return;
    }
    if (!websocket::is_upgrade(req_)) {
      reject(400, "/websocket/echo needs a WebSocket upgrade request", t);
      return;
    }
    try {
      max_size_ = t.params.count("max_size")
                      ? static_cast<std::size_t>(parse_int(t.params["max_size"], 1, kMaxSize, "max_size"))
                      : kDefaultMaxSize;
      fragment_ = t.params.count("fragment")
                      ? static_cast<std::size_t>(parse_int(t.params["fragment"], 0, kMaxSize, "fragment"))
                      : 0;
    } catch (const BadRequest& e) {
      reject(400, e.what(), t);
      return;
    }
    HeaderList headers;
    for (const auto& f : req_) {
      headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    auto ticket = begin("GET", t.path, t.query, std::move(headers), 0);
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout to{};
    to.handshake_timeout = std::chrono::seconds(5);
    to.idle_timeout = websocket::stream_base::none();
    to.keep_alive_pings = false;
    ws_.set_option(to);
    ws_.read_message_max(max_size_);
    ws_.set_option(websocket::stream_base::decorator(
        [conn = conn_, cseq = conn_seq_, seq = ticket.seq](websocket::response_type& res) {
          res.set("X-Conn-Id", std::to_string(conn));
          res.set("X-Conn-Seq", std::to_string(cseq));
          res.set("X-Request-Seq", std::to_string(seq));
        }));
    ws_.async_accept(req_, [self = shared(), ticket](beast::error_code ec) {
      self->state_.request_end(ticket, ec ? 400 : 101);
      if (!ec) {
        self->read();
      }
    });
  }

  void read() {
    in_.clear();
    ws_.async_read(in_, [self = shared()](beast::error_code ec, std::size_t) { self->on_message(ec); });
  }

  void on_message(beast::error_code ec) {
    if (ec || aborted_) {
      return;  // closed by the peer, reset, too big (Beast sent 1009), or stopping
    }
    bool text = ws_.got_text();
    std::string msg = beast::buffers_to_string(in_.data());
    HeaderList info{{"type", text ? "text" : "binary"}};
    auto ticket = begin("WS", "/websocket/echo", "", info, msg.size());
    if (text && msg == "!close") {
      ws_.async_close(websocket::close_code::normal, [self = shared(), ticket](beast::error_code) {
        self->state_.request_end(ticket, 1000);
      });
      return;
    }
    if (text && msg == "!shutdown-send") {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().shutdown(tcp::socket::shutdown_send, ignored);
      state_.request_end(ticket, 200);
      read();
      return;
    }
    if (text && msg == "!abort") {
      state_.request_end(ticket, 200);
      beast::error_code ignored;
      auto& s = beast::get_lowest_layer(ws_).socket();
      s.set_option(net::socket_base::linger(true, 0), ignored);
      s.close(ignored);
      return;
    }
    if (text && msg.rfind("!delay ", 0) == 0) {
      auto sp = msg.find(' ', 7);
      std::string ms_text = msg.substr(7, sp == std::string::npos ? std::string::npos : sp - 7);
      std::string reply = sp == std::string::npos ? std::string() : msg.substr(sp + 1);
      std::int64_t ms = 0;
      try {
        ms = parse_int(ms_text, 0, 60000, "delay ms");
      } catch (const BadRequest& e) {
        send(true, std::string("!error ") + e.what(), ticket, 400);
        return;
      }
      timer_.expires_after(std::chrono::milliseconds(ms));
      timer_.async_wait([self = shared(), reply, ticket](beast::error_code ec) {
        if (ec || self->aborted_) {
          return;
        }
        self->send(true, reply, ticket, 200);
      });
      return;
    }
    send(text, std::move(msg), ticket, 200);
  }

  // Writes one message (fragmented into fragment_-byte frames if asked), then
  // reads on. The message counts as completed before its reply leaves, so a
  // client holding the reply always finds it in the stats.
  void send(bool text, std::string msg, ScenarioState::Ticket ticket, int status) {
    state_.request_end(ticket, status);
    out_ = std::move(msg);
    out_off_ = 0;
    ws_.text(text);
    if (fragment_ == 0 || out_.size() <= fragment_) {
      ws_.async_write(net::buffer(out_), [self = shared()](beast::error_code ec, std::size_t) {
        if (!ec) {
          self->read();
        }
      });
      return;
    }
    write_fragment();
  }

  void write_fragment() {
    std::size_t n = std::min(fragment_, out_.size() - out_off_);
    bool fin = out_off_ + n == out_.size();
    ws_.async_write_some(fin, net::buffer(out_.data() + out_off_, n),
                         [self = shared(), n, fin](beast::error_code ec, std::size_t) {
                           if (ec) {
                             return;
                           }
                           self->out_off_ += n;
                           if (fin) {
                             self->read();
                           } else {
                             self->write_fragment();
                           }
                         });
  }

  websocket::stream<Next> ws_;
  net::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  beast::flat_buffer in_;
  std::string out_;
  std::size_t out_off_ = 0;
  std::size_t max_size_ = kDefaultMaxSize;
  std::size_t fragment_ = 0;
  std::uint64_t conn_seq_ = 0;
  bool aborted_ = false;
  bool entered_ = false;
  std::array<char, 4096> sink_{};
};

class PlainWsSession : public WsSession<beast::tcp_stream> {
 public:
  PlainWsSession(tcp::socket socket, ScenarioState& state, std::uint64_t conn)
      : WsSession(state, conn, std::move(socket)) {}
};

#if LOCALSERVER_TLS
using WssSession = WsSession<beast::ssl_stream<beast::tcp_stream>>;

// A wss listener: the ws scenario over TLS with the listener's own context.
class WssScenario : public AsioScenario {
 public:
  WssScenario(const std::string& id, const std::string& name, const TlsListen& tls)
      : AsioScenario(id, "ws", name,
                     [ctx = adopt(tls.ctx)](tcp::socket s, ScenarioState& state, std::uint64_t conn) {
                       return std::make_shared<WssSession>(state, conn, std::move(s), *ctx);
                     }) {
    state_.set_tls(tls.spec);
    tls_cert_ = name_of(tls.spec.cert);
  }

 private:
  // asio's context frees its SSL_CTX: give it a reference of its own. Shared by the factory's
  // copies, so it lives as long as the listener that makes sessions with it.
  static std::shared_ptr<net::ssl::context> adopt(const std::shared_ptr<ssl_ctx_st>& ctx) {
    SSL_CTX_up_ref(ctx.get());
    return std::make_shared<net::ssl::context>(ctx.get());
  }
};
#endif

}  // namespace

std::unique_ptr<Scenario> make_ws_scenario(const std::string& id, const std::string& name,
                                           const std::string& host, const TlsListen* tls) {
#if LOCALSERVER_TLS
  if (tls) {
    return AsioScenario::started(std::make_unique<WssScenario>(id, name, *tls), host);
  }
#else
  (void)tls;
#endif
  return make_asio_scenario<PlainWsSession>(id, "ws", name, host);
}

}  // namespace ls
