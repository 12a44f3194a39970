#include "conn_server.hpp"

#include "conn_context.hpp"
#include "conn_entry.hpp"
#include "socket_util.hpp"
#include "thread_queue.hpp"
#if LOCALSERVER_TLS
#include "tls_conn.hpp"
#endif

#include <algorithm>
#include <chrono>
#include <vector>

namespace ls {

namespace {

using std::chrono::milliseconds;

// Buffered socket stream kept for the whole connection (so pipelined requests
// survive between requests), with a time budget for reading each request; over TLS when the
// listener speaks it.
class LsStream : public httplib::Stream {
 public:
  LsStream(socket_t s, const ServerLimits& lim, TlsConn* tls)
      : sock_(s),
        tls_(tls),
        read_timeout_ms_(lim.read_timeout_s * 1000),
        write_timeout_ms_(lim.write_timeout_s * 1000),
        budget_(lim.request_read_budget_s),
        buf_(16 * 1024) {}

  void begin_request() {
    deadline_ = Clock::now() + budget_;
    read_failed_ = false;
  }
  // A read timed out or failed: the connection is not worth keeping.
  bool read_failed() const { return read_failed_; }
  bool buffered() const { return off_ < len_ || tls_pending(); }

  // Over TLS the socket being readable does not mean the client left: it may have sent
  // close_notify, or a pipelined request. Reads what came (keeping it for the next request)
  // and tells whether the client closed.
  bool tls_peer_closed() {
    if (!tls_ || sock::wait_readable(sock_, 0) <= 0) {
      return false;
    }
    if (off_ == len_) {
      off_ = len_ = 0;
    }
    if (len_ == buf_.size()) {
      return false;  // a full buffer of pipelined data: the client is there
    }
    auto r = transport_recv(buf_.data() + len_, buf_.size() - len_);
    if (r <= 0) {
      return true;
    }
    len_ += static_cast<size_t>(r);
    return false;
  }

  bool is_readable() const override {
    if (buffered()) {
      return true;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline_ - Clock::now()).count();
    if (left <= 0) {
      return false;  // slow client: the request took longer than its budget
    }
    int wait = static_cast<int>(std::min<long long>(left, read_timeout_ms_));
    return sock::wait_readable(sock_, wait) > 0;
  }

  bool is_writable() const override { return sock::wait_writable(sock_, write_timeout_ms_) > 0; }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ < len_) {
      size_t n = std::min(size, len_ - off_);
      std::copy_n(buf_.data() + off_, n, ptr);
      off_ += n;
      return static_cast<ssize_t>(n);
    }
    if (!is_readable()) {
      read_failed_ = true;
      return -1;
    }
    if (size >= buf_.size()) {
      auto r = transport_recv(ptr, size);
      read_failed_ = r <= 0;
      return static_cast<ssize_t>(r);
    }
    auto r = transport_recv(buf_.data(), buf_.size());
    if (r <= 0) {
      read_failed_ = true;
      return static_cast<ssize_t>(r);
    }
    off_ = 0;
    len_ = static_cast<size_t>(r);
    size_t n = std::min(size, len_);
    std::copy_n(buf_.data(), n, ptr);
    off_ = n;
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) {
      return -1;
    }
#if LOCALSERVER_TLS
    if (tls_) {
      return static_cast<ssize_t>(tls_->write(ptr, size));
    }
#endif
    return static_cast<ssize_t>(sock::send_some(sock_, ptr, size));
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sock::peer_address(sock_, ip, port);
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sock::local_address(sock_, ip, port);
  }
  socket_t socket() const override {
    return sock_;
  }

 private:
  long long transport_recv(char* p, size_t n) {
#if LOCALSERVER_TLS
    if (tls_) {
      return tls_->read(p, n);
    }
#endif
    return sock::recv_some(sock_, p, n);
  }
  bool tls_pending() const {
#if LOCALSERVER_TLS
    return tls_ && tls_->pending();
#else
    return false;
#endif
  }

  socket_t sock_;
  TlsConn* tls_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  std::chrono::seconds budget_;
  Clock::time_point deadline_ = Clock::now();
  std::vector<char> buf_;
  size_t off_ = 0;
  size_t len_ = 0;
  bool read_failed_ = false;
};

