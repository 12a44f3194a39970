// Connections per server, measured at the server. WinHTTP documents no default limit
// (WINHTTP_OPTION_MAX_CONNS_PER_SERVER defaults to INFINITE): N concurrent requests to one server,
// held there at a gate, should be N connections open at once. Setting the option caps them: the
// requests beyond the cap wait inside WinHTTP and go out as connections free up. Each test records
// the server's open-connection timeline as the hc_timeline property.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/connection_timeline.h"
#include "hc/expectation.h"
#include "hc/localserver.h"
#include "hc/thread_gang.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::Handle;

constexpr int kRequests = 64;        // concurrent requests with no limit set, one thread each
constexpr int kCappedRequests = 64;  // concurrent requests with the option set, one thread each
constexpr DWORD kCap = 4;            // the limit set: a small number, far below the requests
constexpr auto kParkBound = 30s;
constexpr auto kNoMoreWindow = 300ms;  // how long more connections get to (wrongly) appear past the cap
constexpr auto kGangBound = 60s;
constexpr int kHoldMs = 40000;  // the server answers a request still held after this (504)

// `requests` synchronous GETs from as many threads, all held at one gate until every one the client
// lets out has arrived; returns the problems seen by the threads. while_held gets how many requests
// have come back so far (one that came back while the others are held never reached the gate).
std::vector<std::string> RunHeld(const hc::Scenario& server, HINTERNET connect, int requests,
                                 const std::string& gate,
                                 const std::function<void(const std::function<int()>& ended)>& while_held) {
  const hc::Transport transport = server.transport();
  std::mutex mu;
  std::vector<std::string> problems;
  std::atomic<int> ended{0};
  hc::RunGang(requests + 1, kGangBound, [&](int t) {
    if (t == requests) {  // the observer: waits for the client's connections, then opens the gate
      while_held([&] { return ended.load(); });
      server.Release(gate);
      return;
    }
    const std::string target = std::string("/hold/")
                                   .append(gate)
                                   .append("?timeout_ms=")
                                   .append(std::to_string(kHoldMs))
                                   .append("&i=")
                                   .append(std::to_string(t));
    const auto r = hc::winhttp::SyncRequest(connect, L"GET", target, "", transport);
    ++ended;
    if (r.error != 0 || r.status != 200) {
      std::lock_guard lock(mu);
      problems.push_back(target + ": " + r.Describe());
    }
  });
  return problems;
}

class WinHttpConnectionLimits : public hc::winhttp::TransportTest {};
// The option's value on a new session: no request, no transport.
class WinHttpConnectionLimitOption : public hc::winhttp::SuiteTest {};

TEST_P(WinHttpConnectionLimits, WithNoLimitEveryConcurrentRequestGetsItsOwnConnection) {
  hc::Covers({"WH-CONN-LIMIT"});
  ASSERT_TRUE(OpenConnection());
  ::testing::AssertionResult all_parked = ::testing::AssertionSuccess();
  const auto problems = RunHeld(server(), connect(), kRequests, "nolimit", [&](const auto& ended) {
    all_parked = server().AwaitParked(kRequests, kParkBound, "nolimit", ended);
  });
  const auto stats = server().Stats();
  const long long peak = stats.value("connections_peak", 0LL);
  hc::RecordTimeline(server(),
                     std::string("WinHTTP over ") + hc::TransportName(transport()) + ", no limit set, " +
                         std::to_string(kRequests) + " concurrent requests",
                     std::nullopt, std::nullopt, kRequests);
  EXPECT_TRUE(problems.empty()) << problems.size() << " requests failed, first: " << problems.front();
  EXPECT_TRUE(all_parked) << "not every request reached the server while the others were held";
  EXPECT_EQ(peak, kRequests) << "connections open at once for " << kRequests
                             << " concurrent requests: " << stats.dump();
}

TEST_F(WinHttpConnectionLimitOption, MaxConnsPerServerDefaultsToInfinite) {
  hc::Covers({"WH-CONN-LIMIT"});
  Handle session = hc::winhttp::OpenSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << hc::winhttp::ErrorName(GetLastError());
  DWORD value = 0, size = sizeof(value);
  const BOOL ok = WinHttpQueryOption(session.get(), WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &value, &size);
  const DWORD error = ok ? 0 : GetLastError();
  RecordProperty("hc_max_conns_per_server",
                 ok ? std::to_string(value) : "query failed: " + hc::winhttp::ErrorName(error));
  hc::CheckExpecting(hc::OnWine("Wine 8.0 does not implement querying WINHTTP_OPTION_MAX_CONNS_PER_SERVER"),
                     [&] {
                       EXPECT_TRUE(ok) << "WinHttpQueryOption(WINHTTP_OPTION_MAX_CONNS_PER_SERVER): "
                                       << hc::winhttp::ErrorName(error);
                       if (ok) {
                         EXPECT_EQ(value, static_cast<DWORD>(INFINITE));
                       }
                     });
}

TEST_P(WinHttpConnectionLimits, MaxConnsPerServerCapsTheConnectionsOpenAtOnce) {
  hc::Covers({"WH-CONN-LIMIT"});
  Handle session = hc::winhttp::OpenSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << hc::winhttp::ErrorName(GetLastError());
  DWORD cap = kCap;
  ASSERT_TRUE(WinHttpSetOption(session.get(), WINHTTP_OPTION_MAX_CONNS_PER_SERVER, &cap, sizeof(cap)))
      << "WinHttpSetOption(WINHTTP_OPTION_MAX_CONNS_PER_SERVER): " << hc::winhttp::ErrorName(GetLastError());
  Handle connect = hc::winhttp::Connect(session.get(), server().port());
  ASSERT_TRUE(connect) << "WinHttpConnect: " << hc::winhttp::ErrorName(GetLastError());

  ::testing::AssertionResult cap_reached = ::testing::AssertionSuccess();
  ::testing::AssertionResult more_than_cap = ::testing::AssertionFailure();
  const auto problems = RunHeld(server(), connect.get(), kCappedRequests, "capped", [&](const auto& ended) {
    cap_reached = server().AwaitParked(static_cast<int>(kCap), kParkBound, "capped", ended);
    // With the cap honoured nothing more arrives while the first kCap are held.
    more_than_cap = server().AwaitParked(static_cast<int>(kCap) + 1, kNoMoreWindow, "capped");
  });
  const auto stats = server().Stats();
  const long long peak = stats.value("connections_peak", 0LL);
  hc::RecordTimeline(server(),
                     std::string("WinHTTP over ") + hc::TransportName(transport()) +
                         ", WINHTTP_OPTION_MAX_CONNS_PER_SERVER = " + std::to_string(kCap) + ", " +
                         std::to_string(kCappedRequests) + " concurrent requests",
                     std::nullopt, kCap, kCappedRequests);
  EXPECT_TRUE(problems.empty()) << problems.size() << " requests failed, first: " << problems.front();
  EXPECT_TRUE(cap_reached) << "fewer than " << kCap << " requests reached the server";
  EXPECT_EQ(stats.value("requests", 0LL), kCappedRequests) << "every request went out in the end";
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0 accepts WINHTTP_OPTION_MAX_CONNS_PER_SERVER but does not enforce it"), [&] {
        EXPECT_FALSE(more_than_cap) << "more than " << kCap << " requests were at the server at once";
        EXPECT_LE(peak, static_cast<long long>(kCap)) << "connections open at once: " << stats.dump();
      });
}

HC_OVER_TRANSPORTS(WinHttpConnectionLimits);

}  // namespace
