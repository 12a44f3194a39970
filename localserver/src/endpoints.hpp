// Endpoint table of http scenario listeners (go-httpbin names). Handlers throw
// BadRequest for invalid parameters; the dispatcher answers those with 400.
#pragma once
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace ls {

// The largest generated body (/bytes, /stream-bytes, /chunked-abort).
constexpr std::int64_t kMaxBody = 64ll * 1024 * 1024;

// `rest` is the part of the path after the endpoint's prefix.
using EndpointFn = void (*)(const httplib::Request&, httplib::Response&, const std::string& rest);

struct Endpoint {
  std::string_view path;  // exact path, or a prefix when it ends with '/'
  bool any_method;        // otherwise GET and HEAD only
  EndpointFn fn;
};

void add_basic_endpoints(std::vector<Endpoint>& table);
void add_timed_endpoints(std::vector<Endpoint>& table);
void add_cache_endpoints(std::vector<Endpoint>& table);

// The request echoed the way /get and /anything show it.
nlohmann::json echo_request(const httplib::Request& req);

}  // namespace ls
