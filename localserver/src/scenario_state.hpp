// Everything a scenario observes and controls, independent of the protocol that
// feeds it: connection accounting, request log, timeline, cache counters, gates.
// One mutex guards it all; one condition variable wakes awaiters and parked requests.
#pragma once
#include "tls_spec.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ls {

using Clock = std::chrono::steady_clock;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RequestInfo {
  std::string method;
  std::string path;
  std::string query;
  HeaderList headers;
  std::uint64_t body_size = 0;
};

class ScenarioState {
 public:
  // Caps keep memory bounded under benchmarks; counters stay exact beyond them.
  static constexpr std::size_t kMaxLog = 100000;
  static constexpr std::size_t kMaxTimeline = 200000;

  enum class ParkResult { released, timeout, stopping, client_gone };
  enum class AwaitKind { parked, requests, open, inflight };

  ScenarioState(std::string id, std::string kind, std::string name);

  const std::string& id() const { return id_; }
  const std::string& kind() const { return kind_; }

  // Connections: ids are 1-based and never reused within a scenario (also not
  // after reset, so an id always names one TCP connection).
  std::uint64_t conn_open();
  void conn_close(std::uint64_t conn);

  // Requests: seq is 1-based per scenario and restarts after reset; the epoch
  // keeps a request that straddles a reset from touching the new log.
  struct Ticket {
    std::uint64_t epoch = 0;
    std::uint64_t seq = 0;
  };
  Ticket request_begin(std::uint64_t conn, std::uint64_t conn_seq, RequestInfo info);
  void request_end(const Ticket& t, int status);
  void request_client_gone(const Ticket& t);
  void cache_hit(const std::string& path, bool conditional, bool not_modified);

  // TLS. A TLS listener says so once, before it accepts; `totals` (optional) are the server-wide
  // counters this scenario adds to, for plain listeners too (wrong_protocol).
  void set_tls(const TlsSpec& spec);
  void set_totals(std::shared_ptr<TlsTotals> totals);
  void tls_done(std::uint64_t conn, const TlsFacts& facts);
  void tls_failed(std::uint64_t conn, const std::string& reason);
  // A connection whose first bytes spoke the other protocol (plain HTTP to TLS, TLS to plain).
  void wrong_protocol();

  // Gates. park() returns when the gate opens, the deadline passes, the scenario
  // stops or gone() reports the client went away (polled every few ms).
  ParkResult park(const std::string& gate, Clock::time_point deadline, const std::function<bool()>& gone);
  void release(const std::string& gate);
  void release_all();

  // Waits up to `ms` unless the scenario stops first; false if it stopped.
  bool wait_unless_stopping(std::chrono::milliseconds ms);

  void stop();
  bool stopping() const;

  nlohmann::json stats() const;
  nlohmann::json log() const;
  nlohmann::json timeline() const;
  void reset();

  // True when the condition held within timeout; `stats_out` gets the stats.
  bool await(AwaitKind kind, std::int64_t n, const std::string& gate, std::chrono::milliseconds timeout,
             nlohmann::json& stats_out);

  double now_ms() const;

 private:
  struct LogEntry {
    std::uint64_t seq = 0;
    std::uint64_t conn = 0;
    std::uint64_t conn_seq = 0;
    RequestInfo info;
    int status = 0;
    double t_start_ms = 0;
    double t_end_ms = 0;
    bool done = false;
    bool client_gone = false;
  };
  struct TimelineEvent {
    double t_ms;
    bool open;
    std::uint64_t conn;
    std::uint64_t open_after;
  };
  struct TlsConnEntry {
    bool ok = false;
    TlsFacts facts;
    std::string error;
  };
  struct CacheCounters {
    std::uint64_t conditional = 0;
    std::uint64_t unconditional = 0;
    std::uint64_t not_modified = 0;
  };

  double now_ms_locked() const;
  nlohmann::json stats_locked() const;
  bool condition_locked(AwaitKind kind, std::int64_t n, const std::string& gate) const;
  LogEntry* entry_locked(const Ticket& t);

  const std::string id_;
  const std::string kind_;
  const std::string name_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  Clock::time_point origin_;
  bool stopping_ = false;
  bool all_open_ = false;  // release?all=1: every gate passes until reset
  std::uint64_t epoch_ = 0;

  std::uint64_t next_conn_ = 1;
  std::uint64_t accepted_ = 0;
  std::uint64_t open_ = 0;
  std::uint64_t peak_ = 0;
  std::uint64_t requests_ = 0;
  std::uint64_t completed_ = 0;
  std::uint64_t inflight_ = 0;
  std::uint64_t inflight_peak_ = 0;
  std::uint64_t parked_ = 0;
  std::uint64_t log_dropped_ = 0;
  std::map<std::string, std::uint64_t> parked_at_;
  std::map<std::string, bool> gate_open_;
  std::map<std::string, std::uint64_t> paths_;
  std::map<std::uint64_t, std::vector<std::uint64_t>> conn_requests_;
  std::map<std::string, CacheCounters> cache_;
  std::optional<TlsSpec> tls_;
  std::shared_ptr<TlsTotals> totals_;
  std::uint64_t tls_completed_ = 0;
  std::uint64_t tls_failed_ = 0;
  std::uint64_t tls_resumed_ = 0;
  std::uint64_t wrong_protocol_ = 0;
  std::map<std::string, std::uint64_t> tls_versions_;
  std::map<std::string, std::uint64_t> tls_failures_;
  std::map<std::uint64_t, TlsConnEntry> tls_conns_;
  std::deque<LogEntry> log_;
  std::vector<TimelineEvent> timeline_;
};

}  // namespace ls
