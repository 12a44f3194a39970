// A scenario: one listener on its own ephemeral loopback port plus the state the
// control API observes. Kinds: http (httplib), ws (Beast), raw (Asio).
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
  // Stops the listener, releases parked requests, closes connections, joins
  // threads. Idempotent.
  virtual void stop() = 0;

 protected:
  ScenarioState state_;
  int port_ = 0;
};

// Each returns nullptr if no port could be bound on host.
std::unique_ptr<Scenario> make_http_scenario(const std::string& id, const std::string& name,
                                             const std::string& host);
std::unique_ptr<Scenario> make_ws_scenario(const std::string& id, const std::string& name,
                                           const std::string& host);
std::unique_ptr<Scenario> make_raw_scenario(const std::string& id, const std::string& name,
                                            const std::string& host);

}  // namespace ls
