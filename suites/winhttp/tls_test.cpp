// WinHTTP over TLS only: closing requests whose handshake the server holds at its gate, certificate
// errors reported to each of many concurrent requests through WINHTTP_CALLBACK_STATUS_SECURE_FAILURE
// and ERROR_WINHTTP_SECURE_FAILURE, and WINHTTP_OPTION_SECURITY_FLAGS applying to the one request it
// is set on while 64 threads send with and without it.
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
#include "winhttp_test.h"

namespace {

using namespace std::chrono_literals;
using hc::winhttp::AsyncRequest;
using hc::winhttp::CallbackSession;
using hc::winhttp::ErrorName;

constexpr int kTlsRequests = 64;  // concurrent requests per test, one thread each
constexpr auto kTlsParkBound = 30s;
constexpr auto kTlsFinishBound = 30s;
constexpr auto kTlsGangBound = 60s;
using hc_protocol::tls::kStallGate;
constexpr char kWineSecureChannelError[] =
    "Wine 8.0 ends a request whose certificate fails its checks with ERROR_WINHTTP_SECURE_CHANNEL_ERROR, "
    "not ERROR_WINHTTP_SECURE_FAILURE";

std::vector<hc::Notification> TlsNotificationsOf(const hc::CallbackSession& client,
                                                 const hc::CallbackContext& c) {
  std::vector<hc::Notification> mine;
  for (const auto& n : client.recorder().Snapshot())
    if (n.context == static_cast<std::uintptr_t>(c.value()))
      mine.push_back(n);
  return mine;
}

const hc::Notification* First(const std::vector<hc::Notification>& ns, DWORD status) {
  for (const auto& n : ns)
    if (n.status == status)
      return &n;
  return nullptr;
}

// HANDLE_CLOSING once and last for every request, no callback on a retired context.
void ExpectTlsClosingLast(const hc::CallbackSession& client, const std::vector<AsyncRequest*>& xs) {
  for (const auto* x : xs) {
    EXPECT_EQ(x->closing_count(), 1) << "HANDLE_CLOSING for " << x->spec().target;
    EXPECT_EQ(x->after_closing(), 0) << "notifications after HANDLE_CLOSING for " << x->spec().target;
  }
  EXPECT_EQ(client.owner().dead_context_callbacks(), 0) << client.recorder().Dump();
}

class WinHttpTls : public hc::winhttp::SuiteTest {
  // Its own TLS listeners, many requests at once: the TLS variants' mark (hc::TransportTest).
  hc::ExpectingScope schannel_race_{hc::SchannelHandleTableRace()};
};

TEST_F(WinHttpTls, ClosingWhileTheHandshakeIsStalledCancelsOrCompletesTheRequest) {
  hc::Covers({"WH-TLS-CANCEL-IN-HANDSHAKE", "WH-CANCEL-BY-CLOSE", "WH-CH-CLOSING-LAST"});
  const hc::Scenario stalled(hc::TlsListener{.handshake = hc_protocol::tls::kHandshakeStall});
  CallbackSession client(stalled.port());
  ASSERT_TRUE(client.ready());
  std::vector<AsyncRequest*> xs;
  for (int i = 0; i < kTlsRequests; ++i) {
    hc::winhttp::AsyncRequestSpec spec;
    spec.target = "/get?i=" + std::to_string(i);
    spec.transport = hc::Transport::kTls;
    xs.push_back(&client.owner().Make<AsyncRequest>(spec));
  }
  hc::RunGang(kTlsRequests, kTlsGangBound,
              [&](int i) { xs[static_cast<std::size_t>(i)]->Start(client.connect()); });
  // Every request's connection is at the server, its ClientHello read and the answer held.
  ASSERT_TRUE(hc::AwaitParkedUnlessFinished(stalled, kTlsRequests, kTlsParkBound, kStallGate, xs))
      << client.recorder().Dump(200);
  std::vector<bool> finished_before(xs.size());
  for (std::size_t i = 0; i < xs.size(); ++i)
    finished_before[i] = xs[i]->finished();
  // Even requests are closed while their handshake is held; then the gate opens and the odd ones
  // are closed at once, racing the handshake's end.
  hc::RunGang(kTlsRequests / 2, kTlsGangBound, [&](int k) { xs[static_cast<std::size_t>(2 * k)]->Close(); });
  stalled.Release(kStallGate);
  hc::RunGang(kTlsRequests / 2, kTlsGangBound,
              [&](int k) { xs[static_cast<std::size_t>(2 * k + 1)]->Close(); });
  ASSERT_TRUE(hc::AwaitAllClosed(client.owner(), kTlsFinishBound)) << client.recorder().Dump(200);
  ExpectTlsClosingLast(client, xs);

  int completed = 0, cancelled = 0, neither = 0;
  std::map<std::string, int> errors;
  std::string unreported;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    EXPECT_FALSE(finished_before[i]) << "finished while its handshake was held: " << xs[i]->Describe();
    EXPECT_TRUE(xs[i]->close_result()) << "WinHttpCloseHandle of " << xs[i]->spec().target;
    const auto ns = TlsNotificationsOf(client, *xs[i]);
    if (First(ns, WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE))
      ++completed;
    else if (const auto* e = First(ns, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)) {
      ++cancelled;
      ++errors[ErrorName(static_cast<DWORD>(e->value))];
    } else {
      ++neither;
      unreported += "\n  " + xs[i]->Describe();
    }
  }
  RecordProperty("hc_cancel_outcomes", nlohmann::json{{"trials", kTlsRequests},
                                                      {"completed", completed},
                                                      {"cancelled", cancelled},
                                                      {"neither", neither},
                                                      {"errors", errors},
                                                      {"pending", "TLS handshake held at the server"}}
                                           .dump());
  EXPECT_EQ(neither, 0)
      << neither << " of " << kTlsRequests
      << " sends pending in the handshake ended with neither SENDREQUEST_COMPLETE nor REQUEST_ERROR:"
      << unreported << "\n"
      << client.recorder().Dump(200);
  EXPECT_GT(stalled.Stats().value("connections_accepted", 0), kTlsRequests - 1)
      << "each request had its own connection";
}

