#include "tls_client.hpp"

#include "socket_util.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#ifndef _WIN32
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

#include <cerrno>
#include <climits>
#include <stdexcept>

namespace lstest {

namespace {

// "connection reset" when the socket reported one, else "".
std::string socket_reset() {
#ifdef _WIN32
  return WSAGetLastError() == WSAECONNRESET ? "connection reset" : "";
#else
  return errno == ECONNRESET ? "connection reset" : "";
#endif
}

std::string last_error(SSL* ssl, int ret) {
  int err = SSL_get_error(ssl, ret);
  std::string reset = err == SSL_ERROR_SYSCALL ? socket_reset() : "";
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
  }
  return "SSL error " + std::to_string(err) + (ret == 0 ? " (unexpected eof)" : "") +
         (reset.empty() ? "" : " (" + reset + ")");
}

void set_timeouts(socket_t s, int seconds) {
#ifdef _WIN32
  DWORD ms = static_cast<DWORD>(seconds * 1000);
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, reinterpret_cast<const char*>(&ms), sizeof ms);
#else
  timeval tv{seconds, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
#endif
}

}  // namespace

TlsClientContext::TlsClientContext(const std::string& ca_pem, int max_version)
    : ctx_(SSL_CTX_new(TLS_client_method())) {
  if (!ctx_) {
    throw std::runtime_error("SSL_CTX_new failed");
  }
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_session_cache_mode(ctx_, SSL_SESS_CACHE_CLIENT);
  if (max_version) {
    SSL_CTX_set_max_proto_version(ctx_, max_version);
  }
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  if (!ca || X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_), ca) != 1) {
    X509_free(ca);
    throw std::runtime_error("cannot load the CA certificate: " + ca_pem.substr(0, 80));
  }
  X509_free(ca);
}

TlsClientContext::~TlsClientContext() {
  SSL_CTX_free(ctx_);
}

TlsClientConn::TlsClientConn(const TlsClientContext& ctx, int port, const std::string& verify_host)
    : ssl_(SSL_new(ctx.get())), sock_(::socket(AF_INET, SOCK_STREAM, 0)), host_(verify_host) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<unsigned short>(port));
  a.sin_addr.s_addr = htonl(0x7f000001);
  if (::connect(sock_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    error_ = "connect failed";
  }
  set_timeouts(sock_, 10);
  SSL_set_fd(ssl_, static_cast<int>(sock_));
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, verify_host.c_str()) != 1) {
    ERR_clear_error();
    X509_VERIFY_PARAM_set1_host(param, verify_host.c_str(), 0);
    SSL_set_tlsext_host_name(ssl_, verify_host.c_str());
  }
}

TlsClientConn::~TlsClientConn() {
  SSL_free(ssl_);
  if (!closed_) {
    ls::sock::close(sock_);
  }
}

// SSL_new holds a reference to the context, so the temporary one lives on in ssl_.
TlsClientConn::TlsClientConn(const std::string& ca_pem, int port, const std::string& verify_host)
    : TlsClientConn(TlsClientContext(ca_pem), port, verify_host) {}

void TlsClientConn::offer(SSL_SESSION* session) {
  SSL_set_session(ssl_, session);
}

bool TlsClientConn::handshake() {
  if (!error_.empty()) {
    return false;
  }
  ERR_clear_error();
  int r = SSL_connect(ssl_);
  if (r != 1) {
    error_ = last_error(ssl_, r);
    return false;
  }
  return true;
}

long TlsClientConn::verify_result() const {
  return SSL_get_verify_result(ssl_);
}

std::string TlsClientConn::version() const {
  return SSL_get_version(ssl_);
}

bool TlsClientConn::resumed() const {
  return SSL_session_reused(ssl_) == 1;
}

SSL_SESSION* TlsClientConn::session() const {
  return SSL_get1_session(ssl_);
}

bool TlsClientConn::write_all(const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    int n = SSL_write(ssl_, data.data() + off, static_cast<int>(data.size() - off));
    if (n <= 0) {
      error_ = last_error(ssl_, n);
      return false;
    }
    off += static_cast<std::size_t>(n);
  }
  return true;
}

std::string TlsClientConn::read_response() {
  std::string buf = std::move(pending_);
  pending_.clear();
  char chunk[16384];
  auto more = [&] {
    int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n <= 0) {
      error_ = last_error(ssl_, n);
      return false;
    }
    buf.append(chunk, static_cast<std::size_t>(n));
    return true;
  };
  std::size_t head_end;
  while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (!more()) {
      return "";
    }
  }
  std::size_t length = 0;
  auto cl = buf.find("Content-Length: ");
  if (cl != std::string::npos && cl < head_end) {
    length = std::stoul(buf.substr(cl + 16, buf.find("\r\n", cl) - cl - 16));
  }
  while (buf.size() < head_end + 4 + length) {
    if (!more()) {
      return "";
    }
  }
  pending_ = buf.substr(head_end + 4 + length);
  return buf.substr(0, head_end + 4 + length);
}

std::string TlsClientConn::get(const std::string& path) {
  if (!write_all("GET " + path + " HTTP/1.1\r\nHost: " + host_ + "\r\n\r\n")) {
    return "";
  }
  return read_response();
}

void TlsClientConn::close_tls() {
  SSL_shutdown(ssl_);
  ERR_clear_error();
  ls::sock::close(sock_);
  closed_ = true;
}

void TlsClientConn::shutdown_socket() {
  ls::sock::shutdown_both(sock_);
}

}  // namespace lstest
