// http scenario: a ConnServer whose every request goes through one dispatcher
// over the endpoint table (faster than httplib's regex routes, and one place for
// _delay_ms, 404, 405 and 400 handling).
#include "conn_context.hpp"
#include "conn_server.hpp"
#include "endpoints.hpp"
#include "json_util.hpp"
#include "params.hpp"
#include "scenario.hpp"

namespace ls {

namespace {

const std::vector<Endpoint>& endpoint_table() {
  static const std::vector<Endpoint> table = {
      {"/get", false, endpoint::get},
      {"/anything", true, endpoint::anything},
      {"/anything/", true, endpoint::anything},
      {"/status/", true, endpoint::status},
      {"/bytes/", false, endpoint::bytes},
      {"/response-headers", true, endpoint::response_headers},
      {"/redirect/", false, endpoint::redirect},
      {"/delay/", true, endpoint::delay},
      {"/drip", false, endpoint::drip},
      {"/stream-bytes/", false, endpoint::stream_bytes},
      {"/chunked-abort", false, endpoint::chunked_abort},
      {"/hold/", true, endpoint::hold},
      {"/cache", false, endpoint::cache},
      {"/cache/", false, endpoint::cache_seconds},
      {"/etag/", false, endpoint::etag},
  };
  return table;
}

const Endpoint* find_endpoint(const std::string& path, std::string& rest) {
  for (const auto& e : endpoint_table()) {
    if (e.path.back() == '/') {
      if (path.size() > e.path.size() && path.compare(0, e.path.size(), e.path) == 0) {
        rest = path.substr(e.path.size());
        return &e;
      }
    } else if (path == e.path) {
      rest.clear();
      return &e;
    }
  }
  return nullptr;
}

void dispatch(const httplib::Request& req, httplib::Response& res) {
  try {
    std::string rest;
    const Endpoint* e = find_endpoint(req.path, rest);
    if (!e) {
      send_error(res, 404, "no such endpoint: " + req.path.substr(0, 200));
      return;
    }
    if (!e->any_method && req.method != "GET" && req.method != "HEAD") {
      res.set_header("Allow", "GET, HEAD");
      send_error(res, 405, "method " + req.method + " not allowed on " + std::string(e->path));
      return;
    }
    // Reserved parameter honoured by every endpoint: wait before handling.
    if (req.has_param("_delay_ms")) {
      auto ms = parse_int(req.get_param_value("_delay_ms"), 0, 60000, "_delay_ms");
      auto r = cancel_aware_sleep(std::chrono::milliseconds(ms));
      if (r == SleepResult::client_gone) {
        res.status = 499;
        return;
      }
      if (r == SleepResult::stopping) {
        send_error(res, 503, "scenario stopping");
        return;
      }
    }
    e->fn(req, res, rest);
  } catch (const BadRequest& ex) {
    res.headers.clear();
    res.content_provider_ = nullptr;
    send_error(res, 400, ex.what());
  } catch (const std::exception& ex) {
    res.headers.clear();
    res.content_provider_ = nullptr;
    send_error(res, 500, ex.what());
  }
}

class HttpScenario : public Scenario {
 public:
  HttpScenario(const std::string& id, const std::string& name, const TlsListen* tls)
      : Scenario(id, "http", name), server_(&state_) {
    server_.set_dispatch(dispatch);
    if (tls) {
      state_.set_tls(tls->spec);
      server_.set_tls(*tls);
      tls_cert_ = name_of(tls->spec.cert);
    }
  }
  ~HttpScenario() override { stop(); }

  bool start(const std::string& host) {
    port_ = server_.start(host, 0);
    return port_ > 0;
  }
  void stop() override { server_.shutdown_all(); }

 private:
  ConnServer server_;
};

}  // namespace

std::unique_ptr<Scenario> make_http_scenario(const std::string& id, const std::string& name,
                                             const std::string& host, const TlsListen* tls) {
  auto s = std::make_unique<HttpScenario>(id, name, tls);
  if (!s->start(host)) {
    return nullptr;
  }
  return s;
}

}  // namespace ls