// 64 requests from 64 threads, even ones to a listener whose certificate names another host, odd
// ones to a valid listener; each request must end with its own result.
TEST_F(WinHttpTls, CertificateErrorsReachEachOfManyConcurrentRequestsAndNoOther) {
  hc::Covers({"WH-TLS-SECURE-FAILURE", "WH-INDEPENDENT", "WH-CH-CLOSING-LAST"});
  const hc::Scenario good(hc::Transport::kTls);
  const hc::Scenario wrong(hc::TlsListener{.cert = hc_protocol::tls::kCertWrongHost});
  CallbackSession client(good.port());
  ASSERT_TRUE(client.ready());
  auto& wrong_context = client.owner().Make<hc::winhttp::Context>();
  HINTERNET wrong_connect = hc::winhttp::Connect(client.session(), wrong.port(), wrong_context);
  ASSERT_NE(wrong_connect, nullptr) << "WinHttpConnect: " << ErrorName(GetLastError());

  std::vector<AsyncRequest*> xs;
  std::vector<std::string> good_sent;
  for (int i = 0; i < kTlsRequests; ++i) {
    hc::winhttp::AsyncRequestSpec spec;
    spec.target = "/get?i=" + std::to_string(i);
    spec.transport = {hc::Transport::kTls,
                      hc::CertCheck::kCheckHost};  // the test CA accepted, the name checked
    if (i % 2 == 1)
      good_sent.push_back(hc::LogKey("GET", "/get", "i=" + std::to_string(i)));
    xs.push_back(&client.owner().Make<AsyncRequest>(spec));
  }
  hc::RunGang(kTlsRequests, kTlsGangBound, [&](int i) {
    xs[static_cast<std::size_t>(i)]->Start(i % 2 == 0 ? wrong_connect : client.connect());
  });
  ASSERT_TRUE(hc::AwaitFinished(xs, kTlsFinishBound)) << client.recorder().Dump(200);

  std::map<std::string, int> seen;  // "wrong-host: ..." / "valid: ..." -> count
  for (int i = 0; i < kTlsRequests; ++i) {
    const auto& x = *xs[static_cast<std::size_t>(i)];
    const auto r = x.result();
    const auto* secure = First(TlsNotificationsOf(client, x), WINHTTP_CALLBACK_STATUS_SECURE_FAILURE);
    ++seen[std::string(i % 2 == 0 ? "wrong-host: " : "valid: ") +
           (r.error == 0 ? "status " + std::to_string(r.status) : ErrorName(r.error)) +
           (secure ? ", SECURE_FAILURE flags " + std::to_string(secure->value) : "")];
  }
  RecordProperty("hc_tls_outcomes", nlohmann::json(seen).dump());
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0 ends a request whose certificate fails its checks with "
                 "ERROR_WINHTTP_SECURE_CHANNEL_ERROR and no WINHTTP_CALLBACK_STATUS_SECURE_FAILURE, and it "
                 "does not match a server named by IP address against the certificate's iPAddress "
                 "subjectAltName, so the valid certificate for 127.0.0.1 fails the host check too"),
      [&] {
        for (int i = 0; i < kTlsRequests; ++i) {
          const auto& x = *xs[static_cast<std::size_t>(i)];
          const auto r = x.result();
          const auto ns = TlsNotificationsOf(client, x);
          const auto* secure = First(ns, WINHTTP_CALLBACK_STATUS_SECURE_FAILURE);
          const auto* error = First(ns, WINHTTP_CALLBACK_STATUS_REQUEST_ERROR);
          if (i % 2 == 0) {
            EXPECT_EQ(r.error, static_cast<DWORD>(ERROR_WINHTTP_SECURE_FAILURE)) << x.Describe();
            EXPECT_TRUE(error && error->value == ERROR_WINHTTP_SECURE_FAILURE)
                << "REQUEST_ERROR with ERROR_WINHTTP_SECURE_FAILURE for " << x.Describe();
            EXPECT_NE(secure, nullptr) << "no SECURE_FAILURE for " << x.Describe();
            if (secure == nullptr)
              continue;
            EXPECT_TRUE(secure->value & WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID)
                << "SECURE_FAILURE flags " << secure->value
                << " lack WINHTTP_CALLBACK_STATUS_FLAG_CERT_CN_INVALID";
            EXPECT_FALSE(secure->value & WINHTTP_CALLBACK_STATUS_FLAG_INVALID_CA)
                << "SECURE_FAILURE flags " << secure->value << ": the test CA was accepted for this request";
          } else {
            EXPECT_EQ(secure, nullptr)
                << "SECURE_FAILURE on a request to the valid listener: " << x.Describe();
            const auto echo = nlohmann::json::parse(r.body, nullptr, false);
            EXPECT_TRUE(r.error == 0 && r.status == 200 && !echo.is_discarded() &&
                        echo.value("args", nlohmann::json::object()).value("i", "") == std::to_string(i))
                << "request " << i << " got another's response or none: " << x.Describe() << " "
                << r.body.substr(0, 200);
          }
        }
        EXPECT_TRUE(hc::LogMatches(good.Log(), good_sent))
            << "the valid listener saw exactly the odd requests";
        EXPECT_TRUE(hc::TransportSeen(good));
      });
  RecordProperty("hc_tls_outcomes", nlohmann::json(seen).dump());
  wrong_context.Close();
  ASSERT_TRUE(hc::AwaitAllClosed(client.owner(), kTlsFinishBound));
  ExpectTlsClosingLast(client, xs);
  EXPECT_EQ(wrong.Stats().value("requests", -1), 0) << "a request went out over the wrong-host certificate";
}

