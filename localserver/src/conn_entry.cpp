#include "conn_entry.hpp"

#include "socket_util.hpp"
#if LOCALSERVER_TLS
#include "tls_conn.hpp"
#endif

#include <hc_protocol/tls.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>

namespace ls {

namespace {

using std::chrono::milliseconds;

// Reads and drops what the client still sends (up to 1 s, 1 MiB), after our FIN, so that closing
// does not turn unread bytes into a reset: the connection ends cleanly.
void drain_and_finish(socket_t sock) {
  sock::shutdown_send(sock);
  char buf[4096];
  auto end = Clock::now() + milliseconds(1000);
  std::size_t total = 0;
  while (Clock::now() < end && total < (1u << 20)) {
    if (sock::wait_readable(sock, 100) <= 0) {
      continue;
    }
    auto n = sock::recv_some(sock, buf, sizeof buf);
    if (n <= 0) {
      return;
    }
    total += static_cast<std::size_t>(n);
  }
}

#if LOCALSERVER_TLS
// Reads exactly n bytes (each read bounded by the socket's receive timeout).
bool read_exact(socket_t sock, std::string& out, std::size_t n) {
  while (n > 0) {
    char buf[4096];
    auto r = sock::recv_some(sock, buf, n < sizeof buf ? n : sizeof buf);
    if (r <= 0) {
      return false;
    }
    out.append(buf, static_cast<std::size_t>(r));
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

// Consumes the TLS record that carries the ClientHello.
bool read_client_hello(socket_t sock, std::string& out) {
  if (!read_exact(sock, out, 5) || static_cast<unsigned char>(out[0]) != kTlsHandshakeRecord) {
    return false;
  }
  auto len = static_cast<std::size_t>((static_cast<unsigned char>(out[3]) << 8) |
                                      static_cast<unsigned char>(out[4]));
  return read_exact(sock, out, len);
}

void answer_plain_on_tls(socket_t sock) {
  std::string body = nlohmann::json({{"error", "plain HTTP request on a TLS listener: use https"}}).dump();
  std::string res =
      "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  sock::send_some(sock, res.data(), res.size());
  drain_and_finish(sock);
}

EntryResult enter_tls(socket_t sock, ScenarioState& state, std::uint64_t conn, const TlsListen& tls,
                      std::unique_ptr<TlsConn>& out) {
  std::string consumed;
  if (tls.spec.handshake != HandshakeMode::normal) {
    if (!read_client_hello(sock, consumed)) {
      state.tls_failed(conn, "no complete ClientHello");
      return EntryResult::close;
    }
    if (tls.spec.handshake == HandshakeMode::reset) {
      state.tls_failed(conn, "reset by the scenario after the ClientHello");
      return EntryResult::reset;
    }
    // Held until the gate opens; the ClientHello is consumed, so a client that leaves is noticed.
    auto r =
        state.park(hc_protocol::tls::kStallGate, Clock::now() + std::chrono::milliseconds(tls.spec.stall_ms),
                   [sock] { return sock::peer_gone(sock); });
    if (r != ScenarioState::ParkResult::released) {
      state.tls_failed(
          conn, r == ScenarioState::ParkResult::client_gone ? "client left while the handshake was held"
                : r == ScenarioState::ParkResult::stopping
                    ? "scenario stopped while the handshake was held"
                    : "handshake held for " + std::to_string(tls.spec.stall_ms) + " ms, the limit");
      return EntryResult::close;
    }
  }
  auto t = std::make_unique<TlsConn>(tls.ctx.get(), sock);
  std::string error;
  if (!t->accept(consumed, error)) {
    state.tls_failed(conn, error);
    return EntryResult::close;
  }
  state.tls_done(conn, t->facts());
  out = std::move(t);
  return EntryResult::serve;
}
#endif

}  // namespace

EntryResult enter_connection(socket_t sock, ScenarioState& state, std::uint64_t conn, const TlsListen* tls,
                             std::unique_ptr<TlsConn>& out) {
  char first = 0;
  auto n = sock::peek_some(sock, &first, 1);
  if (n <= 0) {
    if (tls) {
      state.tls_failed(conn, "client closed the connection before the ClientHello");
    }
    return EntryResult::close;
  }
  bool hello = static_cast<unsigned char>(first) == kTlsHandshakeRecord;
  if (!tls) {
    if (hello) {
      state.wrong_protocol();
      drain_and_finish(sock);
      return EntryResult::close;
    }
    return EntryResult::serve;
  }
#if LOCALSERVER_TLS
  if (!hello) {
    state.wrong_protocol();
    answer_plain_on_tls(sock);
    return EntryResult::close;
  }
  return enter_tls(sock, state, conn, *tls, out);
#else
  (void)out;
  return EntryResult::close;  // unreachable: without OpenSSL no TLS listener is made
#endif
}

}  // namespace ls
