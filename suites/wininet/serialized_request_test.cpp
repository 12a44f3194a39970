// "WinInet thread safe?" (000): "once an HTTP request is in-progress ... it is a good idea to
// serialize access to the WinInet request handle." The safe pattern: one mutex per request
// handle, and several threads take turns reading chunks of one response through it. The body
// must arrive intact and in order. (Unserialized access is the unsafe lab's business.)
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/pattern_request.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;

constexpr int kResponses = 8;              // request handles read at once
constexpr int kReadersPerResponse = 8;     // threads taking turns on each handle: 64 in all
constexpr DWORD kChunk = 1000;             // bytes asked for per InternetReadFile
constexpr std::size_t kBodySize = 200000;  // so each reader gets many turns
constexpr auto kTurnBound = 20s;
constexpr auto kSerializedGangBound = 180s;

struct SharedResponse {
  std::mutex mu;  // the application's lock for this request handle
  std::condition_variable cv;
  HINTERNET request = nullptr;
  hc::PatternRequest pattern;
  bool sent = false, finished = false;
  int turn = 0;
  DWORD status = 0;
  std::string body;
  std::vector<std::string> problems;
  std::vector<int> chunks_by_reader = std::vector<int>(kReadersPerResponse, 0);
  std::set<unsigned long> reader_threads;
};

class WinInetSerializedRequest : public hc::wininet::SuiteTest {};

TEST_F(WinInetSerializedRequest, ThreadsTakingTurnsUnderOneLockReadOneResponseIntact) {
  hc::Covers({"WI-SERIALIZE-REQUEST", "WI-NO-THREAD-AFFINITY"});
  // A limit of 2 connections per server would make most responses wait for a connection, which
  // is allowed and changes nothing here; every wait below is bounded.
  ASSERT_TRUE(OpenConnection());

  std::vector<SharedResponse> responses(kResponses);
  for (int i = 0; i < kResponses; ++i) {
    auto& r = responses[static_cast<size_t>(i)];
    r.pattern.seed = 7000 + static_cast<std::uint64_t>(i);
    r.pattern.size = kBodySize + static_cast<std::size_t>(i) * 37;
    r.pattern.path = "/bytes/" + std::to_string(r.pattern.size);
    r.pattern.query = "seed=" + std::to_string(r.pattern.seed);
  }

  hc::RunGang(kResponses * kReadersPerResponse, kSerializedGangBound, [&](int i) {
    auto& r = responses[static_cast<size_t>(i / kReadersPerResponse)];
    const int reader = i % kReadersPerResponse;
    std::unique_lock lock(r.mu);
    if (reader == 0) {
      // The first reader opens and sends, under the same lock.
      r.request = hc::wininet::OpenRequest(connect(), "GET", r.pattern.target());
      DWORD size = sizeof(r.status);
      if (!r.request || !HttpSendRequestA(r.request, nullptr, 0, nullptr, 0) ||
          !HttpQueryInfoA(r.request, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &r.status, &size,
                          nullptr)) {
        r.problems.push_back("open/send/query failed: error " + hc::wininet::ErrorName(GetLastError()));
        r.finished = true;
      }
      r.sent = true;
      r.cv.notify_all();
    }
    for (;;) {
      if (!r.cv.wait_for(lock, kTurnBound,
                         [&] { return r.finished || (r.sent && r.turn % kReadersPerResponse == reader); })) {
        r.problems.push_back("reader " + std::to_string(reader) + " waited more than " +
                             std::to_string(kTurnBound.count()) + " s for its turn");
        r.finished = true;
        r.cv.notify_all();
        return;
      }
      if (r.finished)
        return;
      char chunk[kChunk];
      DWORD read = 0;
      if (!InternetReadFile(r.request, chunk, kChunk, &read)) {
        r.problems.push_back("InternetReadFile by reader " + std::to_string(reader) + ": error " +
                             hc::wininet::ErrorName(GetLastError()));
        r.finished = true;
      } else if (read == 0) {
        r.finished = true;
      } else {
        r.body.append(chunk, read);
        ++r.chunks_by_reader[static_cast<size_t>(reader)];
        r.reader_threads.insert(GetCurrentThreadId());
      }
      ++r.turn;
      r.cv.notify_all();
    }
  });

  std::vector<std::string> sent;
  for (int i = 0; i < kResponses; ++i) {
    auto& r = responses[static_cast<size_t>(i)];
    if (r.request)
      InternetCloseHandle(r.request);
    sent.push_back(hc::LogKey("GET", r.pattern.path, r.pattern.query));
    EXPECT_TRUE(r.problems.empty()) << "response " << i << ": "
                                    << (r.problems.empty() ? "" : r.problems.front());
    EXPECT_EQ(r.pattern.Problem(r.status, r.body), "")
        << "response " << i << " read in turns by " << r.reader_threads.size() << " threads";
    for (int k = 0; k < kReadersPerResponse; ++k)
      EXPECT_GT(r.chunks_by_reader[static_cast<size_t>(k)], 0)
          << "response " << i << ": reader " << k << " never got a chunk";
    EXPECT_EQ(r.reader_threads.size(), static_cast<size_t>(kReadersPerResponse)) << "response " << i;
  }
  EXPECT_TRUE(hc::LogMatches(server().Log(), sent));
}

}  // namespace
