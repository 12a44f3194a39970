// One server-side TLS connection over a blocking socket whose SO_RCVTIMEO/SO_SNDTIMEO bound each
// read and write (httplib sets them on every accepted socket). LOCALSERVER_TLS builds only.
#pragma once
#include "tls_spec.hpp"

#include <httplib.h>  // socket_t

#include <string>

struct ssl_st;  // OpenSSL's SSL

namespace ls {

// What the handshake of ssl negotiated.
TlsFacts tls_facts(ssl_st* ssl);

class TlsConn {
 public:
  TlsConn(ssl_ctx_st* ctx, socket_t sock);
  ~TlsConn();
  TlsConn(const TlsConn&) = delete;
  TlsConn& operator=(const TlsConn&) = delete;

  // Runs the server handshake. `consumed` holds bytes already read from the socket (a held
  // ClientHello), which the handshake reads first. On failure `error` says why, in OpenSSL's words
  // where it has them ("tlsv1 alert unknown ca").
  bool accept(const std::string& consumed, std::string& error);
  TlsFacts facts() const;

  // >0 bytes, 0 the peer closed (close_notify or EOF), <0 error or timeout.
  long long read(char* buf, std::size_t n);
  long long write(const char* buf, std::size_t n);
  // Decrypted or undecrypted bytes held by OpenSSL that a read would return without the socket.
  bool pending() const;
  // Sends close_notify (best effort, bounded by the socket's send timeout).
  void close_notify();

 private:
  ssl_st* ssl_ = nullptr;
  socket_t sock_;
  bool broken_ = false;  // after a fatal error OpenSSL must not be asked to shut down
};

}  // namespace ls
