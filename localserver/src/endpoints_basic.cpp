// /get, /anything, /status, /bytes, /response-headers, /redirect
#include "bytegen.hpp"
#include "conn_context.hpp"
#include "endpoints.hpp"
#include "json_util.hpp"
#include "params.hpp"

#include <algorithm>
#include <cctype>
#include <memory>
#include <vector>

namespace ls {

using nlohmann::json;

namespace {

bool is_token(const std::string& s) {
  if (s.empty() || s.size() > 128) {
    return false;
  }
  for (unsigned char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
    if (!ok) {
      return false;
    }
  }
  return true;
}

bool is_header_value(const std::string& s) {
  return s.size() <= 4096 &&
         std::none_of(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

}  // namespace

namespace endpoint {

void get(const httplib::Request& req, httplib::Response& res, const std::string&) {
  send_json(res, echo_request(req));
}

void anything(const httplib::Request& req, httplib::Response& res, const std::string&) {
  json j = echo_request(req);
  j["data"] = req.body;
  j["body_size"] = req.body.size();
  j["json"] = nullptr;
  if (req.get_header_value("Content-Type").find("json") != std::string::npos) {
    j["json"] = json::parse(req.body, nullptr, false);
    if (j["json"].is_discarded()) {
      j["json"] = nullptr;
    }
  }
  send_json(res, j);
}

void status(const httplib::Request&, httplib::Response& res, const std::string& rest) {
  int code = static_cast<int>(parse_int(rest, 200, 599, "status code"));
  res.status = code;
  switch (code) {
    case 301:
    case 302:
    case 303:
    case 305:
    case 307:
    case 308:
      res.set_header("Location", "/redirect/1");
      break;
    case 401:
      res.set_header("WWW-Authenticate", "Basic realm=\"Fake Realm\"");
      break;
    case 407:
      res.set_header("Proxy-Authenticate", "Basic realm=\"Fake Realm\"");
      break;
    default:
      break;
  }
}

void bytes(const httplib::Request& req, httplib::Response& res, const std::string& rest) {
  auto n = static_cast<std::size_t>(parse_int(rest, 0, kMaxBody, "n"));
  auto seed = static_cast<std::uint64_t>(int_param(req, "seed", 0, 0, 0xffffffffll));
  res.status = 200;
  if (n == 0) {
    res.set_header("Content-Type", "application/octet-stream");
    return;
  }
  res.set_content_provider(n, "application/octet-stream",
                           [seed](size_t offset, size_t length, httplib::DataSink& sink) {
                             char buf[16384];
                             size_t k = std::min(length, sizeof buf);
                             gen_fill(seed, offset, buf, k);
                             return sink.write(buf, k);
                           });
}

void response_headers(const httplib::Request& req, httplib::Response& res, const std::string&) {
  json body = json::object();
  for (const auto& [k, v] : req.params) {
    if (k == "_delay_ms") {
      continue;
    }
    if (!is_token(k)) {
      throw BadRequest("invalid header name '" + k.substr(0, 32) + "'");
    }
    if (!is_header_value(v)) {
      throw BadRequest("invalid value for header '" + k + "'");
    }
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "content-length" || lower == "transfer-encoding" || lower == "connection" ||
        lower == "content-type") {
      throw BadRequest("header '" + k + "' would break message framing");
    }
    res.set_header(k, v);
    body[k] = v;
  }
  send_json(res, body);
}

void redirect(const httplib::Request&, httplib::Response& res, const std::string& rest) {
  auto n = parse_int(rest, 1, 100, "n");
  res.status = 302;
  res.set_header("Location", n > 1 ? "/redirect/" + std::to_string(n - 1) : std::string("/get"));
}

}  // namespace endpoint

json echo_request(const httplib::Request& req) {
  json args = json::object();
  for (const auto& [k, v] : req.params) {
    auto it = args.find(k);
    if (it == args.end()) {
      args[k] = v;
    } else if (it->is_array()) {
      it->push_back(v);
    } else {
      *it = json::array({*it, v});
    }
  }
  json headers = json::object();
  for (const auto& [k, v] : client_headers(req)) {
    auto it = headers.find(k);
    if (it == headers.end()) {
      headers[k] = v;
    } else {
      *it = it->get<std::string>() + ", " + v;
    }
  }
  ConnContext* ctx = current_conn();
  json j = {{"method", req.method},
            {"args", args},
            {"headers", headers},
            {"origin", req.remote_addr},
            {"url", std::string(ctx && ctx->tls ? "https://" : "http://") + req.get_header_value("Host") +
                        req.target}};
  if (ctx && ctx->ticket) {
    j["conn"] = ctx->conn;
    j["conn_seq"] = ctx->conn_seq;
    j["seq"] = ctx->ticket->seq;
  }
  return j;
}

}  // namespace ls
