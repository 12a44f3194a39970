#include "tls_spec.hpp"

#include <hc_protocol/tls.h>

namespace ls {

std::optional<CertKind> parse_cert_kind(const std::string& text) {
  for (auto k : {CertKind::valid, CertKind::wrong_host, CertKind::expired, CertKind::self_signed}) {
    if (text == name_of(k)) {
      return k;
    }
  }
  return std::nullopt;
}

std::optional<HandshakeMode> parse_handshake_mode(const std::string& text) {
  for (auto m : {HandshakeMode::normal, HandshakeMode::stall, HandshakeMode::reset}) {
    if (text == name_of(m)) {
      return m;
    }
  }
  return std::nullopt;
}

const char* name_of(CertKind kind) {
  switch (kind) {
    case CertKind::valid:
      return hc_protocol::tls::kCertValid;
    case CertKind::wrong_host:
      return hc_protocol::tls::kCertWrongHost;
    case CertKind::expired:
      return hc_protocol::tls::kCertExpired;
    case CertKind::self_signed:
      return hc_protocol::tls::kCertSelfSigned;
  }
  return "?";
}

const char* name_of(HandshakeMode mode) {
  switch (mode) {
    case HandshakeMode::normal:
      return hc_protocol::tls::kHandshakeNormal;
    case HandshakeMode::stall:
      return hc_protocol::tls::kHandshakeStall;
    case HandshakeMode::reset:
      return hc_protocol::tls::kHandshakeReset;
  }
  return "?";
}

nlohmann::json TlsTotals::json() const {
  return {{"handshakes_completed", handshakes_completed.load()},
          {"handshakes_failed", handshakes_failed.load()},
          {"resumed", resumed.load()},
          {"wrong_protocol", wrong_protocol.load()}};
}

const char* tls_unavailable_reason() {
  return kTlsBuiltIn ? ""
                     : "TLS unavailable: this localserver was built without OpenSSL (the mingw-w64 build has "
                       "none; use the native or the MSVC/vcpkg build)";
}

}  // namespace ls
