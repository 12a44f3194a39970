// "Asynchronous Operation" (003): "Downloading multiple Internet resources simultaneously. You
// can connect to multiple Internet resources at the same time and download them as they become
// available" -- the coffee-prices example uses two sites. Measured at the servers, not by
// timing: with every response held at a gate, kServers (64) asynchronous downloads started from
// one thread to as many servers are all in flight at once; kSequentialServers synchronous
// downloads on one thread never are.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "hc/catalogue.h"
#include "hc/echo_check.h"
#include "hc/localserver.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kServers = 64;  // async downloads in flight at once, one per server
// The synchronous contrast runs on one thread and is not a concurrency test: a few servers show
// that nothing overlaps (every step reads the stats of every server, so the cost is quadratic).
constexpr int kSequentialServers = 8;
constexpr int kPatternDownloads = 64;  // through one session and one connect handle
constexpr auto kParkBound = 30s;
constexpr auto kSimultaneousFinishBound = 60s;
constexpr auto kSimultaneousClosingBound = 20s;

std::vector<std::unique_ptr<hc::Scenario>> MakeServers(int n) {
  std::vector<std::unique_ptr<hc::Scenario>> servers;
  for (int i = 0; i < n; ++i)
    servers.push_back(std::make_unique<hc::Scenario>());
  return servers;
}

int ParkedNow(const std::vector<std::unique_ptr<hc::Scenario>>& servers) {
  int parked = 0;
  for (const auto& s : servers)
    parked += s->Stats().value("parked", 0);
  return parked;
}

class WinInetAsyncSimultaneous : public hc::wininet::SuiteTest {};

TEST_F(WinInetAsyncSimultaneous, AsyncDownloadsFromOneThreadToSeveralServersAreInFlightAtOnce) {
  hc::Covers({"WI-ASYNC-SIMULTANEOUS", "WI-ASYNC-MODE"});
  auto servers = MakeServers(kServers);
  // One asynchronous session; the first server's connection is the CallbackSession's own.
  hc::wininet::CallbackSession client(servers.front()->port());
  ASSERT_TRUE(client.ready());
  std::vector<hc::wininet::Context*> connect_contexts = {&client.connect_context()};
  std::vector<HINTERNET> connects = {client.connect()};
  for (int i = 1; i < kServers; ++i) {
    auto& context = client.owner().Make<hc::wininet::Context>();
    connects.push_back(
        hc::wininet::Connect(client.session(), servers[static_cast<size_t>(i)]->port(), context));
    ASSERT_NE(connects.back(), nullptr) << "InternetConnect: " << hc::wininet::ErrorName(GetLastError());
    connect_contexts.push_back(&context);
  }

  std::vector<AsyncRequest*> downloads;
  const std::string gate = "simultaneous";
  for (int i = 0; i < kServers; ++i) {
    downloads.push_back(
        &client.owner().Make<AsyncRequest>("/hold/" + gate + "?timeout_ms=30000&site=" + std::to_string(i)));
    EXPECT_EQ(downloads.back()->Start(connects[static_cast<size_t>(i)]), static_cast<DWORD>(ERROR_IO_PENDING))
        << "HttpSendRequest to server " << i;
  }
  // All started from this one thread, which now only watches the servers.
  for (int i = 0; i < kServers; ++i)
    EXPECT_TRUE(servers[static_cast<size_t>(i)]->AwaitParked(1, kParkBound, gate)) << "server " << i;
  const int in_flight = ParkedNow(servers);
  EXPECT_EQ(in_flight, kServers) << "requests held at the servers at once";
  RecordProperty("hc_in_flight_at_once", in_flight);

  for (auto& s : servers)
    s->Release(gate);
  for (auto* d : downloads) {
    EXPECT_TRUE(hc::AwaitFinished(*d, kSimultaneousFinishBound));
    EXPECT_EQ(hc::EchoProblem(d->result().status, d->result().body, d->target()), "") << d->Describe();
  }
  for (auto* d : downloads)
    EXPECT_TRUE(hc::Retire(*d, kSimultaneousClosingBound));
  for (auto* c : connect_contexts)
    EXPECT_TRUE(hc::Retire(*c, kSimultaneousClosingBound));
}

