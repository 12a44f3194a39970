// The run's test certificate authority (LOCALSERVER_TLS builds only): a CA and one server
// certificate per CertKind, generated in memory when the control server starts (ECDSA P-256
// keys that never leave the process; only the CA certificate is written out, see server_app.cpp).
#pragma once
#include "tls_spec.hpp"

#include <memory>
#include <string>

namespace ls {

class TlsAuthority {
 public:
  // Throws std::runtime_error naming the OpenSSL step that failed.
  TlsAuthority();
  ~TlsAuthority();
  TlsAuthority(const TlsAuthority&) = delete;
  TlsAuthority& operator=(const TlsAuthority&) = delete;

  const std::string& ca_pem() const;
  const std::string& ca_der() const;

  // A fresh server context presenting kind's certificate; session_context names the listener
  // (sessions and tickets of one listener do not resume on another).
  std::shared_ptr<ssl_ctx_st> server_context(CertKind kind, const std::string& session_context) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ls
