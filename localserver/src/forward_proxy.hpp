// proxy scenario (kind=proxy): a forward HTTP proxy for loopback targets. It takes absolute-form
// requests ("GET http://127.0.0.1:PORT/path HTTP/1.1"), refuses any target that is not on
// loopback (403 with the reason), forwards the request in origin form to the target with
// "Connection: close" and relays the answer until the target closes; one request per client
// connection. Its own connections and requests are observed like every scenario's (stats, log with
// the absolute target, timeline); see README.md.
#pragma once
#include "scenario.hpp"

#include <memory>
#include <optional>
#include <string>

namespace ls {

// The parts of an absolute-form target "http://host[:port]/path?query".
struct ProxyTarget {
  std::string host;  // without brackets for IPv6
  int port = 80;
  std::string path_and_query;  // "/" when the target has no path
};

// Parses an absolute-form http target; nullopt with reason set if it is not one.
std::optional<ProxyTarget> parse_proxy_target(const std::string& target, std::string& reason);
// 127.0.0.0/8, ::1 or "localhost".
bool is_loopback_host(const std::string& host);

// nullptr if no port could be bound on host.
std::unique_ptr<Scenario> make_proxy_scenario(const std::string& id, const std::string& name,
                                              const std::string& host);

}  // namespace ls
