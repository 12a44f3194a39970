// What a TLS listener presents and how it handshakes (parsed from POST /scenarios), and the
// server-wide TLS counters. Compiled in every build; the OpenSSL parts live in tls_authority.* and
// tls_conn.*, which only a build with LOCALSERVER_TLS=1 has.
#pragma once
#include <hc_protocol/tls.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

struct ssl_ctx_st;  // OpenSSL's SSL_CTX

namespace ls {

enum class CertKind { valid, wrong_host, expired, self_signed };
enum class HandshakeMode { normal, stall, reset };

std::optional<CertKind> parse_cert_kind(const std::string& text);
std::optional<HandshakeMode> parse_handshake_mode(const std::string& text);
const char* name_of(CertKind kind);
const char* name_of(HandshakeMode mode);

struct TlsSpec {
  CertKind cert = CertKind::valid;
  HandshakeMode handshake = HandshakeMode::normal;
  bool resumption = true;                        // session cache and tickets
  int stall_ms = hc_protocol::tls::kMaxStallMs;  // handshake=stall: the longest a handshake is held
};

// What one completed handshake negotiated.
struct TlsFacts {
  std::string version;  // "TLSv1.3"
  bool resumed = false;
  std::string cipher;
  std::string sni;  // the server name the client asked for, or ""
};

// Counted over every scenario of one control server, deleted ones included.
struct TlsTotals {
  std::atomic<std::uint64_t> handshakes_completed{0};
  std::atomic<std::uint64_t> handshakes_failed{0};
  std::atomic<std::uint64_t> resumed{0};
  std::atomic<std::uint64_t> wrong_protocol{0};
  nlohmann::json json() const;
};

// A listener's server context (one per scenario, so sessions resume only on the listener that
// issued them) and what it does during the handshake.
struct TlsListen {
  std::shared_ptr<ssl_ctx_st> ctx;
  TlsSpec spec;
};

// Whether this build speaks TLS, and why not.
constexpr bool kTlsBuiltIn = LOCALSERVER_TLS != 0;
const char* tls_unavailable_reason();

// The first byte of a TLS record carrying a handshake message (a ClientHello opens with it).
constexpr unsigned char kTlsHandshakeRecord = 0x16;

}  // namespace ls
