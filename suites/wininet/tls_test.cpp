// WinINet over TLS only: closing the connect handle while its requests' handshakes are held at the
// server's gate, certificate errors reported to each of many concurrent requests through the
// documented error codes, and INTERNET_OPTION_SECURITY_FLAGS applying to the one request it is set
// on while 64 threads send with and without it.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include <hc_protocol/tls.h>
#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/held_handshakes.h"
#include "hc/localserver.h"
#include "hc/request_log.h"
#include "hc/thread_gang.h"
#include "hc/trusted_test_ca.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;
using hc::wininet::ErrorName;
using hc::wininet::Handle;
using hc_protocol::tls::kStallGate;

constexpr int kTlsRequests = 64;  // concurrent requests per test, one thread each
constexpr auto kTlsParkBound = 30s;
constexpr auto kTlsClosingBound = 20s;
// The children's HANDLE_CLOSING after the connect handle's close, with their handshakes still held:
// nothing is left to wait for, so a short bound (this wait runs out where the close does not end them).
constexpr auto kTlsHeldClosingBound = 5s;
constexpr auto kTlsGangBound = 60s;

class WinInetTls : public hc::wininet::SuiteTest {
  // Its own TLS listeners, many requests at once: the TLS variants' mark (hc::TransportTest).
  hc::ExpectingScope schannel_race_{hc::SchannelHandleTableRace()};
};

TEST_F(WinInetTls, ClosingTheConnectHandleWhileHandshakesAreHeldEndsEveryRequestBelowIt) {
  hc::Covers({"WI-TLS-CLOSE-IN-HANDSHAKE", "WI-CLOSE-SUBTREE", "WI-CLOSING-LAST"});
  // The per-server limit would keep requests back at the client: raised above their number.
  hc::wininet::ScopedGlobalDword limit(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kTlsRequests);
  ASSERT_TRUE(limit.ok()) << ErrorName(limit.error());
  const hc::Scenario stalled(hc::TlsListener{.handshake = hc_protocol::tls::kHandshakeStall});
  hc::wininet::CallbackSession client(stalled.port());
  ASSERT_TRUE(client.ready());
  std::vector<AsyncRequest*> xs;
  for (int i = 0; i < kTlsRequests; ++i)
    xs.push_back(&client.owner().Make<AsyncRequest>("/get?i=" + std::to_string(i), hc::wininet::kNoCacheFlags,
                                                    hc::Transport::kTls));
  std::vector<DWORD> started(xs.size());
  hc::RunGang(kTlsRequests, kTlsGangBound, [&](int i) {
    started[static_cast<std::size_t>(i)] = xs[static_cast<std::size_t>(i)]->Start(client.connect());
  });
  for (std::size_t i = 0; i < xs.size(); ++i)
    EXPECT_EQ(started[i], static_cast<DWORD>(ERROR_IO_PENDING)) << "HttpSendRequest " << xs[i]->target();
  ASSERT_TRUE(hc::AwaitParkedUnlessFinished(stalled, kTlsRequests, kTlsParkBound, kStallGate, xs))
      << client.recorder().Dump(200);

  // Every send is pending in its handshake: the connect handle's close ends the subtree.
  auto& connect = client.connect_context();
  EXPECT_TRUE(client.CloseConnect()) << "InternetCloseHandle(connect): " << ErrorName(GetLastError());
  std::vector<bool> finished_at_close(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    finished_at_close[i] = xs[i]->finished();
  const bool closing_before_release = hc::AwaitAllClosed(client.owner(), kTlsHeldClosingBound);
  stalled.Release(kStallGate);  // what an implementation that did not end them still owes
  ASSERT_TRUE(hc::AwaitAllClosed(client.owner(), kTlsClosingBound)) << client.recorder().Dump(200);

  const auto log = client.recorder().Snapshot();
  int completed_ok = 0, completed_error = 0, no_completion = 0;
  std::map<std::string, int> errors;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_FALSE(finished_at_close[i]) << "finished while its handshake was held: " << xs[i]->Describe();
    EXPECT_TRUE(hc::ClosingIsLast(*xs[i])) << xs[i]->target();
    bool complete = false;
    for (const auto& n : log)
      if (n.context == xs[i]->value() && n.status == INTERNET_STATUS_REQUEST_COMPLETE) {
        complete = true;
        if (hc::wininet::CompletedOk(n))
          ++completed_ok;
        else {
          ++completed_error;
          ++errors[ErrorName(hc::wininet::CompletionError(n))];
        }
        break;
      }
    if (!complete)
      ++no_completion;
  }
  EXPECT_TRUE(hc::ClosingIsLast(connect)) << "connect handle";
  RecordProperty("hc_cancel_outcomes", nlohmann::json{{"trials", kTlsRequests},
                                                      {"completed", completed_ok},
                                                      {"cancelled", completed_error},
                                                      {"neither", no_completion},
                                                      {"errors", errors},
                                                      {"pending", "TLS handshake held at the server"}}
                                           .dump());
  // "The asynchronous requests will complete with INTERNET_STATUS_REQUEST_COMPLETE" and the handles
  // close without the gate's release.
  hc::CheckExpecting(hc::OnWine("Wine 8.0 invalidates the children of a closed connect handle, but a pending "
                                "HttpSendRequest keeps its own reference and goes on with its TLS handshake: "
                                "nothing ends the requests until the server lets the handshake finish"),
                     [&] {
                       EXPECT_EQ(no_completion, 0)
                           << "requests whose pending send never reported REQUEST_COMPLETE";
                       EXPECT_TRUE(closing_before_release)
                           << "HANDLE_CLOSING of the children did not come while their handshakes were held";
                     });
  EXPECT_EQ(client.owner().dead_context_callbacks(), 0) << client.recorder().Dump(200);
}

