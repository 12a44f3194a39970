#include "scenario_state.hpp"

#include <algorithm>

namespace ls {

using nlohmann::json;

ScenarioState::ScenarioState(std::string id, std::string kind, std::string name)
    : id_(std::move(id)), kind_(std::move(kind)), name_(std::move(name)), origin_(Clock::now()) {}

double ScenarioState::now_ms_locked() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - origin_).count();
}

double ScenarioState::now_ms() const {
  std::lock_guard lk(mu_);
  return now_ms_locked();
}

std::uint64_t ScenarioState::conn_open() {
  std::lock_guard lk(mu_);
  std::uint64_t id = next_conn_++;
  ++accepted_;
  ++open_;
  peak_ = std::max(peak_, open_);
  if (timeline_.size() < kMaxTimeline) {
    timeline_.push_back({now_ms_locked(), true, id, open_});
  }
  cv_.notify_all();
  return id;
}

void ScenarioState::conn_close(std::uint64_t conn) {
  std::lock_guard lk(mu_);
  if (open_ > 0) {
    --open_;
  }
  if (timeline_.size() < kMaxTimeline) {
    timeline_.push_back({now_ms_locked(), false, conn, open_});
  }
  cv_.notify_all();
}

ScenarioState::Ticket ScenarioState::request_begin(std::uint64_t conn, std::uint64_t conn_seq,
                                                   RequestInfo info) {
  std::lock_guard lk(mu_);
  Ticket t{epoch_, ++requests_};
  ++inflight_;
  inflight_peak_ = std::max(inflight_peak_, inflight_);
  ++paths_[info.path];
  conn_requests_[conn].push_back(t.seq);
  if (log_.size() < kMaxLog) {
    LogEntry e;
    e.seq = t.seq;
    e.conn = conn;
    e.conn_seq = conn_seq;
    e.info = std::move(info);
    e.t_start_ms = now_ms_locked();
    log_.push_back(std::move(e));
  } else {
    ++log_dropped_;
  }
  cv_.notify_all();
  return t;
}

ScenarioState::LogEntry* ScenarioState::entry_locked(const Ticket& t) {
  if (t.epoch != epoch_ || t.seq == 0 || t.seq > log_.size()) {
    return nullptr;
  }
  return &log_[t.seq - 1];
}

void ScenarioState::request_end(const Ticket& t, int status) {
  std::lock_guard lk(mu_);
  if (inflight_ > 0) {
    --inflight_;
  }
  if (t.epoch == epoch_) {
    ++completed_;
  }
  if (LogEntry* e = entry_locked(t)) {
    e->status = status;
    e->t_end_ms = now_ms_locked();
    e->done = true;
  }
  cv_.notify_all();
}

void ScenarioState::request_client_gone(const Ticket& t) {
  std::lock_guard lk(mu_);
  if (LogEntry* e = entry_locked(t)) {
    e->client_gone = true;
  }
}

void ScenarioState::cache_hit(const std::string& path, bool conditional, bool not_modified) {
  std::lock_guard lk(mu_);
  auto& c = cache_[path];
  if (conditional) {
    ++c.conditional;
  } else {
    ++c.unconditional;
  }
  if (not_modified) {
    ++c.not_modified;
  }
}

void ScenarioState::set_tls(const TlsSpec& spec) {
  std::lock_guard lk(mu_);
  tls_ = spec;
}

void ScenarioState::set_totals(std::shared_ptr<TlsTotals> totals) {
  std::lock_guard lk(mu_);
  totals_ = std::move(totals);
}

void ScenarioState::tls_done(std::uint64_t conn, const TlsFacts& facts) {
  std::lock_guard lk(mu_);
  ++tls_completed_;
  ++tls_versions_[facts.version];
  if (facts.resumed) {
    ++tls_resumed_;
  }
  TlsConnEntry& e = tls_conns_[conn];
  e.ok = true;
  e.facts = facts;
  if (totals_) {
    ++totals_->handshakes_completed;
    if (facts.resumed) {
      ++totals_->resumed;
    }
  }
  cv_.notify_all();
}

