// "Concurrency in WinHTTP" (001), Handle creation functions: WinHttpOpen may be called by many
// threads at once to create separate sessions; WinHttpConnect by many threads at once, also on one
// session; WinHttpOpenRequest by many threads at once, also on one connection. Each handle made
// concurrently must then work as its own handle: the server sees each request exactly once, with
// the settings of the handle that sent it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "hc/latch.h"
#include "hc/localserver.h"
#include "hc/request_load.h"
#include "hc/request_log.h"
#include "hc/text.h"
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::ErrorName;
using hc::winhttp::Handle;

constexpr int kCreationThreads = 64;
constexpr int kRequestsPerConnection = 2;
constexpr int kCreationRequestsPerThread = 4;
constexpr auto kCreationGangBound = 60s;

// Value of a header in an echo or log entry (header names compared without case).
std::string Header(const nlohmann::json& headers, const std::string& name) {
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
  };
  for (const auto& [k, v] : headers.items())
    if (lower(k) == lower(name) && v.is_string())
      return v.get<std::string>();
  return "";
}

std::string HandleSetProblem(const std::vector<HINTERNET>& handles) {
  std::set<HINTERNET> distinct;
  int null = 0;
  for (HINTERNET h : handles) {
    if (h == nullptr)
      ++null;
    else
      distinct.insert(h);
  }
  if (null == 0 && distinct.size() == handles.size())
    return "";
  return std::to_string(null) + " creations failed, " + std::to_string(distinct.size()) +
         " distinct handles for " + std::to_string(handles.size() - static_cast<std::size_t>(null)) +
         " created at once";
}

class WinHttpHandleCreation : public hc::winhttp::TransportTest {};

TEST_P(WinHttpHandleCreation, OpenFromManyThreadsCreatesSeparateWorkingSessions) {
  hc::Covers({"WH-CREATE-SESSION"});
  std::vector<HINTERNET> sessions(kCreationThreads, nullptr);
  hc::Latch all_open(kCreationThreads), all_open_done(kCreationThreads);
  hc::RequestLoad load;

  load.Run(kCreationThreads, kCreationGangBound, [&](int t) {
    // Each session carries its own user agent, so the server can tell which session sent what.
    const std::string agent = "hc-session-" + std::to_string(t);
    Handle session = hc::winhttp::OpenSession({.user_agent = agent});
    const DWORD open_error = session ? 0 : GetLastError();
    sessions[static_cast<std::size_t>(t)] = session.get();
    all_open.ArriveAndWait();  // every session exists at once before any is used or closed
    if (!session) {
      load.Problem(t, "WinHttpOpen failed: " + ErrorName(open_error));
    } else if (Handle connect = hc::winhttp::Connect(session.get(), server().port()); !connect) {
      load.Problem(t, "WinHttpConnect failed: " + ErrorName(GetLastError()));
    } else {
      const std::string target = "/get?session=" + std::to_string(t);
      const auto r = hc::winhttp::SyncRequest(connect.get(), L"GET", target, "", transport());
      std::string problem;
      if (r.error != 0 || r.status != 200) {
        problem = target + ": " + r.Describe();
      } else {
        const auto echo = nlohmann::json::parse(r.body, nullptr, false);
        const std::string ua =
            echo.is_discarded() ? "" : Header(echo.value("headers", nlohmann::json::object()), "User-Agent");
        if (ua != agent)
          problem = target + ": echoed User-Agent \"" + ua + "\"";
      }
      load.Sent(t, {hc::LogKey("GET", "/get", "session=" + std::to_string(t)), problem});
    }
    all_open_done.ArriveAndWait();  // the handles stay open until every thread has used its own
  });
  EXPECT_EQ(HandleSetProblem(sessions), "");
  EXPECT_TRUE(load.NoProblems());
  const auto log = server().Log();
  EXPECT_TRUE(hc::LogMatches(log, load.sent()));
  int wrong_agent = 0;
  for (const auto& e : log) {
    const std::string query = e.value("query", std::string());  // "session=<t>"
    const std::string expected =
        "hc-session-" + query.substr(std::min(query.size(), std::string("session=").size()));
    if (Header(e.value("headers", nlohmann::json::object()), "User-Agent") != expected)
      ++wrong_agent;
  }
  EXPECT_EQ(wrong_agent, 0) << "requests logged by the server with another session's User-Agent";
}