// 64 threads, synchronous requests: even ones to a listener whose certificate names another host,
// odd ones to a valid listener; each must end with its own result.
TEST_F(WinInetTls, CertificateErrorsReachEachOfManyConcurrentRequestsAndNoOther) {
  hc::Covers({"WI-TLS-CERT-ERROR", "WI-CONCURRENT-REQUESTS"});
  const hc::Scenario good(hc::Transport::kTls);
  const hc::Scenario wrong(hc::TlsListener{.cert = hc_protocol::tls::kCertWrongHost});
  Handle session = hc::wininet::OpenSession();
  ASSERT_TRUE(session) << "InternetOpen: " << ErrorName(GetLastError());
  Handle good_connect = hc::wininet::Connect(session.get(), good.port());
  Handle wrong_connect = hc::wininet::Connect(session.get(), wrong.port());
  ASSERT_TRUE(good_connect && wrong_connect) << "InternetConnect: " << ErrorName(GetLastError());
  std::vector<hc::Response> results(kTlsRequests);
  hc::RunGang(kTlsRequests, kTlsGangBound, [&](int i) {
    results[static_cast<std::size_t>(i)] = hc::wininet::SyncRequest(
        (i % 2 == 0 ? wrong_connect : good_connect).get(), "GET", "/get?i=" + std::to_string(i),
        hc::wininet::kNoCacheFlags, {hc::Transport::kTls, hc::CertCheck::kCheckHost});
  });
  std::vector<std::string> good_sent;
  std::map<std::string, int> seen;
  for (int i = 0; i < kTlsRequests; ++i) {
    const auto& r = results[static_cast<std::size_t>(i)];
    ++seen[std::string(i % 2 == 0 ? "wrong-host: " : "valid: ") +
           (r.error == 0 ? "status " + std::to_string(r.status) : ErrorName(r.error))];
    if (i % 2 == 0) {
      EXPECT_EQ(r.error, static_cast<DWORD>(ERROR_INTERNET_SEC_CERT_CN_INVALID))
          << "request " << i << " to the wrong-host certificate: " << r.Describe();
    } else {
      good_sent.push_back(hc::LogKey("GET", "/get", "i=" + std::to_string(i)));
    }
  }
  RecordProperty("hc_tls_outcomes", nlohmann::json(seen).dump());
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0 does not match a server named by IP address against the certificate's iPAddress "
                 "subjectAltName: the valid certificate for 127.0.0.1 fails with "
                 "ERROR_INTERNET_SEC_CERT_CN_INVALID"),
      [&] {
        for (int i = 1; i < kTlsRequests; i += 2) {
          const auto& r = results[static_cast<std::size_t>(i)];
          const auto echo = nlohmann::json::parse(r.body, nullptr, false);
          EXPECT_TRUE(r.error == 0 && r.status == 200 && !echo.is_discarded() &&
                      echo.value("args", nlohmann::json::object()).value("i", "") == std::to_string(i))
              << "request " << i << " got another's response or none: " << r.Describe() << " "
              << r.body.substr(0, 200);
        }
        EXPECT_TRUE(hc::LogMatches(good.Log(), good_sent))
            << "the valid listener saw exactly the odd requests";
        EXPECT_TRUE(hc::TransportSeen(good));
      });
  EXPECT_EQ(wrong.Stats().value("requests", -1), 0) << "a request went out over the wrong-host certificate";
}

