// The connection limit per release and per proxy.
// "AJAX - Connectivity Enhancements in Windows Internet Explorer 8": up to Internet Explorer 7,
// 2 connections per HTTP/1.1 server and 4 per HTTP/1.0 server; from Internet Explorer 8 on, 6 per
// server on broadband (WI-CONN-LIMIT-RELEASES). The value is read at run time and recorded with
// the platform and the release it matches (hc_limit_release); the server measures what the client
// does with it.
// "WinInet thread safe?": the limit applies to "a given server (or proxy)" (WI-CONN-LIMIT-PROXY).
// Through localserver's forward proxy (kind=proxy), with INTERNET_OPTION_MAX_CONNS_PER_PROXY set on
// a NULL handle and the per-server limit raised out of the way, requests to two servers share the
// proxy's budget: the proxy must never have more connections open than that limit. Every request
// must really go through the proxy (its log holds each absolute-form target) and complete.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/connection_timeline.h"
#include "hc/echo_check.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/platform.h"
#include "hc/thread_gang.h"
#include "hc/user_agent.h"
#include "hc/wait.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::Handle;

constexpr int kLimitThreads = 64;  // requests sent at once, each from its own thread
constexpr int kProxyLimit = 3;     // set for the proxy: neither a documented default nor the per-server one
constexpr int kLimitHoldMs = 30000;
constexpr auto kLimitParkBound = 20s;
constexpr auto kLimitSettle = 500ms;  // a request beyond the limit would reach the server within it
constexpr auto kLimitGangBound = 90s;

const char* const kWineLimitNotEnforced =
    "Wine 8.0 stores and reports the per-server limits (dlls/wininet/internet.c) but nothing in "
    "dlls/wininet/http.c consults them: every request opens its own connection at once";
const char* const kWineNoProxyLimit =
    "Wine 8.0: InternetQueryOption and InternetSetOption(NULL, INTERNET_OPTION_MAX_CONNS_PER_PROXY) fail, "
    "and nothing limits the connections to a proxy: every request opens its own at once";

// The documented release a pair of per-server limits matches.
std::string ReleaseOf(DWORD per_server, DWORD per_1_0_server) {
  if (per_server == 2 && per_1_0_server == 4)
    return "up to Internet Explorer 7 (2 per HTTP/1.1 server, 4 per HTTP/1.0 server)";
  if (per_server == 6)
    return "Internet Explorer 8 on broadband (6 per server)";
  return "";
}

// kLimitThreads synchronous GETs of /hold/<gate> through `session`, spread over `servers` (one
// connect handle each), while a controller waits until `observer` (the server or the proxy) holds
// `expected` requests, gives more a window to arrive, records what it saw and opens the gates.
struct HeldPeak {
  int in_flight_when_held = 0;
  ::testing::AssertionResult reached = ::testing::AssertionFailure() << "the controller did not run";
  std::vector<std::string> problems;
};

HeldPeak HoldThrough(HINTERNET session, const std::vector<const hc::Scenario*>& servers,
                     const hc::Scenario& observer, int expected, const std::string& gate) {
  HeldPeak peak;
  std::vector<Handle> connects;
  for (const auto* s : servers) {
    connects.push_back(hc::wininet::Connect(session, s->port()));
    if (!connects.back()) {
      peak.problems.push_back("InternetConnect: " + hc::wininet::ErrorName(GetLastError()));
      return peak;
    }
  }
  std::mutex mu;
  hc::RunGang(kLimitThreads + 1, kLimitGangBound, [&](int i) {
    if (i == kLimitThreads) {
      peak.reached =
          hc::WaitUntil([&] { return observer.Stats().value("inflight", 0) >= expected; }, kLimitParkBound,
                        std::to_string(expected) + " requests in flight at " + observer.id(),
                        [&] { return observer.Stats().dump(); });
      std::this_thread::sleep_for(kLimitSettle);
      peak.in_flight_when_held = observer.Stats().value("inflight", 0);
      for (const auto* s : servers)
        s->Release(gate);
      return;
    }
    const auto k = static_cast<std::size_t>(i) % servers.size();
    const std::string target =
        "/hold/" + gate + "?timeout_ms=" + std::to_string(kLimitHoldMs) + "&r=" + std::to_string(i);
    const auto r = hc::wininet::SyncRequest(connects[k].get(), "GET", target);
    const std::string p = r.error ? target + ": " + r.Describe() : hc::EchoProblem(r.status, r.body, target);
    if (!p.empty()) {
      std::lock_guard lock(mu);
      peak.problems.push_back("server " + std::to_string(k) + " " + p);
    }
  });
  return peak;
}

::testing::AssertionResult NoProblems(const HeldPeak& peak) {
  if (peak.problems.empty())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << peak.problems.size() << " requests failed, the first: " << peak.problems.front();
}

class WinInetConnLimitReleases : public hc::wininet::SuiteTest {};

