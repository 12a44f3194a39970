// Closing a parent handle while its children have asynchronous requests in progress.
// The seeds do not cover it; the expectation comes from Microsoft's "InternetCloseHandle
// function (wininet.h)": "The function terminates any pending operations on the handle";
// "Once an API has returned ERROR_IO_PENDING, it is safe to call InternetCloseHandle to cancel
// that I/O"; "If asynchronous requests are pending for the handle or any of its child handles,
// the handle cannot be closed immediately, but it will be invalidated ... The asynchronous
// requests will complete with INTERNET_STATUS_REQUEST_COMPLETE. Applications must be prepared to
// receive any INTERNET_STATUS_REQUEST_COMPLETE indications on the handle before the final
// INTERNET_STATUS_HANDLE_CLOSING indication"; and from its Windows CE edition, "This function
// closes a single Internet handle or a subtree of Internet handles" (WI-CLOSE-SUBTREE).
// Asserted, as observable and sane: the close succeeds; right after it every child handle is
// invalid (a call on it fails); every child's pending HttpSendRequest ends promptly (without the
// server answering) with a failed REQUEST_COMPLETE; every child's pending operation ends and its
// HANDLE_CLOSING comes without the application touching the child (bounded, once the server has
// answered at the latest); the parent's HANDLE_CLOSING comes after its children's completions; the
// server sees every connection closed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hc/catalogue.h"
#include "hc/expectation.h"
#include "hc/wait.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kChildrenPerConnect = 64;  // pending async requests below each connect handle
constexpr int kParentHoldMs = 10000;
constexpr auto kCloseBound = 1500ms;  // the pending requests must end well before the server's hold
constexpr auto kParentParkBound = 20s;
constexpr auto kParentCleanupBound = 30s;
// After the parent's close and the server's answer, every child's HANDLE_CLOSING must come within
// this, without the test closing the child.
constexpr auto kChildClosingBound = 10s;

int ConnLimit() {
  DWORD limit = 0, error = 0;
  return hc::wininet::QueryGlobalDword(INTERNET_OPTION_MAX_CONNS_PER_SERVER, limit, error)
             ? static_cast<int>(limit)
             : 1;
}

struct Parent {
  std::unique_ptr<hc::Scenario> server;
  hc::wininet::Context* context = nullptr;  // the connect handle's
  HINTERNET connect = nullptr;
  std::vector<AsyncRequest*> children;
};

// Per child: did its pending send end (failed REQUEST_COMPLETE) and did HANDLE_CLOSING come?
struct ChildOutcome {
  bool completed_with_error = false;
  bool completed_ok = false;
  bool closing = false;
};

ChildOutcome Outcome(const std::vector<hc::Notification>& log, const AsyncRequest& d) {
  ChildOutcome o;
  for (const auto& n : log) {
    if (n.context != d.value())
      continue;
    if (n.status == INTERNET_STATUS_REQUEST_COMPLETE)
      (hc::wininet::CompletedOk(n) ? o.completed_ok : o.completed_with_error) = true;
    if (n.status == INTERNET_STATUS_HANDLE_CLOSING)
      o.closing = true;
  }
  return o;
}

// The parent's HANDLE_CLOSING comes after every REQUEST_COMPLETE of its children.
::testing::AssertionResult ParentClosingAfterChildren(const std::vector<hc::Notification>& log,
                                                      const Parent& p) {
  std::size_t parent_closing = log.size(), last_child_complete = 0;
  for (std::size_t i = 0; i < log.size(); ++i) {
    if (log[i].context == p.context->value() && log[i].status == INTERNET_STATUS_HANDLE_CLOSING)
      parent_closing = i;
    for (const auto& c : p.children)
      if (log[i].context == c->value() && log[i].status == INTERNET_STATUS_REQUEST_COMPLETE)
        last_child_complete = std::max(last_child_complete, i);
  }
  if (parent_closing == log.size())
    return ::testing::AssertionFailure() << "no HANDLE_CLOSING for the connect handle";
  if (parent_closing < last_child_complete)
    return ::testing::AssertionFailure()
           << "a child's REQUEST_COMPLETE came after the connect handle's HANDLE_CLOSING";
  return ::testing::AssertionSuccess();
}

// Connects every parent on client's session (the first parent's connection is the client's own),
// starts kChildrenPerConnect held requests on each and waits until the server holds as many as the
// per-server limit lets through.
void StartChildren(hc::CallbackSession& client, std::vector<Parent>& parents, const std::string& gate) {
  const int expect_parked = std::min(kChildrenPerConnect, ConnLimit());
  for (auto& p : parents) {
    if (&p == &parents.front()) {
      p.context = &client.connect_context();
      p.connect = client.connect();
    } else {
      p.context = &client.owner().Make<hc::wininet::Context>();
      p.connect = hc::wininet::Connect(client.session(), p.server->port(), *p.context);
    }
    ASSERT_NE(p.connect, nullptr) << "InternetConnect: " << hc::wininet::ErrorName(GetLastError());
    for (int i = 0; i < kChildrenPerConnect; ++i) {
      p.children.push_back(&client.owner().Make<AsyncRequest>(
          "/hold/" + gate + "?timeout_ms=" + std::to_string(kParentHoldMs) + "&child=" + std::to_string(i),
          hc::wininet::kNoCacheFlags, p.server->transport()));
      EXPECT_EQ(p.children.back()->Start(p.connect), static_cast<DWORD>(ERROR_IO_PENDING));
    }
    ASSERT_TRUE(hc::AwaitParkedUnlessFinished(*p.server, expect_parked, kParentParkBound, gate, p.children));
  }
}

