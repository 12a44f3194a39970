// The per-server connection limit.
// "WinInet thread safe?" (000): "by default, WinINet will limit the number of simultaneous
// connections to a given server (or proxy) to 2 ... if you try to send more than two requests to
// the same server, WinINet will let two of the requests go through and block the others";
// KB 183110 "WinInet limits connections per server": four to a single HTTP 1.0 server, and
// InternetSetOption on a NULL handle with INTERNET_OPTION_MAX_CONNS_PER_SERVER /
// _PER_1_0_SERVER changes the limit for the whole process (KB 320721: not for servers the process
// already connected to, hence a fresh server per measurement).
// Newer Windows releases raised the default and document no number for them, so the limit is
// read at run time (InternetQueryOption) and compared with what the server observes: with
// responses held at a gate, N requests from N threads to one host:port must never have more
// than the limit open at the server, the rest wait and complete once released.
// Each test records an hc_timeline property (connections open against time, from the server).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <hc_protocol/body_pattern.h>

#include "hc/catalogue.h"
#include "hc/connection_timeline.h"
#include "hc/echo_check.h"
#include "hc/expectation.h"
#include "hc/latch.h"
#include "hc/localserver.h"
#include "hc/thread_gang.h"
#include "hc/wait.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::Handle;

// Requests sent at once from as many threads (per server): far more than the documented limits
// (2 and 4), which stay the subject; every request beyond the limit must wait at the client.
constexpr int kRequests = 64;
constexpr int kDocumentedLimit = 2;    // per HTTP/1.1 server ("WinInet thread safe?", KB 183110)
constexpr int kDocumentedLimit10 = 4;  // per HTTP/1.0 server (KB 183110)
constexpr auto kParkBound = 30s;
// A negative observation ("no more than the limit got through") needs a window: requests beyond
// the limit that were let through would reach the server within it.
constexpr auto kSettle = 500ms;
constexpr auto kGangBound = 180s;
constexpr int kHoldMs = 30000;
constexpr std::size_t kHeldBodyBytes = 16u << 20;  // raw HTTP/1.0 body the client stops reading
constexpr std::size_t kPrefixBytes = 4096;

const char* const kWineNotEnforced =
    "Wine 8.0 stores and reports the limit (dlls/wininet/internet.c: max_conns = 2, max_1_0_conns = 4, "
    "settable on a NULL handle) but nothing in dlls/wininet/http.c consults it: every request opens its "
    "own connection at once";

int QueryLimit(DWORD option) {
  DWORD value = 0, error = 0;
  EXPECT_TRUE(hc::wininet::QueryGlobalDword(option, value, error))
      << "InternetQueryOption(NULL, " << option << "): " << hc::wininet::ErrorName(error);
  return static_cast<int>(value);
}

// What one server saw while its requests were held.
struct HeldObservation {
  ::testing::AssertionResult limit_reached = ::testing::AssertionSuccess();  // min(N, limit) held
  bool more_than_expected = false;  // a further request reached the gate within kSettle
  int parked = 0;
  int open = 0;
};

// Held requests at `gate` on each server: kRequests threads per server, sync requests through one
// session and one connect handle per server; a controller observes, then releases.
struct HeldRun {
  std::vector<HeldObservation> seen;
  std::vector<std::string> problems;
};

