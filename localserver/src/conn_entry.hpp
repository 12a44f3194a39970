// The start of a scenario connection served by ConnServer, before its request loop: what its first
// bytes speak (a plain listener ends a TLS ClientHello, a TLS listener answers plain HTTP with 400
// and ends it; both count stats.wrong_protocol), and on a TLS listener the handshake with its
// scripted variants (stall at the gate, reset after the ClientHello).
#pragma once
#include "scenario_state.hpp"
#include "tls_spec.hpp"

#include <httplib.h>  // socket_t

#include <memory>

namespace ls {

#if LOCALSERVER_TLS
class TlsConn;  // tls_conn.hpp
#else
class TlsConn {};  // never made without OpenSSL
#endif

enum class EntryResult {
  serve,  // go on with the request loop (over `tls` when one was made)
  close,  // end the connection (shutdown, close)
  reset,  // end it with a TCP RST
};

// The socket is readable (the client sent something or closed). `tls` is the listener's TLS, or
// null for a plain listener; `stopping` tells whether the listener is shutting down.
EntryResult enter_connection(socket_t sock, ScenarioState& state, std::uint64_t conn, const TlsListen* tls,
                             std::unique_ptr<TlsConn>& out);

}  // namespace ls
