#include "conn_context.hpp"

#include "socket_util.hpp"

#include <algorithm>

namespace ls {

namespace {
thread_local ConnContext* t_ctx = nullptr;
}

ConnContext* current_conn() {
  return t_ctx;
}
void set_current_conn(ConnContext* ctx) {
  t_ctx = ctx;
}

HeaderList client_headers(const httplib::Request& req) {
  HeaderList out;
  for (const auto& [k, v] : req.headers) {
    if (k == "REMOTE_ADDR" || k == "REMOTE_PORT" || k == "LOCAL_ADDR" || k == "LOCAL_PORT") {
      continue;
    }
    if (t_ctx && t_ctx->synthetic_length && k == "Content-Length") {
      continue;
    }
    out.emplace_back(k, v);
  }
  if (t_ctx && !t_ctx->accept_encoding.empty()) {
    out.emplace_back("Accept-Encoding", t_ctx->accept_encoding);
  }
  return out;
}

std::string raw_query(const httplib::Request& req) {
  auto q = req.target.find('?');
  return q == std::string::npos ? std::string() : req.target.substr(q + 1);
}

void ensure_ticket(ConnContext& ctx, const httplib::Request& req) {
  if (ctx.ticket || !ctx.state) {
    return;
  }
  RequestInfo info;
  info.method = req.method;
  info.path = req.path;
  info.query = raw_query(req);
  info.headers = client_headers(req);
  info.body_size = req.body.size();
  ++ctx.conn_seq;
  ctx.ticket = ctx.state->request_begin(ctx.conn, ctx.conn_seq, std::move(info));
  ctx.ended = false;
}

bool client_gone_now() {
  if (!t_ctx) {
    return false;
  }
  bool gone = sock::peer_gone(t_ctx->sock);
  if (!gone && t_ctx->gone_probe) {
    gone = t_ctx->gone_probe();
  }
  if (!gone) {
    return false;
  }
  if (t_ctx->state && t_ctx->ticket) {
    t_ctx->state->request_client_gone(*t_ctx->ticket);
  }
  return true;
}

SleepResult cancel_aware_sleep(std::chrono::milliseconds ms) {
  ConnContext* ctx = t_ctx;
  auto deadline = Clock::now() + ms;
  for (;;) {
    if (ctx && ctx->state && ctx->state->stopping()) {
      return SleepResult::stopping;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      return SleepResult::done;
    }
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now) + std::chrono::milliseconds(1);
    if (!ctx) {
      std::this_thread::sleep_for(left);
      continue;
    }
    // Block on the socket itself: a close, reset or shutdown wakes us at once,
    // and an idle client costs no wake-ups.
    int r = sock::wait_readable(ctx->sock, static_cast<int>(left.count()));
    if (r != 0) {
      if (ctx->state && ctx->state->stopping()) {
        return SleepResult::stopping;
      }
      if (client_gone_now()) {
        return SleepResult::client_gone;
      }
      // Pipelined bytes make the socket readable: fall back to short sleeps.
      if (ctx->state) {
        ctx->state->wait_unless_stopping(std::min(left, std::chrono::milliseconds(20)));
      } else {
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(20)));
      }
    }
  }
}

}  // namespace ls
