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
using EndpointHandler = void(const httplib::Request&, httplib::Response&, const std::string& rest);
using EndpointFn = EndpointHandler*;

struct Endpoint {
  std::string_view path;  // exact path, or a prefix when it ends with '/'
  bool any_method;        // otherwise GET and HEAD only
  EndpointFn fn;
};

// The handlers the table of http_scenario.cpp names.
namespace endpoint {
EndpointHandler get, anything, status, bytes, response_headers, redirect;  // endpoints_basic.cpp
EndpointHandler delay, drip, stream_bytes, chunked_abort, hold;            // endpoints_timed.cpp
EndpointHandler cache, cache_seconds, etag;                                // endpoints_cache.cpp
}  // namespace endpoint

// The request echoed the way /get and /anything show it.
nlohmann::json echo_request(const httplib::Request& req);

}  // namespace ls