// Right after the parent's close: a call on every child fails, as on any closed handle
// (INTERNET_OPTION_HANDLE_TYPE cannot fail on a valid handle, whatever its state). The errors
// seen go to the hc_child_call_after_parent_close property.
void ExpectChildrenInvalid(const std::vector<Parent>& parents) {
  std::map<std::string, int> errors;
  int valid = 0;
  std::string first;
  for (std::size_t pi = 0; pi < parents.size(); ++pi)
    for (const auto* c : parents[pi].children) {
      DWORD type = 0, size = sizeof(type);
      const BOOL ok = InternetQueryOptionA(c->handle(), INTERNET_OPTION_HANDLE_TYPE, &type, &size);
      ++errors[ok ? "succeeded" : hc::wininet::ErrorName(GetLastError())];
      if (ok && ++valid <= 5)
        first += "\n  parent " + std::to_string(pi) + ": " + c->target() + " (handle type " +
                 std::to_string(type) + ")";
    }
  ::testing::Test::RecordProperty("hc_child_call_after_parent_close", nlohmann::json(errors).dump());
  EXPECT_EQ(valid, 0) << "children still valid handles right after their parent's close "
                         "(InternetQueryOption(INTERNET_OPTION_HANDLE_TYPE) succeeded), the first:"
                      << first;
}

// Once the server has answered: every child's pending operation ended (a REQUEST_COMPLETE came)
// and its HANDLE_CLOSING came, although the test has not closed it.
void ExpectChildrenClosedByTheParent(std::vector<Parent>& parents, const hc::CallbackRecorder& rec,
                                     const std::string& gate) {
  for (auto& p : parents)
    p.server->Release(gate);
  const auto deadline = std::chrono::steady_clock::now() + kChildClosingBound;
  int not_closed = 0;
  std::string first;
  for (std::size_t pi = 0; pi < parents.size(); ++pi)
    for (auto* c : parents[pi].children) {
      const auto left = std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                          deadline - std::chrono::steady_clock::now()));
      if (!c->WaitForClosing(left) && ++not_closed <= 5)
        first += "\n  parent " + std::to_string(pi) + ": " + c->Describe();
      EXPECT_FALSE(c->close_called()) << c->target() << " was closed by the test";
    }
  EXPECT_EQ(not_closed, 0) << "children without HANDLE_CLOSING " << kChildClosingBound.count()
                           << " ms after their parent's close and the server's answer, the first:" << first
                           << "\nnotifications:\n"
                           << rec.Dump(100);
  const auto log = rec.Snapshot();
  for (std::size_t pi = 0; pi < parents.size(); ++pi)
    for (const auto* c : parents[pi].children) {
      const auto o = Outcome(log, *c);
      EXPECT_TRUE(o.completed_ok || o.completed_with_error)
          << c->target() << " of parent " << pi << ": its pending send never ended (" << c->Describe() << ")";
    }
}

// Measures after the close, then checks (inside the divergence mark where one applies).
void ObserveAndCheck(std::vector<Parent>& parents, const hc::CallbackRecorder& rec,
                     const hc::Divergence& divergence) {
  // One deadline for every wait: the whole observation lasts at most kCloseBound.
  const auto deadline = std::chrono::steady_clock::now() + kCloseBound;
  const auto remaining = [&] {
    return std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                             deadline - std::chrono::steady_clock::now()));
  };
  std::vector<::testing::AssertionResult> ended, servers_closed;
  for (auto& p : parents) {
    for (auto& c : p.children)
      ended.push_back(hc::AwaitClosing(*c, remaining()));
    servers_closed.push_back(p.server->AwaitOpen(0, remaining()));
  }
  const auto log = rec.Snapshot();
  for (const auto& p : parents)
    for (const auto* c : p.children)
      EXPECT_FALSE(Outcome(log, *c).completed_ok)
          << c->target() << " completed successfully although the server never answered";
  hc::CheckExpecting(divergence, [&] {
    std::size_t k = 0;
    for (std::size_t pi = 0; pi < parents.size(); ++pi) {
      auto& p = parents[pi];
      for (auto& c : p.children) {
        const auto o = Outcome(log, *c);
        EXPECT_TRUE(ended[k++]) << "child " << c->target() << " of parent " << pi;
        EXPECT_TRUE(o.completed_with_error) << c->target() << ": its pending send did not end with a failed "
                                            << "REQUEST_COMPLETE (" << c->Describe() << ")";
      }
      EXPECT_TRUE(servers_closed[pi]) << "parent " << pi;
      EXPECT_TRUE(ParentClosingAfterChildren(log, p)) << "parent " << pi;
    }
  });
}

