// Which thread delivers each notification. "WinHttpCloseHandle function" (004) speaks of
// "callbacks originating in worker threads" that WinHttpSetStatusCallback does not synchronize
// with: in asynchronous mode a notification can arrive on a WinHTTP thread, not the one that
// started the operation. That is asserted; the rest (which statuses come on the calling thread,
// in synchronous and asynchronous mode) is recorded per status in hc_callback_threads.
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/thread_gang.h"
#include "request_mix.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::CallbackSession;
using hc::winhttp::StatusName;

constexpr int kThreads = 64;
constexpr int kRequestsPerThread = 2;
constexpr auto kThreadsGangBound = 60s;
constexpr auto kStepBound = 20s;
constexpr auto kClosingBound = 30s;

struct Where {
  int calling = 0;    // the application thread driving that request (inside one of its calls)
  int other_app = 0;  // another application thread
  int worker = 0;     // a thread the application did not create
};

// Runs kThreads x kRequestsPerThread exchanges, each driven by its own application thread, and
// classifies every notification by the thread that delivered it.
std::map<std::string, Where> Classify(hc::CallbackSession& client, bool async, hc::Transport transport,
                                      std::vector<std::string>& problems) {
  std::mutex mu;
  std::map<std::uintptr_t, DWORD> driver;  // context -> driving thread
  std::set<DWORD> app_threads = {GetCurrentThreadId()};
  hc::RunGang(kThreads, kThreadsGangBound, [&](int t) {
    {
      std::lock_guard lock(mu);
      app_threads.insert(GetCurrentThreadId());
    }
    for (int r = 0; r < kRequestsPerThread; ++r) {
      auto mc = hc::winhttp::mix::MakeCase(t, r);
      mc.spec.transport = transport;
      auto& x = client.owner().Make<AsyncRequest>(mc.spec);
      {
        std::lock_guard lock(mu);
        driver[static_cast<std::uintptr_t>(x.value())] = GetCurrentThreadId();
      }
      std::string problem;
      if (async) {
        if (!x.RunOnThisThread(client.connect(), kStepBound))
          problem = "no completion: " + x.Describe();
      } else {
        // Synchronous mode: the same steps as plain blocking calls, the context bound for callbacks.
        HINTERNET h =
            hc::winhttp::OpenRequest(client.connect(), mc.spec.verb.c_str(), mc.spec.target, transport);
        if (h == nullptr) {
          problem = "WinHttpOpenRequest failed";
        } else {
          x.Bind(h);
          const auto total = static_cast<DWORD>(mc.spec.body.size());
          DWORD written = 0, error = 0;
          std::string body;
          if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, total,
                                  x.value()) ||
              (total > 0 && !WinHttpWriteData(h, mc.spec.body.data(), total, &written)) ||
              !WinHttpReceiveResponse(h, nullptr) || !hc::winhttp::ReadAll(h, body, error))
            problem = mc.spec.target + ": " + hc::winhttp::ErrorName(error ? error : GetLastError());
          x.Close();
        }
      }
      if (async && problem.empty()) {
        const auto res = x.result();
        problem = res.error != 0 ? x.Describe() : mc.check(res);  // a failed call by its error's name
      }
      if (!problem.empty()) {
        std::lock_guard lock(mu);
        problems.push_back(problem);
      }
    }
  });
  EXPECT_TRUE(hc::AwaitAllClosed(client.owner(), kClosingBound));
  std::map<std::string, Where> where;
  for (const auto& n : client.recorder().Snapshot()) {
    auto d = driver.find(n.context);
    if (d == driver.end())
      continue;  // the session's and the connection's own notifications
    auto& w = where[StatusName(n.status)];
    if (n.thread_id == d->second)
      ++w.calling;
    else if (app_threads.count(n.thread_id))
      ++w.other_app;
    else
      ++w.worker;
  }
  return where;
}

std::string Json(const std::map<std::string, Where>& where) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [status, w] : where)
    out[status] = {{"calling", w.calling}, {"other_app", w.other_app}, {"worker", w.worker}};
  return out.dump();
}

class WinHttpCallbackThreads : public hc::winhttp::TransportTest {};

TEST_P(WinHttpCallbackThreads, AsyncCompletionsArriveOnWorkerThreads) {
  hc::Covers({"WH-CALLBACK-THREADS"});
  std::vector<std::string> problems;
  std::map<std::string, Where> where;
  {
    CallbackSession client(server().port());
    ASSERT_TRUE(client.ready());
    where = Classify(client, true, transport(), problems);
  }
  RecordProperty("hc_callback_threads", Json(where));
  EXPECT_TRUE(problems.empty()) << problems.size() << " exchanges failed, first: " << problems.front();
  int worker_completions = 0;
  for (DWORD s : {WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE, WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE,
                  WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE, WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE,
                  WINHTTP_CALLBACK_STATUS_READ_COMPLETE}) {
    auto it = where.find(StatusName(s));
    if (it != where.end())
      worker_completions += it->second.worker;
  }
  EXPECT_GT(worker_completions, 0) << "no completion notification came from a WinHTTP worker thread: "
                                   << Json(where);
}

TEST_P(WinHttpCallbackThreads, SyncNotificationThreadsAreRecorded) {
  hc::Covers({"WH-CALLBACK-THREADS"});
  std::vector<std::string> problems;
  std::map<std::string, Where> where;
  {
    CallbackSession client(server().port(), {.async = false});
    ASSERT_TRUE(client.ready());
    where = Classify(client, false, transport(), problems);
  }
  RecordProperty("hc_callback_threads", Json(where));
  EXPECT_TRUE(problems.empty()) << problems.size() << " requests failed, first: " << problems.front();
  // Synchronous mode has no worker to hand a notification to: each one arrives while the
  // application's own call runs. Nothing is documented about it; a notification from elsewhere
  // would be surprising, so it is counted.
  int elsewhere = 0;
  for (const auto& [status, w] : where)
    if (status != StatusName(WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING))
      elsewhere += w.other_app + w.worker;
  RecordProperty("hc_sync_notifications_off_the_calling_thread", std::to_string(elsewhere));
  EXPECT_FALSE(where.empty()) << "no notification at all in synchronous mode";
}

HC_OVER_TRANSPORTS(WinHttpCallbackThreads);

}  // namespace
