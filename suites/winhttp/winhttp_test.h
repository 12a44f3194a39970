#pragma once
// The WinHTTP suites' GoogleTest layer over apis/winhttp: a CallbackSession (a session and a
// connection whose notifications are recorded, retired at the end of the test) and SuiteTest,
// the base of every WinHTTP suite's fixture class:
//
//   class WinHttpCloseSync : public hc::winhttp::SuiteTest {};
//   TEST_F(WinHttpCloseSync, ...) {
//     ASSERT_TRUE(OpenCallbacks({.async = false}));
//     auto& ctx = client().owner().Make<hc::winhttp::Context>();
//     ...
//   }
#include <windows.h>
#include <winhttp.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "hc/callback_checks.h"
#include "hc/localserver.h"
#include "hc/winhttp/async_request.h"
#include "hc/winhttp/context.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"
#include "hc/winhttp/sync_request.h"

namespace hc::winhttp {

// A session with StatusCallback for every notification (asynchronous unless told otherwise) and
// one connection to 127.0.0.1:port; both carry contexts, so their own HANDLE_CLOSING is seen.
// The destructor closes what is still open and retires the owner (hc::RetireOwner).
class CallbackSession {
 public:
  explicit CallbackSession(std::uint16_t port, SessionOptions options = {.async = true});
  ~CallbackSession();
  CallbackSession(const CallbackSession&) = delete;
  CallbackSession& operator=(const CallbackSession&) = delete;

  // Success when the session and the connection exist; else which call failed.
  ::testing::AssertionResult ready() const;
  HINTERNET session() const { return session_; }
  HINTERNET connect() const { return connect_; }
  hc::ContextOwner& owner() const { return *owner_; }
  hc::CallbackRecorder& recorder() const { return owner_->recorder(); }
  Context& session_context() const { return *session_context_; }
  Context& connect_context() const { return *connect_context_; }

  // Close the connection / the session (once; later calls return FALSE).
  BOOL CloseConnect();
  BOOL CloseSession();

 private:
  std::unique_ptr<hc::ContextOwner> owner_;
  Context* session_context_;
  Context* connect_context_;
  HINTERNET session_ = nullptr;
  HINTERNET connect_ = nullptr;
  std::string setup_error_;
};

// Base of the WinHTTP suites' fixtures: this test's listener (made on first use) and, on demand,
// a synchronous session connected to it or a CallbackSession on it. Open* fail (and the test
// stops with ASSERT_TRUE) with the call that failed.
class SuiteTest : public ::testing::Test {
 protected:
  explicit SuiteTest(std::string kind = "http") : kind_(std::move(kind)) {}
  void TearDown() override;

  const hc::Scenario& server();                 // thread-safe
  ::testing::AssertionResult OpenConnection();  // then session(), connect()
  ::testing::AssertionResult OpenCallbacks(SessionOptions options = {.async = true});  // then client()
  HINTERNET session() const { return session_.get(); }
  HINTERNET connect() const { return connect_.get(); }
  CallbackSession& client() const { return *client_; }

 private:
  std::string kind_;
  std::once_flag server_made_;
  std::unique_ptr<hc::Scenario> server_;
  Handle session_, connect_;
  std::unique_ptr<CallbackSession> client_;
};

}  // namespace hc::winhttp