TEST_F(WinInetAsyncSimultaneous, SynchronousDownloadsOnOneThreadAreNeverInFlightAtOnce) {
  hc::Covers({"WI-ASYNC-SIMULTANEOUS"});
  // The contrast of the table in "Asynchronous Operation": the synchronous version waits for
  // each download before it sends the next. A controller releases each held request after
  // counting what is held at all the servers.
  auto servers = MakeServers(kSequentialServers);
  hc::wininet::Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << "InternetOpen: " << hc::wininet::ErrorName(GetLastError());
  const std::string gate = "sequential";

  std::mutex mu;
  int max_in_flight = 0;
  std::vector<std::string> controller_problems;
  std::thread controller([&] {
    try {
      for (int i = 0; i < kSequentialServers; ++i) {
        auto& s = *servers[static_cast<size_t>(i)];
        if (!s.AwaitParked(1, kParkBound, gate)) {
          std::lock_guard lock(mu);
          controller_problems.push_back("server " + std::to_string(i) + ": request never held");
          s.Release(gate);
          continue;
        }
        const int now = ParkedNow(servers);
        {
          std::lock_guard lock(mu);
          max_in_flight = std::max(max_in_flight, now);
        }
        s.Release(gate);
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mu);
      controller_problems.push_back(e.what());
      for (auto& s : servers)
        s->ReleaseAll();
    }
  });
  std::vector<std::string> problems;
  for (int i = 0; i < kSequentialServers; ++i) {
    hc::wininet::Handle connect =
        hc::wininet::Connect(session.get(), servers[static_cast<size_t>(i)]->port());
    const std::string target = "/hold/" + gate + "?timeout_ms=30000&site=" + std::to_string(i);
    auto r = hc::wininet::SyncRequest(connect.get(), "GET", target);
    const std::string p = r.error ? target + ": " + r.Describe() : hc::EchoProblem(r.status, r.body, target);
    if (!p.empty())
      problems.push_back(p);
  }
  controller.join();
  EXPECT_TRUE(problems.empty()) << problems.front();
  EXPECT_TRUE(controller_problems.empty()) << controller_problems.front();
  EXPECT_EQ(max_in_flight, 1) << "synchronous requests from one thread held at the servers at once";
  RecordProperty("hc_in_flight_at_once", max_in_flight);
}

TEST_F(WinInetAsyncSimultaneous, ManyAsyncDownloadsThroughOneSessionAllArriveIntact) {
  hc::Covers({"WI-ASYNC-SIMULTANEOUS", "WI-ASYNC-CALLBACK-CALLS"});
  // Every body is read by InternetQueryDataAvailable / InternetReadFile calls made from the
  // status callback when the previous step completes.
  ASSERT_TRUE(OpenCallbacks());
  std::vector<AsyncRequest*> downloads;
  std::vector<hc::PatternRequest> patterns;
  std::vector<std::string> sent;
  for (int i = 0; i < kPatternDownloads; ++i) {
    patterns.push_back(hc::PatternRequest::ForThread(i, 0));
    sent.push_back(hc::LogKey("GET", patterns.back().path, patterns.back().query));
    downloads.push_back(&client().owner().Make<AsyncRequest>(patterns.back().target()));
    const DWORD started = downloads.back()->Start(client().connect());
    EXPECT_TRUE(started == 0 || started == ERROR_IO_PENDING)
        << patterns.back().target() << ": " << hc::wininet::ErrorName(started);
  }
  for (int i = 0; i < kPatternDownloads; ++i) {
    auto& d = *downloads[static_cast<size_t>(i)];
    EXPECT_TRUE(hc::AwaitFinished(d, kSimultaneousFinishBound));
    EXPECT_EQ(patterns[static_cast<size_t>(i)].Problem(d.result().status, d.result().body), "")
        << d.Describe();
  }
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
  for (auto* d : downloads)
    EXPECT_TRUE(hc::Retire(*d, kSimultaneousClosingBound));
  EXPECT_TRUE(hc::Retire(client().connect_context(), kSimultaneousClosingBound));
}

}  // namespace