void ScenarioState::tls_failed(std::uint64_t conn, const std::string& reason) {
  std::lock_guard lk(mu_);
  ++tls_failed_;
  // Reasons are OpenSSL's or ours, a small set; the cap only guards against surprises.
  if (tls_failures_.size() < 64 || tls_failures_.count(reason)) {
    ++tls_failures_[reason];
  }
  TlsConnEntry& e = tls_conns_[conn];
  e.ok = false;
  e.error = reason;
  if (totals_) {
    ++totals_->handshakes_failed;
  }
  cv_.notify_all();
}

void ScenarioState::wrong_protocol() {
  std::lock_guard lk(mu_);
  ++wrong_protocol_;
  if (totals_) {
    ++totals_->wrong_protocol;
  }
  cv_.notify_all();
}

ScenarioState::ParkResult ScenarioState::park(const std::string& gate, Clock::time_point deadline,
                                              const std::function<bool()>& gone) {
  std::unique_lock lk(mu_);
  auto is_open = [&] {
    auto it = gate_open_.find(gate);
    return all_open_ || (it != gate_open_.end() && it->second);
  };
  if (is_open()) {
    return ParkResult::released;
  }
  ++parked_;
  ++parked_at_[gate];
  cv_.notify_all();
  ParkResult result = ParkResult::timeout;
  for (;;) {
    if (is_open()) {
      result = ParkResult::released;
      break;
    }
    if (stopping_) {
      result = ParkResult::stopping;
      break;
    }
    auto now = Clock::now();
    if (now >= deadline) {
      result = ParkResult::timeout;
      break;
    }
    // Slices bound how late a vanished client is noticed.
    cv_.wait_until(lk, std::min(deadline, now + std::chrono::milliseconds(50)));
    lk.unlock();
    bool g = gone && gone();
    lk.lock();
    if (g) {
      result = ParkResult::client_gone;
      break;
    }
  }
  --parked_;
  if (--parked_at_[gate] == 0) {
    parked_at_.erase(gate);
  }
  cv_.notify_all();
  return result;
}

void ScenarioState::release(const std::string& gate) {
  std::lock_guard lk(mu_);
  gate_open_[gate] = true;
  cv_.notify_all();
}

void ScenarioState::release_all() {
  std::lock_guard lk(mu_);
  all_open_ = true;
  cv_.notify_all();
}

bool ScenarioState::wait_unless_stopping(std::chrono::milliseconds ms) {
  std::unique_lock lk(mu_);
  return !cv_.wait_for(lk, ms, [&] { return stopping_; });
}

void ScenarioState::stop() {
  std::lock_guard lk(mu_);
  stopping_ = true;
  cv_.notify_all();
}

bool ScenarioState::stopping() const {
  std::lock_guard lk(mu_);
  return stopping_;
}

json ScenarioState::stats_locked() const {
  json paths = json::object();
  for (const auto& [p, n] : paths_) {
    paths[p] = n;
  }
  json conns = json::object();
  for (const auto& [c, seqs] : conn_requests_) {
    conns[std::to_string(c)] = seqs;
  }
  json cache = json::object();
  for (const auto& [p, c] : cache_) {
    cache[p] = {
        {"conditional", c.conditional}, {"unconditional", c.unconditional}, {"not_modified", c.not_modified}};
  }
  json parked_at = json::object();
  for (const auto& [g, n] : parked_at_) {
    parked_at[g] = n;
  }
  json tls = nullptr;
  if (tls_) {
    json tconns = json::object();
    for (const auto& [c, e] : tls_conns_) {
      tconns[std::to_string(c)] = e.ok ? json{{"ok", true},
                                              {"version", e.facts.version},
                                              {"resumed", e.facts.resumed},
                                              {"cipher", e.facts.cipher},
                                              {"sni", e.facts.sni}}
                                       : json{{"ok", false}, {"error", e.error}};
    }
    tls = {{"cert", name_of(tls_->cert)},
           {"handshake", name_of(tls_->handshake)},
           {"resumption", tls_->resumption},
           {"stall_ms", tls_->handshake == HandshakeMode::stall ? json(tls_->stall_ms) : json()},
           {"handshakes_completed", tls_completed_},
           {"handshakes_failed", tls_failed_},
           {"resumed", tls_resumed_},
           {"versions", tls_versions_},
           {"failures", tls_failures_},
           {"connections", tconns}};
  }
  return {{"id", id_},
          {"kind", kind_},
          {"name", name_},
          {"connections_accepted", accepted_},
          {"connections_open", open_},
          {"connections_peak", peak_},
          {"inflight", inflight_},
          {"inflight_peak", inflight_peak_},
          {"parked", parked_},
          {"parked_at", parked_at},
          {"requests", requests_},
          {"completed", completed_},
          {"log_dropped", log_dropped_},
          {"paths", paths},
          {"connections", conns},
          {"cache", cache},
          {"tls", tls},
          {"wrong_protocol", wrong_protocol_}};
}

