#pragma once
// The mix of requests the WinHTTP suites send and check byte for byte: content-length GETs
// (/bytes), chunked GETs (/stream-bytes) and POSTs with a written body echoed by /anything.
#include <cstdint>
#include <functional>
#include <string>

#include <hc_protocol/body_pattern.h>

#include "hc/echo_check.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/response.h"
#include "hc/winhttp/async_request.h"

namespace hc::winhttp::mix {

inline constexpr std::size_t kWriteChunk = 1000;  // WinHttpWriteData piece size for POST bodies
inline constexpr std::size_t kStreamChunk = 997;  // /stream-bytes chunk size: many chunks per body

inline std::string PostQuery(int t, int r) {
  return "thread=" + std::to_string(t) + "&r=" + std::to_string(r);
}
inline std::uint64_t PostSeed(int t, int r) {
  return static_cast<std::uint64_t>(t) * 1000 + static_cast<std::uint64_t>(r) + 7;
}
inline std::size_t PostSize(int t, int r) {
  return 1 + (PostSeed(t, r) * 7919) % 12000;
}

inline hc::PatternRequest Chunked(int t, int r) {
  auto req = hc::PatternRequest::ForThread(t, r, "/stream-bytes/");
  req.query += "&chunk_size=" + std::to_string(kStreamChunk);
  return req;
}

// The r-th request of thread t: content-length GET, chunked GET or written POST, in turn.
struct Case {
  AsyncRequestSpec spec;
  std::string log_key;
  std::function<std::string(const hc::Response&)> check;  // empty string: the response is right
};

inline Case MakeCase(int t, int r) {
  Case a;
  switch ((t + r) % 3) {
    case 0: {
      const auto req = hc::PatternRequest::ForThread(t, r);
      a.spec.target = req.target();
      a.log_key = hc::LogKey("GET", req.path, req.query);
      a.check = [req](const hc::Response& res) { return req.Problem(res.status, res.body); };
      break;
    }
    case 1: {
      const auto req = Chunked(t, r);
      a.spec.target = req.target();
      a.log_key = hc::LogKey("GET", req.path, req.query);
      a.check = [req](const hc::Response& res) { return req.Problem(res.status, res.body); };
      break;
    }
    default: {
      a.spec.verb = L"POST";
      a.spec.target = "/anything?" + PostQuery(t, r);
      a.spec.body = hc_protocol::TextBody(PostSeed(t, r), PostSize(t, r));
      a.spec.write_chunk = kWriteChunk;
      a.log_key = hc::LogKey("POST", "/anything", PostQuery(t, r));
      const std::string target = a.spec.target, body = a.spec.body;
      a.check = [target, body](const hc::Response& res) {
        return hc::PostEchoProblem(target, res.status, res.body, body);
      };
      break;
    }
  }
  return a;
}

}  // namespace hc::winhttp::mix
