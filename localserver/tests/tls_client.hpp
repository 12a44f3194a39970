// A real TLS client for the tests (OpenSSL, blocking socket with 10 s read/write timeouts): trusts
// only the CA it is given and verifies the server's certificate for the host it is told (an IP
// address or a DNS name, which is also sent as SNI). LOCALSERVER_TLS builds only.
#pragma once
#include <openssl/ssl.h>

#include <httplib.h>  // socket_t

#include <memory>
#include <string>

namespace lstest {

class TlsClientContext {
 public:
  // ca_pem: the trust anchor (the server's test CA); max_version 0 = any.
  explicit TlsClientContext(const std::string& ca_pem, int max_version = 0);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;
  SSL_CTX* get() const { return ctx_; }

 private:
  SSL_CTX* ctx_;
};

class TlsClientConn {
 public:
  // Connects to 127.0.0.1:port (no handshake yet).
  TlsClientConn(const TlsClientContext& ctx, int port, const std::string& verify_host);
  // The same through a context of its own that trusts ca_pem (the connection keeps it alive).
  TlsClientConn(const std::string& ca_pem, int port, const std::string& verify_host);
  ~TlsClientConn();
  TlsClientConn(const TlsClientConn&) = delete;
  TlsClientConn& operator=(const TlsClientConn&) = delete;

  // Offers `session` for resumption (before handshake()).
  void offer(SSL_SESSION* session);
  // True on success; else error() says why and verify_result() holds the certificate check's result.
  bool handshake();
  long verify_result() const;
  const std::string& error() const { return error_; }
  std::string version() const;
  bool resumed() const;
  // The session to resume later (the caller frees it with SSL_SESSION_free).
  SSL_SESSION* session() const;

  bool write_all(const std::string& data);
  // Reads one HTTP/1.1 response (head plus Content-Length body); "" on failure.
  std::string read_response();
  // GET path with keep-alive; the whole response.
  std::string get(const std::string& path);
  // Sends close_notify, then closes the socket.
  void close_tls();
  // Closes the socket without close_notify (abrupt, from any thread).
  void shutdown_socket();
  socket_t socket() const { return sock_; }

 private:
  SSL* ssl_ = nullptr;
  socket_t sock_;
  std::string host_;
  std::string error_;
  std::string pending_;  // read past the last response
  bool closed_ = false;
};

}  // namespace lstest
