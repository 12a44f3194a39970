// A scenario: one listener on its own ephemeral loopback port plus the state the
// control API observes. Kinds: http (httplib), ws (Beast), raw (Asio); http and ws also over TLS.
#pragma once
#include "scenario_state.hpp"

#include <memory>
#include <string>

namespace ls {

class Scenario {
 public:
  Scenario(const std::string& id, const std::string& kind, const std::string& name)
      : state_(id, kind, name) {}
  virtual ~Scenario() = default;
  Scenario(const Scenario&) = delete;
  Scenario& operator=(const Scenario&) = delete;

  ScenarioState& state() { return state_; }
  int port() const { return port_; }
  // The certificate variant of a TLS listener ("valid", ...), or null for a plain one.
  nlohmann::json tls_cert() const {
    return tls_cert_.empty() ? nlohmann::json(nullptr) : nlohmann::json(tls_cert_);
  }
  // Stops the listener, releases parked requests, closes connections, joins
  // threads. Idempotent.
  virtual void stop() = 0;

 protected:
  ScenarioState state_;
  int port_ = 0;
  std::string tls_cert_;  // set by TLS listeners
};

// Each returns nullptr if no port could be bound on host. With `tls` (LOCALSERVER_TLS builds) the
// listener speaks TLS with that context and handshake behaviour.
std::unique_ptr<Scenario> make_http_scenario(const std::string& id, const std::string& name,
                                             const std::string& host, const TlsListen* tls = nullptr);
std::unique_ptr<Scenario> make_ws_scenario(const std::string& id, const std::string& name,
                                           const std::string& host, const TlsListen* tls = nullptr);
std::unique_ptr<Scenario> make_raw_scenario(const std::string& id, const std::string& name,
                                            const std::string& host);

}  // namespace ls