bool ctx_too_large() {
  ConnContext* ctx = current_conn();
  return ctx && ctx->too_large;
}

void set_if_absent(httplib::Response& res, const char* k, std::uint64_t v) {
  if (!res.has_header(k)) {
    res.set_header(k, std::to_string(v));
  }
}

}  // namespace

ConnServer::ConnServer(ScenarioState* state, ServerLimits limits) : state_(state), limits_(limits) {
  new_task_queue = [] { return new ThreadPerTaskQueue(); };
  set_tcp_nodelay(true);
  set_keep_alive_max_count(limits_.keep_alive_max);
  set_keep_alive_timeout(limits_.keep_alive_timeout_s);
  set_read_timeout(limits_.read_timeout_s, 0);
  set_write_timeout(limits_.write_timeout_s, 0);
  set_payload_max_length(limits_.payload_max);
  if (state_) {
    install_hooks();
  }
}

ConnServer::~ConnServer() {
  shutdown_all();
}

void ConnServer::set_dispatch(Dispatch d) {
  dispatch_ = std::move(d);
}

void ConnServer::set_tls(TlsListen tls) {
  tls_ = std::move(tls);
}

void ConnServer::install_hooks() {
  // One catch-all route per method (httplib reads the body before calling a
  // route, but not before its pre-routing hook).
  auto all = [this](const httplib::Request& req, httplib::Response& res) {
    if (ConnContext* ctx = current_conn()) {
      ensure_ticket(*ctx, req);
      ctx->routed = true;
    }
    if (ctx_too_large()) {
      res.set_header("Connection", "close");
      res.status = 413;
      res.set_content("{\"error\":\"request body larger than the limit\"}", "application/json");
    } else if (dispatch_) {
      dispatch_(req, res);
    } else {
      res.status = 404;
    }
  };
  Get(".*", all);
  Post(".*", all);
  Put(".*", all);
  Patch(".*", all);
  Delete(".*", all);
  Options(".*", all);
  // Runs for every response, including httplib's own 400/414 for malformed requests.
  set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    ConnContext* ctx = current_conn();
    if (!ctx) {
      return;
    }
    ensure_ticket(*ctx, req);
    set_if_absent(res, "X-Conn-Id", ctx->conn);
    set_if_absent(res, "X-Conn-Seq", ctx->conn_seq);
    set_if_absent(res, "X-Request-Seq", ctx->ticket->seq);
    // A response held in memory is complete now: end it before any byte leaves,
    // so a client that has its response always finds the request completed in
    // stats and log. Streamed bodies end in the logger, after their last byte.
    if (!res.content_provider_ && !ctx->ended) {
      ctx->state->request_end(*ctx->ticket, res.status);
      ctx->ended = true;
    }
  });
  // Called after the body was written (or its writing failed).
  set_logger([this](const httplib::Request&, const httplib::Response& res) {
    ConnContext* ctx = current_conn();
    if (ctx && ctx->ticket && !ctx->ended) {
      state_->request_end(*ctx->ticket, res.status);
      ctx->ended = true;
    }
  });
}

int ConnServer::start(const std::string& host, int port) {
  int p = port == 0 ? bind_to_any_port(host) : (bind_to_port(host, port) ? port : -1);
  if (p <= 0) {
    return -1;
  }
  // httplib 0.11's split build listens with a backlog of 5, which drops bursts.
  sock::relisten(svr_sock_, limits_.backlog);
  listen_thread_ = std::thread([this] { listen_after_bind(); });
  // stop() is a no-op until the listen loop runs; wait for it (bounded).
  for (int i = 0; i < 5000 && !is_running(); ++i) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  return p;
}

void ConnServer::shutdown_all() {
  if (stopping_.exchange(true)) {
    if (listen_thread_.joinable()) {
      listen_thread_.join();
    }
    return;
  }
  if (state_) {
    state_->stop();  // releases parked and sleeping requests
  }
  stop();
  {
    std::lock_guard lk(conns_mu_);
    for (auto& [id, s] : conns_) {
      sock::shutdown_both(s);
    }
  }
  if (listen_thread_.joinable()) {
    listen_thread_.join();  // the listen loop joins every connection thread
  }
}