HeldRun RunHeld(const std::vector<hc::Scenario*>& servers, int expected_held, const std::string& gate) {
  HeldRun run;
  run.seen.resize(servers.size());
  Handle session = hc::wininet::OpenSession();
  if (!session) {
    run.problems.push_back("InternetOpen: " + hc::wininet::ErrorName(GetLastError()));
    return run;
  }
  std::vector<Handle> connects;
  for (auto* s : servers)
    connects.push_back(hc::wininet::Connect(session.get(), s->port()));
  std::mutex mu;
  const int senders = kRequests * static_cast<int>(servers.size());
  hc::RunGang(senders + 1, kGangBound, [&](int i) {
    if (i < senders) {
      const auto server = static_cast<size_t>(i / kRequests);
      const std::string target =
          "/hold/" + gate + "?timeout_ms=" + std::to_string(kHoldMs) + "&r=" + std::to_string(i % kRequests);
      auto r = hc::wininet::SyncRequest(connects[server].get(), "GET", target, hc::wininet::kNoCacheFlags,
                                        servers[server]->transport());
      const std::string p =
          r.error ? target + ": " + r.Describe() : hc::EchoProblem(r.status, r.body, target);
      if (!p.empty()) {
        std::lock_guard lock(mu);
        run.problems.push_back("server " + std::to_string(server) + " " + p);
      }
      return;
    }
    try {
      for (size_t k = 0; k < servers.size(); ++k)
        run.seen[k].limit_reached = servers[k]->AwaitParked(expected_held, kParkBound, gate);
      if (expected_held < kRequests) {
        // One settle window for all servers: the first waits it out, the others are read after.
        run.seen[0].more_than_expected =
            static_cast<bool>(servers[0]->AwaitParked(expected_held + 1, kSettle, gate));
      }
      for (size_t k = 0; k < servers.size(); ++k) {
        const auto stats = servers[k]->Stats();
        run.seen[k].parked = stats.value("parked", 0);
        run.seen[k].open = stats.value("connections_open", 0);
        if (k > 0)
          run.seen[k].more_than_expected = run.seen[k].parked > expected_held;
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      run.problems.push_back(std::string("controller: ") + e.what());
    }
    for (auto* s : servers)
      s->Release(gate);
  });
  return run;
}

void ExpectAllCompleted(const HeldRun& run) {
  EXPECT_TRUE(run.problems.empty()) << run.problems.size() << " problems, first: "
                                    << (run.problems.empty() ? "" : run.problems.front());
}

class WinInetConnLimit : public hc::wininet::TransportTest {};
// The HTTP/1.0 limit is measured on the raw listener, which speaks plain HTTP only.
class WinInetConnLimitHttp10 : public hc::wininet::SuiteTest {};

TEST_P(WinInetConnLimit, RequestsBeyondThePerServerLimitWaitAtTheClient) {
  hc::Covers({"WI-CONN-LIMIT"});
  const int limit = QueryLimit(INTERNET_OPTION_MAX_CONNS_PER_SERVER);
  ASSERT_GT(limit, 0);
  const int expected = std::min(kRequests, limit);
  hc::Scenario server(transport());
  const auto run = RunHeld({&server}, expected, "limit");
  ExpectAllCompleted(run);  // the held and the waiting ones all complete after the release
  const auto& seen = run.seen[0];
  EXPECT_TRUE(seen.limit_reached) << "the limit's worth of requests (" << expected << ") should go through";
  const auto stats = server.Stats();
  EXPECT_TRUE(hc::TransportSeen(server));
  hc::RecordTimeline(server,
                     std::string("one HTTP/1.1 server over ") + hc::TransportName(transport()) + ", " +
                         std::to_string(kRequests) + " held requests",
                     kDocumentedLimit, limit, kRequests);
  RecordProperty("hc_limit_option", limit);
  RecordProperty("hc_observed_peak", stats.value("connections_peak", 0));
  hc::CheckExpecting(hc::OnWine(kWineNotEnforced), [&] {
    EXPECT_FALSE(seen.more_than_expected)
        << "more than " << expected << " requests reached the server at once";
    EXPECT_LE(stats.value("connections_peak", 0), limit)
        << "connections open at once, limit option " << limit;
    EXPECT_LE(stats.value("inflight_peak", 0), limit) << "requests in flight at once, limit option " << limit;
    EXPECT_EQ(seen.parked, expected) << "held at the gate when the controller looked";
  });
}

TEST_P(WinInetConnLimit, RaisingTheLimitLetsMoreRequestsThroughAtOnce) {
  hc::Covers({"WI-CONN-LIMIT-OVERRIDE"});
  const int default_limit = QueryLimit(INTERNET_OPTION_MAX_CONNS_PER_SERVER);
  // Process-wide (KB 183110: InternetSetOption on a NULL handle); restored at the end.
  hc::wininet::ScopedGlobalDword raised(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kRequests);
  ASSERT_TRUE(raised.ok()) << "InternetSetOption(NULL, INTERNET_OPTION_MAX_CONNS_PER_SERVER, " << kRequests
                           << "): " << hc::wininet::ErrorName(raised.error());
  EXPECT_EQ(QueryLimit(INTERNET_OPTION_MAX_CONNS_PER_SERVER), kRequests) << "the option does not read back";
  hc::Scenario server(transport());  // never contacted before the change (KB 320721)
  const auto run = RunHeld({&server}, kRequests, "raised");
  ExpectAllCompleted(run);
  const auto stats = server.Stats();
  EXPECT_TRUE(run.seen[0].limit_reached)
      << "with the limit raised to " << kRequests << " all should be held at once";
  EXPECT_EQ(stats.value("connections_peak", 0), kRequests);
  EXPECT_GT(stats.value("connections_peak", 0), std::min(default_limit, kRequests - 1))
      << "the raised limit should allow more than the default " << default_limit;
  EXPECT_TRUE(hc::TransportSeen(server));
  hc::RecordTimeline(server,
                     std::string("one HTTP/1.1 server over ") + hc::TransportName(transport()) +
                         ", limit raised to " + std::to_string(kRequests),
                     kRequests, kRequests, kRequests);
  RecordProperty("hc_default_limit_option", default_limit);
}

TEST_P(WinInetConnLimit, EachServerHasItsOwnConnectionBudget) {
  hc::Covers({"WI-CONN-LIMIT"});
  const int limit = QueryLimit(INTERNET_OPTION_MAX_CONNS_PER_SERVER);
  ASSERT_GT(limit, 0);
  const int expected = std::min(kRequests, limit);
  hc::Scenario a(transport()), b(transport());  // two host:port pairs
  const auto run = RunHeld({&a, &b}, expected, "budget");
  ExpectAllCompleted(run);
  // Both servers hold their limit's worth at the same moment: the budget is not shared.
  EXPECT_TRUE(run.seen[0].limit_reached) << "first server";
  EXPECT_TRUE(run.seen[1].limit_reached) << "second server";
  EXPECT_GE(run.seen[0].parked + run.seen[1].parked, 2 * expected)
      << "held at both servers at once: " << run.seen[0].parked << " + " << run.seen[1].parked;
  const auto sa = a.Stats(), sb = b.Stats();
  EXPECT_TRUE(hc::TransportSeen(a));
  EXPECT_TRUE(hc::TransportSeen(b));
  hc::RecordTimeline(a,
                     std::string("first of two HTTP/1.1 servers over ") + hc::TransportName(transport()) +
                         ", " + std::to_string(kRequests) + " held requests each",
                     kDocumentedLimit, limit, kRequests);
  RecordProperty("hc_second_server_peak", sb.value("connections_peak", 0));
  hc::CheckExpecting(hc::OnWine(kWineNotEnforced), [&] {
    EXPECT_LE(sa.value("connections_peak", 0), limit) << "first server";
    EXPECT_LE(sb.value("connections_peak", 0), limit) << "second server";
    EXPECT_FALSE(run.seen[0].more_than_expected) << "first server";
    EXPECT_FALSE(run.seen[1].more_than_expected) << "second server";
  });
}

TEST_F(WinInetConnLimitHttp10, AnHttp10ServerGetsItsOwnLimit) {
  hc::Covers({"WI-CONN-LIMIT-1-0"});
  // The raw listener's /http10-close answers HTTP/1.0 without Content-Length and closes. Each
  // request reads the start of a long body and then stops reading, which keeps its connection
  // open (the server blocks on a full socket) until the controller lets the threads close.
  const int limit = QueryLimit(INTERNET_OPTION_MAX_CONNS_PER_1_0_SERVER);
  ASSERT_GT(limit, 0);
  const int expected = std::min(kRequests, limit);
  hc::Scenario server("raw");
  Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << "InternetOpen: " << hc::wininet::ErrorName(GetLastError());
  Handle connect = hc::wininet::Connect(session.get(), server.port());
  ASSERT_TRUE(connect) << "InternetConnect: " << hc::wininet::ErrorName(GetLastError());
  {
    // Let WinINet learn that this server speaks HTTP/1.0.
    auto r = hc::wininet::SyncRequest(connect.get(), "GET", "/http10-close?bytes=64&seed=1");
    ASSERT_EQ(r.error, 0u) << r.Describe();
    ASSERT_EQ(r.body, hc_protocol::PatternBytes(1, 0, 64));
  }
  ASSERT_TRUE(server.AwaitOpen(0, kParkBound));
  server.Reset();

  std::mutex mu;
  std::vector<std::string> problems;
  std::atomic<int> reading{0};
  hc::Latch release(1);  // not std::latch: see hc/latch.h
  int open_when_held = 0, peak_when_held = 0;
  hc::RunGang(kRequests + 1, kGangBound, [&](int i) {
    if (i == kRequests) {
      // Controller: wait for the limit's worth, give more a window to appear, then let go.
      const bool held = hc::WaitUntil([&] { return reading.load() >= expected; }, kParkBound,
                                      std::to_string(expected) + " requests reading");
      if (!held) {
        std::lock_guard lock(mu);
        problems.push_back("only " + std::to_string(reading.load()) + " requests got a connection");
      }
      std::this_thread::sleep_for(kSettle);
      try {
        const auto stats = server.Stats();
        open_when_held = stats.value("connections_open", 0);
        peak_when_held = stats.value("connections_peak", 0);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        problems.push_back(e.what());
      }
      release.CountDown();
      return;
    }
    const std::uint64_t seed = 100 + static_cast<std::uint64_t>(i);
    const std::string target =
        "/http10-close?bytes=" + std::to_string(kHeldBodyBytes) + "&seed=" + std::to_string(seed);
    Handle request(HttpOpenRequestA(connect.get(), "GET", target.c_str(), nullptr, nullptr, nullptr,
                                    hc::wininet::kNoCacheFlags, 0));
    std::string prefix(kPrefixBytes, '\0');
    DWORD got = 0, read = 0;
    bool ok = request && HttpSendRequestA(request.get(), nullptr, 0, nullptr, 0);
    while (ok && got < kPrefixBytes) {
      ok = InternetReadFile(request.get(), prefix.data() + got, static_cast<DWORD>(kPrefixBytes) - got,
                            &read) &&
           read > 0;
      got += read;
    }
    if (!ok || prefix != hc_protocol::PatternBytes(seed, 0, kPrefixBytes)) {
      std::lock_guard lock(mu);
      problems.push_back(target + ": " +
                         (ok ? "wrong bytes" : "error " + hc::wininet::ErrorName(GetLastError())));
    }
    ++reading;
    // The controller counts down on every path within kParkBound + kSettle; the bound is a backstop.
    if (!release.Wait(kGangBound)) {
      std::lock_guard lock(mu);
      problems.push_back("the controller never released the held requests");
    }
    // Closing the request with its body unread ends the connection and frees the slot.
  });
  EXPECT_TRUE(problems.empty()) << problems.size()
                                << " problems, first: " << (problems.empty() ? "" : problems.front());
  EXPECT_TRUE(server.AwaitOpen(0, kParkBound));
  const auto stats = server.Stats();
  hc::RecordTimeline(server, "one HTTP/1.0 server, " + std::to_string(kRequests) + " requests kept open",
                     kDocumentedLimit10, limit, kRequests);
  RecordProperty("hc_limit_option", limit);
  RecordProperty("hc_observed_peak", stats.value("connections_peak", 0));
  EXPECT_GE(peak_when_held, expected) << "the limit's worth of connections should open";
  hc::CheckExpecting(hc::OnWine(kWineNotEnforced), [&] {
    EXPECT_LE(open_when_held, limit) << "connections open while the first requests were kept open";
    EXPECT_LE(stats.value("connections_peak", 0), limit)
        << "connections open at once, limit option " << limit;
  });
}

HC_OVER_TRANSPORTS(WinInetConnLimit);

}  // namespace