TEST_F(WinInetConnLimitReleases, TheDefaultPerServerLimitsMatchADocumentedRelease) {
  hc::Covers({"WI-CONN-LIMIT-RELEASES"});
  DWORD per_server = 0, per_1_0 = 0, error = 0;
  ASSERT_TRUE(hc::wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, per_server, error))
      << hc::wininet::ErrorName(error);
  ASSERT_TRUE(hc::wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_1_0_SERVER, per_1_0, error))
      << hc::wininet::ErrorName(error);
  const std::string release = ReleaseOf(per_server, per_1_0);
  // What the client does with the value: held requests to one fresh HTTP/1.1 server.
  const int expected = std::min(kLimitThreads, static_cast<int>(per_server));
  Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << hc::wininet::ErrorName(GetLastError());
  const auto peak = HoldThrough(session.get(), {&server()}, server(), expected, "release");
  EXPECT_TRUE(NoProblems(peak));
  const int observed = server().Stats().value("connections_peak", 0);
  RecordProperty("hc_limit_release", nlohmann::json{{"platform", hc::CurrentPlatform().Describe()},
                                                    {"max_conns_per_server", per_server},
                                                    {"max_conns_per_1_0_server", per_1_0},
                                                    {"observed_peak_connections", observed},
                                                    {"matches", release.empty() ? "none" : release}}
                                         .dump());
  hc::RecordTimeline(server(), "one HTTP/1.1 server, " + std::to_string(kLimitThreads) + " held requests",
                     static_cast<int>(per_server), static_cast<int>(per_server), kLimitThreads);
  EXPECT_FALSE(release.empty()) << "INTERNET_OPTION_MAX_CONNS_PER_SERVER = " << per_server
                                << ", _PER_1_0_SERVER = " << per_1_0
                                << " match no documented release (2 and 4 "
                                << "up to IE7, 6 from IE8 on broadband) on "
                                << hc::CurrentPlatform().Describe();
  EXPECT_TRUE(peak.reached) << "the limit's worth of requests should reach the server";
  hc::CheckExpecting(hc::OnWine(kWineLimitNotEnforced), [&] {
    EXPECT_EQ(observed, expected) << "connections open at once with the limit " << per_server;
    EXPECT_EQ(peak.in_flight_when_held, expected) << "requests at the server after the settle window";
  });
}

class WinInetConnLimitProxy : public hc::wininet::SuiteTest {};

TEST_F(WinInetConnLimitProxy, RequestsToTwoServersThroughOneProxyShareThePerProxyLimit) {
  hc::Covers({"WI-CONN-LIMIT-PROXY"});
  DWORD default_proxy_limit = 0, error = 0;
  const bool queried =
      hc::wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_PROXY, default_proxy_limit, error);
  RecordProperty("hc_proxy_limit_default", queried ? std::to_string(default_proxy_limit)
                                                   : "query failed: " + hc::wininet::ErrorName(error));
  // The per-server limit out of the way: only the proxy's can hold requests back.
  hc::wininet::ScopedGlobalDword per_server(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kLimitThreads);
  ASSERT_TRUE(per_server.ok()) << hc::wininet::ErrorName(per_server.error());
  std::optional<hc::wininet::ScopedGlobalDword> per_proxy;
  if (queried)
    per_proxy.emplace(INTERNET_OPTION_MAX_CONNS_PER_PROXY, kProxyLimit);
  hc::Scenario proxy("proxy"), a, b;
  // "<-loopback>": WinINet otherwise bypasses the proxy for loopback targets.
  const std::string proxy_name = "http=127.0.0.1:" + std::to_string(proxy.port());
  Handle session(
      InternetOpenA(hc::kUserAgent, INTERNET_OPEN_TYPE_PROXY, proxy_name.c_str(), "<-loopback>", 0));
  ASSERT_TRUE(session) << "InternetOpen with a proxy: " << hc::wininet::ErrorName(GetLastError());
  const auto peak = HoldThrough(session.get(), {&a, &b}, proxy, kProxyLimit, "proxy");
  const auto stats = proxy.Stats();
  // The scenario happened: every request went through the proxy, in absolute form, and completed.
  EXPECT_TRUE(NoProblems(peak));
  EXPECT_EQ(stats.value("requests", 0), kLimitThreads) << "requests the proxy forwarded: " << stats.dump();
  int absolute = 0;
  for (const auto& e : proxy.Log())
    absolute += e.value("path", "").rfind("http://127.0.0.1:", 0) == 0 ? 1 : 0;
  EXPECT_EQ(absolute, kLimitThreads) << "absolute-form targets in the proxy's log";
  EXPECT_EQ(a.Stats().value("requests", 0) + b.Stats().value("requests", 0), kLimitThreads);
  RecordProperty("hc_proxy_peak_connections", stats.value("connections_peak", 0));
  hc::RecordTimeline(proxy, "one proxy, two servers, " + std::to_string(kLimitThreads) + " held requests",
                     kProxyLimit, kProxyLimit, kLimitThreads);
  hc::CheckExpecting(hc::OnWine(kWineNoProxyLimit), [&] {
    EXPECT_TRUE(queried) << "InternetQueryOption(NULL, INTERNET_OPTION_MAX_CONNS_PER_PROXY): "
                         << hc::wininet::ErrorName(error);
    EXPECT_TRUE(per_proxy && per_proxy->ok())
        << "InternetSetOption(NULL, INTERNET_OPTION_MAX_CONNS_PER_PROXY, " << kProxyLimit << ")";
    EXPECT_TRUE(peak.reached) << "the proxy limit's worth of requests should reach the proxy";
    EXPECT_LE(stats.value("connections_peak", 0), kProxyLimit) << "connections open at once at the proxy";
    EXPECT_EQ(peak.in_flight_when_held, kProxyLimit) << "requests at the proxy after the settle window";
  });
}

}  // namespace
