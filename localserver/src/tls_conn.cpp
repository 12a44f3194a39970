#include "tls_conn.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <climits>

namespace ls {

namespace {

// Why the last operation failed: OpenSSL's reason when it queued one, else what the socket did.
std::string failure_reason(SSL* ssl, int ret) {
  int err = SSL_get_error(ssl, ret);
  unsigned long e = ERR_peek_last_error();
  if (e != 0) {
    const char* reason = ERR_reason_error_string(e);
    ERR_clear_error();
    if (reason) {
      return reason;
    }
  }
  if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
    if (ret == 0 || err == SSL_ERROR_ZERO_RETURN) {
      return "client closed the connection during the handshake";
    }
#ifdef _WIN32
    int code = WSAGetLastError();
    if (code == WSAETIMEDOUT || code == WSAEWOULDBLOCK) {
      return "timed out waiting for the client";
    }
    if (code == WSAECONNRESET) {
      return "client reset the connection during the handshake";
    }
#else
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      return "timed out waiting for the client";
    }
    if (errno == ECONNRESET) {
      return "client reset the connection during the handshake";
    }
#endif
    return "socket error during the handshake";
  }
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    return "timed out waiting for the client";
  }
  return "handshake failed (SSL error " + std::to_string(err) + ")";
}

// One SSL_read or SSL_write through `op` (given the length clamped to int) on a clean error queue:
// the bytes it moved, what `failed` makes of a result that moved none, or -1 without a call once
// the connection is broken.
template <typename Op, typename Failed>
long long ssl_transfer(bool broken, std::size_t n, Op op, Failed failed) {
  if (broken) {
    return -1;
  }
  ERR_clear_error();
  const int r = op(static_cast<int>(n > INT_MAX ? INT_MAX : n));
  if (r > 0) {
    return r;
  }
  return failed(r);
}

}  // namespace

TlsConn::TlsConn(ssl_ctx_st* ctx, socket_t sock) : ssl_(SSL_new(ctx)), sock_(sock) {}

TlsConn::~TlsConn() {
  SSL_free(ssl_);
}

bool TlsConn::accept(const std::string& consumed, std::string& error) {
  ERR_clear_error();
  if (!ssl_) {
    error = "SSL_new failed";
    broken_ = true;
    return false;
  }
  BIO* sock_bio = BIO_new_socket(static_cast<int>(sock_), BIO_NOCLOSE);
  if (consumed.empty()) {
    SSL_set_bio(ssl_, sock_bio, sock_bio);
  } else {
    // Read what was consumed first; at its end the handshake asks for more (WANT_READ) and
    // carries on from the socket.
    BIO* mem = BIO_new_mem_buf(consumed.data(), static_cast<int>(consumed.size()));
    BIO_set_mem_eof_return(mem, -1);
    SSL_set_bio(ssl_, mem, sock_bio);
  }
  bool from_memory = !consumed.empty();
  for (;;) {
    int r = SSL_accept(ssl_);
    if (r == 1) {
      return true;
    }
    if (from_memory && SSL_get_error(ssl_, r) == SSL_ERROR_WANT_READ) {
      from_memory = false;
      BIO_up_ref(sock_bio);
      SSL_set0_rbio(ssl_, sock_bio);  // frees the memory BIO
      continue;
    }
    error = failure_reason(ssl_, r);
    broken_ = true;
    return false;
  }
}

TlsFacts tls_facts(ssl_st* ssl) {
  TlsFacts f;
  f.version = SSL_get_version(ssl);
  f.resumed = SSL_session_reused(ssl) == 1;
  const char* c = SSL_get_cipher_name(ssl);
  f.cipher = c ? c : "";
  const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  f.sni = sni ? sni : "";
  return f;
}

TlsFacts TlsConn::facts() const {
  return tls_facts(ssl_);
}

long long TlsConn::read(char* buf, std::size_t n) {
  return ssl_transfer(
      broken_, n, [&](int len) { return SSL_read(ssl_, buf, len); },
      [&](int r) -> long long {
        int err = SSL_get_error(ssl_, r);
        ERR_clear_error();
        if (err == SSL_ERROR_ZERO_RETURN) {
          return 0;
        }
        broken_ = err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE;
        if (err == SSL_ERROR_SYSCALL && r == 0) {
          return 0;  // EOF without close_notify
        }
        return -1;
      });
}

long long TlsConn::write(const char* buf, std::size_t n) {
  return ssl_transfer(
      broken_, n, [&](int len) { return SSL_write(ssl_, buf, len); },
      [&](int) -> long long {
        ERR_clear_error();
        broken_ = true;
        return -1;
      });
}

bool TlsConn::pending() const {
  return !broken_ && SSL_has_pending(ssl_) == 1;
}

void TlsConn::close_notify() {
  if (!broken_ && SSL_is_init_finished(ssl_)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
}

}  // namespace ls
