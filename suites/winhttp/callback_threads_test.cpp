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

#include "hc/catalogue.h"
#include "hc/localserver.h"
#include "hc/thread_gang.h"
#include "request_mix.h"
#include "winhttp_util.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::CallbackSession;
using hc::winhttp::Exchange;
using hc::winhttp::StatusName;

constexpr int kThreads = 64;
constexpr int kRequestsPerThread = 2;
constexpr auto kThreadsGangTimeout = 60s;
constexpr auto kStepTimeout = 20s;
constexpr auto kClosingTimeout = 30s;

struct Where {
  int calling = 0;    // the application thread driving that request (inside one of its calls)
  int other_app = 0;  // another application thread
  int worker = 0;     // a thread the application did not create
};

// Runs kThreads x kRequestsPerThread exchanges, each driven by its own application thread, and
// classifies every notification by the thread that delivered it.
std::map<std::string, Where> Classify(CallbackSession& client, bool async,
                                      std::vector<std::string>& problems) {
  std::mutex mu;
  std::map<std::uintptr_t, DWORD> driver;  // context -> driving thread
  std::set<DWORD> app_threads = {GetCurrentThreadId()};
  hc::RunGang(kThreads, kThreadsGangTimeout, [&](int t) {
    {
      std::lock_guard lock(mu);
      app_threads.insert(GetCurrentThreadId());
    }
    for (int r = 0; r < kRequestsPerThread; ++r) {
      const auto mc = hc::winhttp::mix::MakeCase(t, r);
      auto& x = client.hub().Make<Exchange>(mc.spec);
      {
        std::lock_guard lock(mu);
        driver[static_cast<std::uintptr_t>(x.value())] = GetCurrentThreadId();
      }
      std::string problem;
      if (async) {
        if (!x.RunOnThisThread(client.connect(), kStepTimeout))
          problem = "no completion: " + x.Describe();
      } else {
        // Synchronous mode: the same steps as plain blocking calls, the context bound for callbacks.
        const std::wstring object = hc::winhttp::Widen(mc.spec.target);
        HINTERNET h = WinHttpOpenRequest(client.connect(), mc.spec.verb.c_str(), object.c_str(), nullptr,
                                         WINHTTP_NO_REFERER, WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
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
      if (async && problem.empty())
        problem = mc.check(x.result());
      if (!problem.empty()) {
        std::lock_guard lock(mu);
        problems.push_back(problem);
      }
    }
  });
  EXPECT_TRUE(client.hub().AwaitAllClosed(kClosingTimeout));
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
  std::string out;
  for (const auto& [status, w] : where)
    out += (out.empty() ? "" : ", ") + ("\"" + status + "\": {\"calling\": " + std::to_string(w.calling) +
                                        ", \"other_app\": " + std::to_string(w.other_app) +
                                        ", \"worker\": " + std::to_string(w.worker) + "}");
  return "{" + out + "}";
}

TEST(WinHttpCallbackThreads, AsyncCompletionsArriveOnWorkerThreads) {
  hc::Covers({"WH-CALLBACK-THREADS"});
  hc::Scenario server;
  std::vector<std::string> problems;
  std::map<std::string, Where> where;
  {
    CallbackSession client(server);
    ASSERT_TRUE(client.ok()) << client.setup_error();
    where = Classify(client, true, problems);
  }
  RecordProperty("hc_callback_threads", Json(where));
  EXPECT_TRUE(problems.empty()) << problems.size() << " exchanges failed, first: " << problems.front();
  int worker_completions = 0;
  for (const char* s :
       {"SENDREQUEST_COMPLETE", "WRITE_COMPLETE", "HEADERS_AVAILABLE", "DATA_AVAILABLE", "READ_COMPLETE"}) {
    auto it = where.find(s);
    if (it != where.end())
      worker_completions += it->second.worker;
  }
  EXPECT_GT(worker_completions, 0) << "no completion notification came from a WinHTTP worker thread: "
                                   << Json(where);
}

TEST(WinHttpCallbackThreads, SyncNotificationThreadsAreRecorded) {
  hc::Covers({"WH-CALLBACK-THREADS"});
  hc::Scenario server;
  std::vector<std::string> problems;
  std::map<std::string, Where> where;
  {
    CallbackSession client(server, 0);
    ASSERT_TRUE(client.ok()) << client.setup_error();
    where = Classify(client, false, problems);
  }
  RecordProperty("hc_callback_threads", Json(where));
  EXPECT_TRUE(problems.empty()) << problems.size() << " requests failed, first: " << problems.front();
  // Synchronous mode has no worker to hand a notification to: each one arrives while the
  // application's own call runs. Nothing is documented about it; a notification from elsewhere
  // would be surprising, so it is counted.
  int elsewhere = 0;
  for (const auto& [status, w] : where)
    if (status != "HANDLE_CLOSING")
      elsewhere += w.other_app + w.worker;
  RecordProperty("hc_sync_notifications_off_the_calling_thread", std::to_string(elsewhere));
  EXPECT_FALSE(where.empty()) << "no notification at all in synchronous mode";
}

}  // namespace