// 64 threads on one connection: even ones accept the test CA (SECURITY_FLAG_IGNORE_UNKNOWN_CA on
// their request), odd ones do not. Exactly the even ones may succeed. The handshakes are held
// until all 64 are under way, so that no request can be sent over a kept-alive connection a
// flagged request has finished with: that would test the connection pool, not the flag.
TEST_F(WinHttpTls, SecurityFlagsApplyOnlyToTheRequestTheyAreSetOn) {
  hc::Covers({"WH-TLS-FLAGS-PER-REQUEST", "WH-INDEPENDENT"});
  const auto results = hc::ExpectSecurityFlagsPerRequest(
      hc::winhttp::kApi, kTlsRequests, kTlsParkBound, kTlsGangBound,
      [](void* connect, const std::string& target, hc::CertCheck check) {
        return hc::winhttp::SyncRequest(static_cast<HINTERNET>(connect), L"GET", target, "",
                                        {hc::Transport::kTls, check});
      });
  hc::CheckExpecting(hc::OnWine(kWineSecureChannelError), [&] {
    for (int t = 1; t < kTlsRequests; t += 2)
      EXPECT_EQ(results[static_cast<std::size_t>(t)].error, static_cast<DWORD>(ERROR_WINHTTP_SECURE_FAILURE))
          << "request " << t << " without the flag: " << results[static_cast<std::size_t>(t)].Describe();
  });
}

// The test CA made trusted in the run's own environment (hc::TrustedTestCa): a request that
// validates normally, without ignore flags, succeeds while it is trusted and fails with the
// documented error before and after. A fresh listener and session per phase: nothing is reused.
class WinHttpTlsTrustedRoot : public hc::winhttp::SuiteTest {};

TEST_F(WinHttpTlsTrustedRoot, ValidatesWithTheTestCaTrustedAndFailsWithoutIt) {
  hc::Covers({"WH-TLS-TRUSTED-ROOT"});
  const auto p = hc::RunTrustedRootPhases([](const std::string& phase) {
    return hc::GetOnOwnTlsListener(hc::winhttp::kApi, [&](void* connect) {
      return hc::winhttp::SyncRequest(static_cast<HINTERNET>(connect), L"GET", "/get?phase=" + phase, "",
                                      {hc::Transport::kTls, hc::CertCheck::kTrustedRoots});
    });
  });
  const hc::Response &before = p.before, &trusted = p.trusted, &after = p.after;
  EXPECT_NE(before.error, 0u) << "before the test CA is trusted: " << before.Describe();
  if (!p.ran)
    GTEST_SKIP() << p.why_not;
  EXPECT_NE(after.error, 0u) << "after the test CA was removed: " << after.Describe();
  hc::CheckExpecting(
      hc::OnWine("Wine 8.0 does not take a certificate added to the current user's ROOT store as a "
                 "trusted root for WinHTTP's validation, and fails with ERROR_WINHTTP_SECURE_CHANNEL_ERROR"),
      [&] {
        EXPECT_TRUE(trusted.error == 0 && trusted.status == 200)
            << "with the test CA in " << p.store << ": " << trusted.Describe();
        EXPECT_EQ(before.error, static_cast<DWORD>(ERROR_WINHTTP_SECURE_FAILURE)) << before.Describe();
        EXPECT_EQ(after.error, static_cast<DWORD>(ERROR_WINHTTP_SECURE_FAILURE)) << after.Describe();
      });
}

}  // namespace