// 64 threads on one connect handle: even ones add SECURITY_FLAG_IGNORE_UNKNOWN_CA to their
// request's INTERNET_OPTION_SECURITY_FLAGS, odd ones do not. Exactly the even ones may succeed.
// The handshakes are held until all 64 are under way: WinINet remembers a certificate error it was
// told to ignore for the server, and keeps connections alive, so a request that started after a
// flagged one had finished would test that memory, not the flag of its own handle.
TEST_F(WinInetTls, SecurityFlagsApplyOnlyToTheRequestTheyAreSetOn) {
  hc::Covers({"WI-TLS-FLAGS-PER-REQUEST", "WI-CONCURRENT-REQUESTS"});
  hc::wininet::ScopedGlobalDword limit(INTERNET_OPTION_MAX_CONNS_PER_SERVER, kTlsRequests);
  ASSERT_TRUE(limit.ok()) << ErrorName(limit.error());
  const auto results = hc::ExpectSecurityFlagsPerRequest(
      hc::wininet::kApi, kTlsRequests, kTlsParkBound, kTlsGangBound,
      [](void* connect, const std::string& target, hc::CertCheck check) {
        return hc::wininet::SyncRequest(static_cast<HINTERNET>(connect), "GET", target,
                                        hc::wininet::kNoCacheFlags, {hc::Transport::kTls, check});
      });
  for (int t = 1; t < kTlsRequests; t += 2)
    EXPECT_EQ(results[static_cast<std::size_t>(t)].error, static_cast<DWORD>(ERROR_INTERNET_INVALID_CA))
        << "request " << t << " without the flag: " << results[static_cast<std::size_t>(t)].Describe();
}

// The test CA made trusted in the run's own environment (hc::TrustedTestCa): a request that
// validates normally, without ignore flags, succeeds while it is trusted and fails with the
// documented error before and after. A fresh listener and session per phase: nothing is reused.
class WinInetTlsTrustedRoot : public hc::wininet::SuiteTest {};

TEST_F(WinInetTlsTrustedRoot, ValidatesWithTheTestCaTrustedAndFailsWithoutIt) {
  hc::Covers({"WI-TLS-TRUSTED-ROOT"});
  const auto p = hc::RunTrustedRootPhases([](const std::string& phase) {
    return hc::GetOnOwnTlsListener(hc::wininet::kApi, [&](void* connect) {
      return hc::wininet::SyncRequest(static_cast<HINTERNET>(connect), "GET", "/get?phase=" + phase,
                                      hc::wininet::kNoCacheFlags,
                                      {hc::Transport::kTls, hc::CertCheck::kTrustedRoots});
    });
  });
  const hc::Response &before = p.before, &trusted = p.trusted, &after = p.after;
  EXPECT_EQ(before.error, static_cast<DWORD>(ERROR_INTERNET_INVALID_CA))
      << "before the test CA is trusted: " << before.Describe();
  if (!p.ran)
    GTEST_SKIP() << p.why_not;
  EXPECT_EQ(after.error, static_cast<DWORD>(ERROR_INTERNET_INVALID_CA))
      << "after the test CA was removed: " << after.Describe();
  hc::CheckExpecting(hc::OnWine("Wine 8.0 does not take a certificate added to the current user's ROOT store "
                                "as a trusted root for WinINet's validation (ERROR_INTERNET_INVALID_CA)"),
                     [&] {
                       EXPECT_TRUE(trusted.error == 0 && trusted.status == 200)
                           << "with the test CA in " << p.store << ": " << trusted.Describe();
                     });
}

}  // namespace