// Opens the gate, lets every child finish or close, closes the children still open and waits
// for every HANDLE_CLOSING (the contexts must outlive them).
void Cleanup(std::vector<Parent>& parents, const std::string& gate, bool close_connects) {
  for (auto& p : parents)
    if (p.server)
      p.server->Release(gate);
  for (auto& p : parents)
    for (auto& c : p.children)
      EXPECT_TRUE(hc::WaitUntil(
          [&] {
            const auto phase = c->phase();
            return c->closing_seen() || phase == AsyncRequest::Phase::done ||
                   phase == AsyncRequest::Phase::failed || phase == AsyncRequest::Phase::aborted;
          },
          kParentCleanupBound, c->target() + " finished or closed"));
  for (auto& p : parents) {
    // A child whose HANDLE_CLOSING came was closed with its parent: its handle value is gone and
    // may already name another handle. Close only those still open.
    for (auto* c : p.children)
      EXPECT_TRUE(hc::Retire(*c, kParentCleanupBound));
    if (p.context) {
      EXPECT_TRUE(close_connects ? hc::Retire(*p.context, kParentCleanupBound)
                                 : hc::AwaitClosing(*p.context, kParentCleanupBound));
    }
  }
}

class WinInetParentClose : public hc::wininet::TransportTest {
 protected:
  // n parents (servers and connect handles) on one asynchronous session, their children started
  // and held at gate. The session's own connection is the first parent's.
  void StartParents(int n, const std::string& gate) {
    parents = std::vector<Parent>(static_cast<std::size_t>(n));
    for (auto& p : parents)
      p.server = std::make_unique<hc::Scenario>(transport());
    callbacks = std::make_unique<hc::wininet::CallbackSession>(parents.front().server->port());
    ASSERT_TRUE(callbacks->ready());
    StartChildren(*callbacks, parents, gate);
  }
  std::vector<Parent> parents;
  std::unique_ptr<hc::wininet::CallbackSession> callbacks;  // destroyed before the parents' servers
};

TEST_P(WinInetParentClose, ClosingTheConnectHandleEndsItsChildrensPendingRequests) {
  hc::Covers({"WI-CLOSE-SUBTREE", "WI-CLOSING-LAST"});
  const std::string gate = "parent-connect";
  StartParents(1, gate);
  if (HasFatalFailure())
    return Cleanup(parents, gate, true);

  EXPECT_TRUE(parents[0].context->Close())
      << "InternetCloseHandle(connect): " << hc::wininet::ErrorName(GetLastError());
  ExpectChildrenInvalid(parents);
  ObserveAndCheck(parents, callbacks->recorder(),
                  hc::OnWine("Wine 8.0 invalidates the child handles (invalidate_handle), but a pending "
                             "HttpSendRequest keeps its own reference and goes on waiting for the response; "
                             "nothing ends the operation until the server answers"));
  ExpectChildrenClosedByTheParent(parents, callbacks->recorder(), gate);
  Cleanup(parents, gate, false);
  EXPECT_TRUE(ParentClosingAfterChildren(callbacks->recorder().Snapshot(), parents[0])) << "at the end";
  for (auto* c : parents[0].children)
    EXPECT_TRUE(hc::ClosingIsLast(*c)) << c->target();
  EXPECT_TRUE(hc::ClosingIsLast(*parents[0].context)) << "connect handle";
  EXPECT_TRUE(hc::TransportSeen(*parents[0].server));
}

TEST_P(WinInetParentClose, ClosingTheSessionHandleEndsEveryPendingRequestBelowIt) {
  hc::Covers({"WI-CLOSE-SUBTREE", "WI-CLOSING-LAST"});
  const std::string gate = "parent-session";
  StartParents(2, gate);  // two servers, one connect handle each
  if (HasFatalFailure())
    return Cleanup(parents, gate, true);

  EXPECT_TRUE(callbacks->CloseSession())
      << "InternetCloseHandle(session): " << hc::wininet::ErrorName(GetLastError());
  ExpectChildrenInvalid(parents);
  ObserveAndCheck(parents, callbacks->recorder(),
                  hc::OnWine("Wine 8.0 invalidates the subtree (invalidate_handle), but a pending "
                             "HttpSendRequest keeps its own reference and goes on waiting for the response; "
                             "nothing ends the operation until the server answers"));
  ExpectChildrenClosedByTheParent(parents, callbacks->recorder(), gate);
  Cleanup(parents, gate, false);
  const auto log = callbacks->recorder().Snapshot();
  for (auto& p : parents) {
    EXPECT_TRUE(ParentClosingAfterChildren(log, p)) << "at the end";
    EXPECT_TRUE(hc::ClosingIsLast(*p.context)) << "connect handle";
    for (auto* c : p.children)
      EXPECT_TRUE(hc::ClosingIsLast(*c)) << c->target();
    EXPECT_TRUE(hc::TransportSeen(*p.server));
  }
}

HC_OVER_TRANSPORTS(WinInetParentClose);

}  // namespace
