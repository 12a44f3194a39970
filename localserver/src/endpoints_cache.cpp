// /cache, /cache/<seconds>, /etag/<etag>: HTTP caching, with per-path counters of
// conditional and unconditional requests so tests can see what a client cached.
#include "conn_context.hpp"
#include "endpoints.hpp"
#include "json_util.hpp"
#include "params.hpp"

#include <sstream>

namespace ls {

namespace {

// Fixed validators: a resource that never changes, so any conditional GET may 304.
constexpr const char* kLastModified = "Wed, 21 Oct 2015 07:28:00 GMT";
constexpr const char* kCacheEtag = "\"ls-cache-1\"";

void count(const httplib::Request& req, bool conditional, bool not_modified) {
  if (ConnContext* ctx = current_conn(); ctx && ctx->state) {
    ctx->state->cache_hit(req.path, conditional, not_modified);
  }
}

// True if the If-None-Match / If-Match list names `etag` (quoted) or is "*".
bool etag_listed(const std::string& list, const std::string& quoted) {
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    auto b = item.find_first_not_of(" \t");
    auto e = item.find_last_not_of(" \t");
    if (b == std::string::npos) {
      continue;
    }
    item = item.substr(b, e - b + 1);
    if (item.rfind("W/", 0) == 0) {
      item = item.substr(2);
    }
    if (item == "*" || item == quoted) {
      return true;
    }
  }
  return false;
}

}  // namespace

namespace endpoint {

void cache(const httplib::Request& req, httplib::Response& res, const std::string&) {
  bool conditional = req.has_header("If-Modified-Since") || req.has_header("If-None-Match");
  count(req, conditional, conditional);
  res.set_header("Last-Modified", kLastModified);
  res.set_header("ETag", kCacheEtag);
  if (conditional) {
    res.status = 304;
    return;
  }
  send_json(res, echo_request(req));
}

void cache_seconds(const httplib::Request& req, httplib::Response& res, const std::string& rest) {
  auto secs = parse_int(rest, 0, 31536000, "seconds");
  bool conditional = req.has_header("If-Modified-Since") || req.has_header("If-None-Match");
  count(req, conditional, false);
  res.set_header("Cache-Control", "public, max-age=" + std::to_string(secs));
  send_json(res, echo_request(req));
}

void etag(const httplib::Request& req, httplib::Response& res, const std::string& rest) {
  if (rest.empty() || rest.size() > 128 || rest.find('"') != std::string::npos ||
      rest.find_first_of(" \t\r\n,") != std::string::npos) {
    throw BadRequest("etag must be 1-128 characters without quotes, spaces or commas");
  }
  std::string quoted = "\"" + rest + "\"";
  bool inm = req.has_header("If-None-Match");
  bool im = req.has_header("If-Match");
  res.set_header("ETag", quoted);
  if (inm && etag_listed(req.get_header_value("If-None-Match"), quoted)) {
    count(req, true, true);
    res.status = 304;
    return;
  }
  count(req, inm || im, false);
  if (im && !etag_listed(req.get_header_value("If-Match"), quoted)) {
    send_error(res, 412, "If-Match does not list " + quoted);
    return;
  }
  send_json(res, echo_request(req));
}

}  // namespace endpoint

}  // namespace ls