json ScenarioState::stats() const {
  std::lock_guard lk(mu_);
  return stats_locked();
}

json ScenarioState::log() const {
  std::lock_guard lk(mu_);
  json out = json::array();
  for (const auto& e : log_) {
    json headers = json::object();
    for (const auto& [k, v] : e.info.headers) {
      auto it = headers.find(k);
      if (it == headers.end()) {
        headers[k] = v;
      } else {
        *it = it->get<std::string>() + ", " + v;
      }
    }
    json j = {{"seq", e.seq},           {"conn", e.conn},
              {"conn_seq", e.conn_seq}, {"method", e.info.method},
              {"path", e.info.path},    {"query", e.info.query},
              {"headers", headers},     {"body_size", e.info.body_size},
              {"status", e.status},     {"t_start_ms", e.t_start_ms},
              {"done", e.done},         {"client_gone", e.client_gone}};
    j["t_end_ms"] = e.done ? json(e.t_end_ms) : json(nullptr);
    out.push_back(std::move(j));
  }
  return out;
}

json ScenarioState::timeline() const {
  std::lock_guard lk(mu_);
  json out = json::array();
  for (const auto& ev : timeline_) {
    out.push_back({{"t_ms", ev.t_ms},
                   {"event", ev.open ? "open" : "close"},
                   {"conn", ev.conn},
                   {"open", ev.open_after}});
  }
  return out;
}

void ScenarioState::reset() {
  std::lock_guard lk(mu_);
  // Live quantities (open connections, in-flight and parked requests) stay true;
  // history and counters start again.
  ++epoch_;
  origin_ = Clock::now();
  accepted_ = 0;
  peak_ = open_;
  requests_ = 0;
  completed_ = 0;
  inflight_peak_ = inflight_;
  log_dropped_ = 0;
  paths_.clear();
  conn_requests_.clear();
  cache_.clear();
  tls_completed_ = 0;
  tls_failed_ = 0;
  tls_resumed_ = 0;
  wrong_protocol_ = 0;
  tls_versions_.clear();
  tls_failures_.clear();
  tls_conns_.clear();
  log_.clear();
  timeline_.clear();
  gate_open_.clear();
  all_open_ = false;
  cv_.notify_all();
}

bool ScenarioState::condition_locked(AwaitKind kind, std::int64_t n, const std::string& gate) const {
  auto un = static_cast<std::uint64_t>(n);
  switch (kind) {
    case AwaitKind::parked:
      if (gate.empty()) {
        return parked_ >= un;
      } else {
        auto it = parked_at_.find(gate);
        return (it == parked_at_.end() ? 0 : it->second) >= un;
      }
    case AwaitKind::requests:
      return completed_ >= un;
    case AwaitKind::open:
      return open_ == un;
    case AwaitKind::inflight:
      return inflight_ >= un;
  }
  return false;
}

bool ScenarioState::await(AwaitKind kind, std::int64_t n, const std::string& gate,
                          std::chrono::milliseconds timeout, json& stats_out) {
  std::unique_lock lk(mu_);
  bool ok = cv_.wait_for(lk, timeout, [&] { return stopping_ || condition_locked(kind, n, gate); });
  ok = ok && condition_locked(kind, n, gate);
  stats_out = stats_locked();
  return ok;
}

}  // namespace ls