bool ConnServer::wait_for_request(socket_t sock, bool buffered) {
  if (buffered) {
    return true;
  }
  auto end = Clock::now() + std::chrono::seconds(limits_.keep_alive_timeout_s);
  while (!stopping_) {
    int r = sock::wait_readable(sock, 200);
    if (r != 0) {
      return r > 0;
    }
    if (Clock::now() >= end) {
      return false;
    }
  }
  return false;
}

bool ConnServer::process_and_close_socket(socket_t sock) {
  ConnContext ctx;
  ctx.state = state_;
  ctx.sock = sock;
  ctx.conn = state_ ? state_->conn_open() : 0;
  std::uint64_t local_id;
  {
    std::lock_guard lk(conns_mu_);
    local_id = next_local_id_++;
    conns_[local_id] = sock;
    if (stopping_) {
      sock::shutdown_both(sock);
    }
  }
  set_current_conn(&ctx);

  // What the connection speaks (and, on a TLS listener, its handshake) before the request loop.
  std::unique_ptr<TlsConn> tls;
  EntryResult entry = EntryResult::serve;
  if (state_) {
    entry = wait_for_request(sock, false)
                ? enter_connection(sock, *state_, ctx.conn, tls_ ? &*tls_ : nullptr, tls)
                : EntryResult::close;
  }
  LsStream strm(sock, limits_, tls.get());
  if (tls) {
    ctx.tls = true;
    ctx.gone_probe = [&strm] { return strm.tls_peer_closed(); };
  }
  bool ret = true;
  // httplib compresses text/JSON bodies when the client offers Accept-Encoding,
  // buffering timed bodies and changing lengths: stash the header instead.
  std::function<void(httplib::Request&)> setup = [&ctx, this](httplib::Request& req) {
    ctx.accept_encoding.clear();
    ctx.synthetic_length = false;
    auto n = req.get_header_value_count("Accept-Encoding");
    for (size_t i = 0; i < n; ++i) {
      if (!ctx.accept_encoding.empty()) {
        ctx.accept_encoding += ", ";
      }
      ctx.accept_encoding += req.get_header_value("Accept-Encoding", i);
    }
    req.headers.erase("Accept-Encoding");
    // RFC 9112: a request without Content-Length or Transfer-Encoding has no
    // body; httplib 0.11 would instead read a POST/PUT/DELETE body until EOF.
    if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
      req.set_header("Content-Length", "0");
      ctx.synthetic_length = true;
    }
    // httplib would read (and discard) an oversized body before answering 413:
    // answer at once instead and close the connection.
    auto cl = req.get_header_value("Content-Length");
    if (!cl.empty() && cl.find_first_not_of("0123456789") == std::string::npos &&
        (cl.size() > 18 || std::stoull(cl) > limits_.payload_max)) {
      req.headers.erase("Content-Length");
      req.set_header("Content-Length", "0");
      ctx.too_large = true;
    }
  };

  for (std::size_t count = entry == EntryResult::serve ? limits_.keep_alive_max : 0; count > 0 && !stopping_;
       --count) {
    if (!wait_for_request(sock, strm.buffered())) {
      break;
    }
    strm.begin_request();
    ctx.ticket.reset();
    ctx.ended = false;
    ctx.accept_encoding.clear();
    ctx.synthetic_length = false;
    ctx.too_large = false;
    ctx.routed = false;
    bool connection_closed = false;
    ret = process_request(strm, count == 1 || stopping_, connection_closed, setup);
    if (ctx.ticket && !ctx.ended && state_) {
      state_->request_end(*ctx.ticket, 0);
      ctx.ended = true;
    }
    // After a request httplib rejected itself (malformed, too long) the stream
    // position is unreliable: close rather than guess.
    bool rejected = ctx.ticket && !ctx.routed;
    if (!ret || connection_closed || strm.read_failed() || ctx.too_large || rejected) {
      break;
    }
  }

  set_current_conn(nullptr);
  {
    std::lock_guard lk(conns_mu_);
    conns_.erase(local_id);
  }
#if LOCALSERVER_TLS
  if (tls) {
    tls->close_notify();
  }
#endif
  if (entry == EntryResult::reset) {
    sock::reset_close(sock);
  } else {
    sock::shutdown_both(sock);
    sock::close(sock);
  }
  if (state_) {
    state_->conn_close(ctx.conn);
  }
  return ret;
}

}  // namespace ls