TEST_P(WinHttpHandleCreation, ConnectFromManyThreadsOnOneSessionCreatesSeparateConnections) {
  hc::Covers({"WH-CREATE-CONNECT"});
  // Two listeners: even threads connect to one, odd threads to the other, all on one session, so a
  // connection handle that got another's target would send its requests to the wrong server.
  hc::Scenario even(transport()), odd(transport());
  Handle session = hc::winhttp::OpenSession();
  ASSERT_TRUE(session) << "WinHttpOpen: " << ErrorName(GetLastError());
  std::vector<HINTERNET> connects(kCreationThreads, nullptr);
  hc::Latch all_connected(kCreationThreads), all_connected_done(kCreationThreads);
  hc::RequestLoad even_load, odd_load;

  even_load.Run(kCreationThreads, kCreationGangBound, [&](int t) {
    hc::RequestLoad& load = t % 2 == 0 ? even_load : odd_load;
    Handle connect = hc::winhttp::Connect(session.get(), (t % 2 == 0 ? even : odd).port());
    const DWORD error = connect ? 0 : GetLastError();
    connects[static_cast<std::size_t>(t)] = connect.get();
    all_connected.ArriveAndWait();
    if (!connect)
      load.Problem(t, "WinHttpConnect failed: " + ErrorName(error));
    for (int r = 0; connect && r < kRequestsPerConnection; ++r) {
      const std::string query = "thread=" + std::to_string(t) + "&r=" + std::to_string(r);
      const auto response = hc::winhttp::SyncRequest(connect.get(), L"GET", "/get?" + query, "", transport());
      load.Sent(t, {hc::LogKey("GET", "/get", query),
                    response.error != 0 || response.status != 200 ? query + ": " + response.Describe() : ""});
    }
    all_connected_done.ArriveAndWait();
  });
  EXPECT_EQ(HandleSetProblem(connects), "");
  EXPECT_TRUE(even_load.NoProblems()) << "threads of the even listener";
  EXPECT_TRUE(odd_load.NoProblems()) << "threads of the odd listener";
  EXPECT_TRUE(even_load.MatchesLog(even)) << "listener of the even threads";
  EXPECT_TRUE(odd_load.MatchesLog(odd)) << "listener of the odd threads";
  EXPECT_TRUE(hc::TransportSeen(even));
  EXPECT_TRUE(hc::TransportSeen(odd));
}

TEST_P(WinHttpHandleCreation, OpenRequestFromManyThreadsOnOneConnectionCreatesSeparateRequests) {
  hc::Covers({"WH-CREATE-REQUEST"});
  ASSERT_TRUE(OpenConnection());
  std::vector<HINTERNET> requests(static_cast<std::size_t>(kCreationThreads * kCreationRequestsPerThread),
                                  nullptr);
  hc::Latch all_created(kCreationThreads), all_created_done(kCreationThreads);
  hc::RequestLoad load;

  load.Run(kCreationThreads, kCreationGangBound, [&](int t) {
    // Every thread creates all its requests (different verbs and targets) while the others do.
    struct Mine {
      Handle h;
      std::wstring verb;
      std::string path, query;
    };
    std::vector<Mine> mine;
    for (int r = 0; r < kCreationRequestsPerThread; ++r) {
      Mine m;
      m.verb = r % 2 == 0 ? L"GET" : L"POST";
      m.path = r % 2 == 0 ? "/get" : "/anything";
      m.query = "thread=" + std::to_string(t) + "&r=" + std::to_string(r);
      m.h.reset(hc::winhttp::OpenRequest(connect(), m.verb.c_str(), m.path + "?" + m.query, transport()));
      if (!m.h)
        load.Problem(t, "WinHttpOpenRequest " + m.query + ": " + ErrorName(GetLastError()));
      requests[static_cast<std::size_t>(t * kCreationRequestsPerThread + r)] = m.h.get();
      mine.push_back(std::move(m));
    }
    all_created.ArriveAndWait();
    for (auto& m : mine) {
      if (!m.h)
        continue;
      const std::string key = hc::LogKey(hc::Narrow(m.verb), m.path, m.query);
      std::string body;
      DWORD status = 0, status_size = sizeof(status), error = 0;
      if (!WinHttpSendRequest(m.h.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, 0,
                              0) ||
          !WinHttpReceiveResponse(m.h.get(), nullptr) ||
          !WinHttpQueryHeaders(m.h.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                               WINHTTP_HEADER_NAME_BY_INDEX, &status, &status_size,
                               WINHTTP_NO_HEADER_INDEX) ||
          !hc::winhttp::ReadAll(m.h.get(), body, error)) {
        load.Sent(t, {key, m.query + ": " + ErrorName(error ? error : GetLastError())});
        continue;
      }
      // The response must be the one for this handle's own verb and target (the server log, checked
      // below, shows each request arrived exactly once).
      const auto echo = nlohmann::json::parse(body, nullptr, false);
      const bool right =
          status == 200 && !echo.is_discarded() && echo.value("method", "") == hc::Narrow(m.verb) &&
          echo.value("args", nlohmann::json::object()).value("thread", "") == std::to_string(t);
      load.Sent(
          t, {key,
              right ? "" : m.query + ": status " + std::to_string(status) + ", echo " + body.substr(0, 200)});
    }
    all_created_done.ArriveAndWait();
  });
  EXPECT_EQ(HandleSetProblem(requests), "");
  EXPECT_TRUE(load.NoProblems());
  EXPECT_TRUE(load.MatchesLog(server()));
}

HC_OVER_TRANSPORTS(WinHttpHandleCreation);

}  // namespace
