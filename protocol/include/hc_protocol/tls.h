#pragma once
// localserver's TLS contract (localserver/README.md, "TLS"): the scenario parameters that make a
// listener speak TLS, the certificate variants and handshake behaviours it offers, the gate a
// stalled handshake waits at, and the keys of the port file, of GET /tls and of a scenario's stats
// that describe TLS. Header only, standard C++ only.
#include <string>

namespace hc_protocol::tls {

// POST /scenarios?kind=http|ws&tls=<cert>[&handshake=<mode>]
inline constexpr const char* kParamCert = "tls";
inline constexpr const char* kParamHandshake = "handshake";
// resumption=off: the listener neither caches sessions nor issues tickets, so every handshake is a
// full one (default on: TLS 1.3 tickets and TLS 1.2 session ids resume on the same listener).
inline constexpr const char* kParamResumption = "resumption";
// With handshake=stall: the longest a handshake is held (1 to kMaxStallMs ms, default kMaxStallMs);
// past it the server closes the connection without answering the ClientHello.
inline constexpr const char* kParamStallMs = "stall_ms";
inline constexpr int kMaxStallMs = 60000;

// Certificate variants. valid: issued by the run's test CA for DNS:localhost, IP:127.0.0.1 and
// IP:::1. wrong_host: issued by the test CA for another name only. expired: issued by the test CA
// for the right names, validity ended a day ago. self_signed: the right names, not from the CA.
inline constexpr const char* kCertValid = "valid";
inline constexpr const char* kCertWrongHost = "wrong-host";
inline constexpr const char* kCertExpired = "expired";
inline constexpr const char* kCertSelfSigned = "self-signed";
// The host name the wrong-host certificate names (not resolvable: .invalid).
inline constexpr const char* kWrongHostName = "wrong-host.invalid";

// Handshake behaviours (kind=http only, with any certificate). normal: the usual handshake.
// stall: the server reads the ClientHello, then holds its reply until the scenario's gate
// kStallGate is released (POST /scenarios/<id>/release?gate=tls-handshake); the held connection
// counts in stats.parked and stats.parked_at. reset: the server reads the ClientHello, then resets
// the connection (TCP RST) without answering.
inline constexpr const char* kHandshakeNormal = "normal";
inline constexpr const char* kHandshakeStall = "stall";
inline constexpr const char* kHandshakeReset = "reset";
inline constexpr const char* kStallGate = "tls-handshake";

// The port file's "tls" object and GET /tls: "available" (bool); when false, "reason". When true,
// "ca_pem" and "ca_der": paths of the test CA certificate (PEM and DER) the server wrote next to
// its port file (absent without a port file; GET /tls has "ca_pem_text" in every case).
inline constexpr const char* kPortFileTls = "tls";
inline constexpr const char* kAvailable = "available";
inline constexpr const char* kReason = "reason";
inline constexpr const char* kCaPemFile = "ca_pem";
inline constexpr const char* kCaDerFile = "ca_der";
inline constexpr const char* kCaPemText = "ca_pem_text";

// A scenario's stats: "tls" (null on a plain listener) holds "cert", "handshake", "resumption",
// "stall_ms" (the hold limit of handshake=stall, else null),
// "handshakes_completed", "handshakes_failed", "resumed", "versions" ({"TLSv1.3": n}),
// "failures" ({reason: n}) and "connections" ({conn id: {"ok", "version", "resumed", "cipher",
// "sni"} or {"ok": false, "error"}}). "wrong_protocol" (every listener): connections whose first
// bytes spoke the other protocol (plain HTTP on a TLS listener, a TLS ClientHello on a plain one);
// the server ends them without a handshake and without a log entry.
inline constexpr const char* kStats = "tls";
inline constexpr const char* kStatsWrongProtocol = "wrong_protocol";

// The query of POST /scenarios for a TLS listener of kind ("http" or "ws").
// stall_ms 0: the server's default hold.
inline std::string ScenarioQuery(const std::string& kind, const std::string& cert = kCertValid,
                                 const std::string& handshake = kHandshakeNormal, int stall_ms = 0) {
  std::string q = "kind=" + kind + "&" + kParamCert + "=" + cert;
  if (handshake != kHandshakeNormal)
    q += std::string("&") + kParamHandshake + "=" + handshake;
  if (stall_ms != 0)
    q += std::string("&") + kParamStallMs + "=" + std::to_string(stall_ms);
  return q;
}

}  // namespace hc_protocol::tls
