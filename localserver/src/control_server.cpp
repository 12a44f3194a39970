#include "control_server.hpp"

#include "forward_proxy.hpp"
#include "json_util.hpp"
#include "params.hpp"
#if LOCALSERVER_TLS
#include "tls_authority.hpp"
#endif

#include <hc_protocol/tls.h>

#include <stdexcept>
#include <vector>

namespace ls {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

namespace {

constexpr const char* kScenarioPath = R"(/scenarios/([A-Za-z0-9]+))";

std::string path_of(const std::string& suffix) {
  return std::string(kScenarioPath) + suffix;
}

}  // namespace

ControlServer::ControlServer(std::string host, std::function<void()> on_shutdown)
    : host_(std::move(host)), on_shutdown_(std::move(on_shutdown)), http_(nullptr) {
#if LOCALSERVER_TLS
  try {
    authority_ = std::make_shared<TlsAuthority>();
  } catch (const std::exception& e) {
    tls_reason_ = std::string("TLS unavailable: ") + e.what();
  }
#else
  tls_reason_ = tls_unavailable_reason();
#endif
  routes();
}

std::string ControlServer::ca(CaFormat format) const {
#if LOCALSERVER_TLS
  if (authority_) {
    return format == CaFormat::der ? authority_->ca_der() : authority_->ca_pem();
  }
#else
  (void)format;
#endif
  return {};
}

void ControlServer::set_ca_files(std::string pem_path, std::string der_path) {
  std::lock_guard lk(mu_);
  ca_pem_file_ = std::move(pem_path);
  ca_der_file_ = std::move(der_path);
}

json ControlServer::tls_port_info() const {
  namespace t = hc_protocol::tls;
  if (!authority_) {
    return {{t::kAvailable, false}, {t::kReason, tls_reason_}};
  }
  json j = {{t::kAvailable, true}};
  std::lock_guard lk(mu_);
  if (!ca_pem_file_.empty()) {
    j[t::kCaPemFile] = ca_pem_file_;
    j[t::kCaDerFile] = ca_der_file_;
  }
  return j;
}

json ControlServer::tls_info() const {
  json j = tls_port_info();
  if (authority_) {
    j[hc_protocol::tls::kCaPemText] = ca_pem();
    j["certs"] = {name_of(CertKind::valid), name_of(CertKind::wrong_host), name_of(CertKind::expired),
                  name_of(CertKind::self_signed)};
    j["handshakes"] = {name_of(HandshakeMode::normal), name_of(HandshakeMode::stall),
                       name_of(HandshakeMode::reset)};
    j["stall_gate"] = hc_protocol::tls::kStallGate;
  }
  j["totals"] = totals_->json();
  return j;
}

ControlServer::~ControlServer() {
  stop();
}

int ControlServer::start(int port) {
  return http_.start(host_, port);
}

void ControlServer::stop() {
  std::map<std::string, std::shared_ptr<Scenario>> all;
  {
    std::lock_guard lk(mu_);
    stopped_ = true;
    all.swap(scenarios_);
  }
  for (auto& [id, s] : all) {
    s->stop();
  }
  http_.shutdown_all();
}

std::shared_ptr<Scenario> ControlServer::find(const std::string& id) {
  std::lock_guard lk(mu_);
  auto it = scenarios_.find(id);
  return it == scenarios_.end() ? nullptr : it->second;
}

void ControlServer::routes() {
  // Wraps a handler: unknown scenario -> 404, BadRequest -> 400.
  auto with_scenario = [this](auto fn) {
    return [this, fn](const Request& req, Response& res) {
      auto s = find(req.matches[1]);
      if (!s) {
        send_error(res, 404, "no such scenario: " + std::string(req.matches[1]));
        return;
      }
      try {
        fn(*s, req, res);
      } catch (const BadRequest& e) {
        send_error(res, 400, e.what());
      }
    };
  };

  http_.Get("/health", [](const Request&, Response& res) {
    send_json(res, {{"ok", true}, {"version", LOCALSERVER_VERSION}});
  });

  http_.Post("/shutdown", [this](const Request&, Response& res) {
    send_json(res, {{"ok", true}});
    if (on_shutdown_) {
      on_shutdown_();
    }
  });

  http_.Get("/tls", [this](const Request&, Response& res) { send_json(res, tls_info()); });

  http_.Get("/scenarios", [this](const Request&, Response& res) {
    json out = json::array();
    std::lock_guard lk(mu_);
    for (const auto& [id, s] : scenarios_) {
      out.push_back({{"id", id}, {"port", s->port()}, {"kind", s->state().kind()}, {"tls", s->tls_cert()}});
    }
    send_json(res, out);
  });

  http_.Post("/scenarios", [this](const Request& req, Response& res) {
    std::string kind = req.has_param("kind") ? req.get_param_value("kind") : "http";
    std::string name = req.has_param("name") ? req.get_param_value("name") : "";
    if (name.size() > 200) {
      send_error(res, 400, "name longer than 200 characters");
      return;
    }
    if (kind != "http" && kind != "ws" && kind != "raw" && kind != "proxy") {
      send_error(res, 400, "kind must be http, ws, raw or proxy");
      return;
    }
    namespace t = hc_protocol::tls;
    std::optional<TlsSpec> tls;
    if (req.has_param(t::kParamCert)) {
      auto cert = parse_cert_kind(req.get_param_value(t::kParamCert));
      if (!cert) {
        send_error(res, 400, "tls must be valid, wrong-host, expired or self-signed");
        return;
      }
      if (kind == "raw" || kind == "proxy") {
        send_error(res, 400, "tls applies to kind=http and kind=ws");
        return;
      }
      tls = TlsSpec{*cert, HandshakeMode::normal};
    }
    if (req.has_param(t::kParamHandshake)) {
      auto mode = parse_handshake_mode(req.get_param_value(t::kParamHandshake));
      if (!mode) {
        send_error(res, 400, "handshake must be normal, stall or reset");
        return;
      }
      if (!tls) {
        send_error(res, 400, "handshake needs tls=<cert>");
        return;
      }
      if (*mode != HandshakeMode::normal && kind != "http") {
        send_error(res, 400, "handshake=stall and handshake=reset are served by kind=http only");
        return;
      }
      tls->handshake = *mode;
    }
    if (req.has_param(t::kParamResumption)) {
      std::string v = req.get_param_value(t::kParamResumption);
      if (v != "on" && v != "off") {
        send_error(res, 400, "resumption must be on or off");
        return;
      }
      if (!tls) {
        send_error(res, 400, "resumption needs tls=<cert>");
        return;
      }
      tls->resumption = v == "on";
    }
    if (req.has_param(t::kParamStallMs)) {
      if (!tls || tls->handshake != HandshakeMode::stall) {
        send_error(res, 400, "stall_ms needs handshake=stall");
        return;
      }
      try {
        tls->stall_ms = static_cast<int>(int_param(req, t::kParamStallMs, t::kMaxStallMs, 1, t::kMaxStallMs));
      } catch (const BadRequest& e) {
        send_error(res, 400, e.what());
        return;
      }
    }
    if (tls && !authority_) {
      send_error(res, 501, tls_reason_);
      return;
    }
    std::string id;
    {
      std::lock_guard lk(mu_);
      if (stopped_) {
        send_error(res, 503, "server stopping");
        return;
      }
      if (scenarios_.size() >= 4096) {
        send_error(res, 400, "too many scenarios (4096); delete some");
        return;
      }
      id = "s" + std::to_string(next_id_++);
    }
    std::optional<TlsListen> listen;
#if LOCALSERVER_TLS
    if (tls) {
      try {
        listen = TlsListen{authority_->server_context(tls->cert, id, tls->resumption), *tls};
      } catch (const std::exception& e) {
        send_error(res, 500, e.what());
        return;
      }
    }
#endif
    const TlsListen* lp = listen ? &*listen : nullptr;
    std::unique_ptr<Scenario> s = kind == "http"    ? make_http_scenario(id, name, host_, lp)
                                  : kind == "ws"    ? make_ws_scenario(id, name, host_, lp)
                                  : kind == "proxy" ? make_proxy_scenario(id, name, host_)
                                                    : make_raw_scenario(id, name, host_);
    if (!s) {
      send_error(res, 500, "could not bind a listener on " + host_);
      return;
    }
    s->state().set_totals(totals_);
    json j = {{"id", id}, {"port", s->port()}, {"kind", kind}, {"name", name}, {"tls", s->tls_cert()}};
    if (tls) {
      j["handshake"] = name_of(tls->handshake);
      j["resumption"] = tls->resumption;
      if (tls->handshake == HandshakeMode::stall)
        j["stall_ms"] = tls->stall_ms;
      j["scheme"] = kind == "http" ? "https" : "wss";
    }
    std::shared_ptr<Scenario> shared(std::move(s));
    {
      std::lock_guard lk(mu_);
      if (stopped_) {
        shared->stop();
        send_error(res, 503, "server stopping");
        return;
      }
      scenarios_[id] = shared;
    }
    send_json(res, j);
  });

  http_.Get(path_of("/stats"), with_scenario([](Scenario& s, const Request&, Response& res) {
              send_json(res, s.state().stats());
            }));
  http_.Get(path_of("/log"), with_scenario([](Scenario& s, const Request&, Response& res) {
              send_json(res, s.state().log());
            }));
  http_.Get(path_of("/timeline"), with_scenario([](Scenario& s, const Request&, Response& res) {
              send_json(res, s.state().timeline());
            }));
  http_.Post(path_of("/reset"), with_scenario([](Scenario& s, const Request&, Response& res) {
               s.state().reset();
               send_json(res, {{"ok", true}});
             }));
  http_.Post(path_of("/release"), with_scenario([](Scenario& s, const Request& req, Response& res) {
               if (req.has_param("all")) {
                 if (req.get_param_value("all") != "1") {
                   throw BadRequest("all must be 1");
                 }
                 s.state().release_all();
                 send_json(res, {{"ok", true}, {"released", "all"}});
                 return;
               }
               if (!req.has_param("gate")) {
                 throw BadRequest("release needs gate=NAME or all=1");
               }
               std::string gate = req.get_param_value("gate");
               if (!valid_name(gate)) {
                 throw BadRequest("gate name must match [A-Za-z0-9_.-]{1,64}");
               }
               s.state().release(gate);
               send_json(res, {{"ok", true}, {"released", gate}});
             }));
  http_.Get(
      path_of("/await"), with_scenario([](Scenario& s, const Request& req, Response& res) {
        using K = ScenarioState::AwaitKind;
        const std::vector<std::pair<const char*, K>> kinds = {
            {"parked", K::parked}, {"requests", K::requests}, {"open", K::open}, {"inflight", K::inflight}};
        const char* which = nullptr;
        K kind = K::parked;
        for (const auto& [name, k] : kinds) {
          if (req.has_param(name)) {
            if (which) {
              throw BadRequest("await takes exactly one of parked, requests, open, inflight");
            }
            which = name;
            kind = k;
          }
        }
        if (!which) {
          throw BadRequest("await needs one of parked=N, requests=N, open=N, inflight=N");
        }
        auto n = parse_int(req.get_param_value(which), 0, 1000000, which);
        std::string gate;
        if (req.has_param("gate")) {
          if (kind != K::parked) {
            throw BadRequest("gate applies to parked only");
          }
          gate = req.get_param_value("gate");
          if (!valid_name(gate)) {
            throw BadRequest("gate name must match [A-Za-z0-9_.-]{1,64}");
          }
        }
        auto timeout = int_param(req, "timeout_ms", 5000, 0, 60000);
        json stats;
        bool ok = s.state().await(kind, n, gate, std::chrono::milliseconds(timeout), stats);
        stats["ok"] = ok;
        if (!ok) {
          stats["error"] = "timeout after " + std::to_string(timeout) + " ms waiting for " + which +
                           (kind == K::open ? " == " : " >= ") + std::to_string(n) +
                           (gate.empty() ? "" : " at gate " + gate);
        }
        send_json(res, stats, ok ? 200 : 408);
      }));
  http_.Delete(kScenarioPath, [this](const Request& req, Response& res) {
    std::shared_ptr<Scenario> s;
    {
      std::lock_guard lk(mu_);
      auto it = scenarios_.find(req.matches[1]);
      if (it != scenarios_.end()) {
        s = it->second;
        scenarios_.erase(it);
      }
    }
    if (!s) {
      send_error(res, 404, "no such scenario: " + std::string(req.matches[1]));
      return;
    }
    s->stop();
    send_json(res, {{"ok", true}, {"id", s->state().id()}});
  });

  // Unknown paths (and httplib's own errors) also answer JSON.
  http_.set_error_handler([](const Request& req, Response& res) {
    if (res.body.empty()) {
      std::string reason = res.status == 404 ? "no such control endpoint: " + req.method + " " + req.path
                                             : "request rejected (" + std::to_string(res.status) + ")";
      res.set_content(dump({{"error", reason}}), "application/json");
    }
  });
}

}  // namespace ls
