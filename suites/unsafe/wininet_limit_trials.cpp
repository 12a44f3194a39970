// More simultaneous requests to one server than WinINet's per-server connection limit
// (WI-CONN-LIMIT, WI-CONN-LIMIT-OVERRIDE): the extra requests queue inside WinINet. Observed at the
// server: every request goes to /hold/<gate>, and the server counts how many are parked there
// (in flight) before the gate is released.
//  wi-conn-limit           limit + 4 requests to one server with the default limit
//  wi-conn-limit-raised    safe: INTERNET_OPTION_MAX_CONNS_PER_SERVER raised to the number of requests
//  wi-conn-limit-spread    safe: the same requests spread over several servers, each within the limit
// Each trial uses fresh listeners (no pooled connection carries over) and runs in a child process,
// so raising the process-wide limit does not leak into other tests.
#include <algorithm>
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "hc/localserver.h"
#include "hc/wait.h"
#include "hc/wininet/options.h"
#include "hc/wininet/session.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

enum class Mode { kDefault, kRaised, kSpread };

constexpr auto kParkedReceiveBound = std::chrono::milliseconds(15000);
// How long the requests may take to reach the server (a loaded machine's scheduler can hold a
// thread for a second); a wait ends as soon as they have.
constexpr auto kArrivalBound = std::chrono::milliseconds(5000);
// With the default limit: how long the requests beyond it are given to arrive, relative to the
// time the limit's worth took.
constexpr int kSettleFactor = 3;
constexpr auto kSettleFloor = std::chrono::milliseconds(500);

DWORD DefaultLimit() {
  static const DWORD limit = [] {
    DWORD value = 0, error = 0;
    return wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, value, error) ? value : 0;
  }();
  return limit;
}

Outcome ConnectionLimit(Trial& trial, Mode mode) {
  const DWORD limit = DefaultLimit();
  const int per_server = limit > 0 ? static_cast<int>(std::min<DWORD>(limit, 32)) : 2;
  const int n = per_server + 4;
  DWORD error = 0;
  if (mode == Mode::kRaised &&
      !wininet::SetGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, static_cast<DWORD>(n), error))
    return {"harness error", "InternetSetOption(MAX_CONNS_PER_SERVER): error " + std::to_string(error)};
  const int servers = mode == Mode::kSpread ? (n + per_server - 1) / per_server : 1;
  std::vector<std::unique_ptr<hc::Scenario>> scenario;
  for (int k = 0; k < servers; ++k)
    scenario.push_back(std::make_unique<hc::Scenario>("http", "unsafe-conn-limit"));
  std::vector<int> expected(static_cast<std::size_t>(servers), 0);
  for (int i = 0; i < n; ++i)
    ++expected[static_cast<std::size_t>(i % servers)];

  auto session = wininet::OpenSession({.timeout = kTrialCallBound});
  if (!session)
    return HarnessError("InternetOpen");
  // Parked requests wait for the release: no receive timeout meanwhile.
  DWORD parked_ms = static_cast<DWORD>(kParkedReceiveBound.count());
  InternetSetOptionA(session.get(), INTERNET_OPTION_RECEIVE_TIMEOUT, &parked_ms, sizeof(parked_ms));
  std::string gate = "g";
  gate += std::to_string(trial.index());
  std::atomic<int> failed{0}, sending{0};
  std::atomic<DWORD> first_error{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&, i] {
      auto connect = wininet::Connect(session.get(), scenario[static_cast<std::size_t>(i % servers)]->port());
      wininet::Handle request(
          connect ? wininet::OpenRequest(connect.get(), "GET",
                                         "/hold/" + gate + "?timeout_ms=10000&r=" + std::to_string(i))
                  : nullptr);
      DWORD status = 0, size = sizeof(status);
      const std::string who = "request " + std::to_string(i);
      trial.Stage(who, "in HttpSendRequest");
      ++sending;
      bool ok = request && HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0) &&
                HttpQueryInfoA(request.get(), HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size,
                               nullptr);
      if (!ok) {
        DWORD none = 0;
        first_error.compare_exchange_strong(none, GetLastError());
      }
      char buffer[4096];
      DWORD got = 0;
      trial.Stage(who, "reading");
      while (ok && InternetReadFile(request.get(), buffer, sizeof(buffer), &got) && got > 0) {
      }
      trial.Stage(who, "closing its request and connection");
      request.reset();
      connect.reset();
      trial.Stage(who, "");
      if (!ok || status != 200)
        ++failed;
    });
  }
  // How many reach the server while none is released: the limit holds the rest in WinINet. The
  // safe modes wait for every request. With the default limit, once every thread is in
  // HttpSendRequest (so a slow thread start is not taken for the limit), the limit's worth
  // arrives; the others are then given a few times as long again (at least kSettleFloor) to show
  // they are not held back, rather than the whole bound in every trial the limit holds.
  const auto await = std::chrono::milliseconds(trial.IntArg("await_ms", kArrivalBound.count()));
  if (mode == Mode::kDefault)
    (void)hc::WaitUntil([&] { return sending.load() == n; }, await, "every thread in HttpSendRequest");
  const auto all_sending = std::chrono::steady_clock::now();
  int parked = 0, peak = 0;
  for (int k = 0; k < servers; ++k) {
    const auto& s = *scenario[static_cast<std::size_t>(k)];
    const int want = expected[static_cast<std::size_t>(k)];
    if (mode == Mode::kDefault) {
      (void)s.AwaitParked(std::min(want, per_server), await, gate);
      const auto first = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - all_sending);
      (void)s.AwaitParked(want, std::max(kSettleFloor, kSettleFactor * first), gate);
    } else {
      (void)s.AwaitParked(want, await, gate);
    }
    const auto stats = s.Stats();
    parked += stats.value("parked", 0);
    peak = std::max(peak, stats.value("connections_peak", 0));
  }
  trial.Stage("main", "releasing the requests");
  for (const auto& s : scenario)
    s->Release(gate);
  for (auto& t : threads)
    t.join();
  trial.Stage("main", "closing the session");
  session.reset();
  trial.Stage("main", "");

  trial.Note("limit_option", static_cast<std::int64_t>(limit));
  trial.Note("requests", n);
  trial.Note("parked", parked);
  trial.Note("peak_connections_per_server", peak);
  trial.Note("servers", servers);
  const std::string seen = std::to_string(parked) + " of " + std::to_string(n) + " requests in flight";
  if (failed > 0)
    return {"error " + std::to_string(first_error.load()),
            std::to_string(failed.load()) + " requests failed; " + seen};
  if (parked < n)
    return {"stalled", seen + " (" + std::to_string(servers) + " server(s), limit option " +
                           std::to_string(limit) + ")"};
  return {mode == Mode::kDefault ? "no stall" : "success", seen};
}

}  // namespace

void AddWinInetLimitPatterns(Patterns& p) {
  p["wi-conn-limit"] = [](Trial& t) { return ConnectionLimit(t, Mode::kDefault); };
  p["wi-conn-limit-raised"] = [](Trial& t) { return ConnectionLimit(t, Mode::kRaised); };
  p["wi-conn-limit-spread"] = [](Trial& t) { return ConnectionLimit(t, Mode::kSpread); };
}

}  // namespace hc::unsafe
