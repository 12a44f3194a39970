#include "tls_spec.hpp"

#include <hc_protocol/tls.h>

namespace ls {

namespace {

// Each value with its name in the control API (hc_protocol/tls.h).
template <typename E>
struct Named {
  E value;
  const char* name;
};

constexpr Named<CertKind> kCertNames[] = {{CertKind::valid, hc_protocol::tls::kCertValid},
                                          {CertKind::wrong_host, hc_protocol::tls::kCertWrongHost},
                                          {CertKind::expired, hc_protocol::tls::kCertExpired},
                                          {CertKind::self_signed, hc_protocol::tls::kCertSelfSigned}};

constexpr Named<HandshakeMode> kHandshakeNames[] = {
    {HandshakeMode::normal, hc_protocol::tls::kHandshakeNormal},
    {HandshakeMode::stall, hc_protocol::tls::kHandshakeStall},
    {HandshakeMode::reset, hc_protocol::tls::kHandshakeReset}};

template <typename E, std::size_t N>
std::optional<E> value_named(const Named<E> (&table)[N], const std::string& text) {
  for (const auto& n : table) {
    if (text == n.name) {
      return n.value;
    }
  }
  return std::nullopt;
}

template <typename E, std::size_t N>
const char* name_in(const Named<E> (&table)[N], E value) {
  for (const auto& n : table) {
    if (n.value == value) {
      return n.name;
    }
  }
  return "?";
}

}  // namespace

std::optional<CertKind> parse_cert_kind(const std::string& text) {
  return value_named(kCertNames, text);
}

std::optional<HandshakeMode> parse_handshake_mode(const std::string& text) {
  return value_named(kHandshakeNames, text);
}

const char* name_of(CertKind kind) {
  return name_in(kCertNames, kind);
}

const char* name_of(HandshakeMode mode) {
  return name_in(kHandshakeNames, mode);
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
