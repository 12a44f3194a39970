#pragma once
// The WinINet suites' GoogleTest layer over apis/wininet: a CallbackSession (an asynchronous
// session and a connection whose notifications are recorded, retired at the end of the test),
// SuiteTest, the base of every WinINet suite's fixture class, and ScopedGlobalDword:
//
//   class WinInetAsyncMode : public hc::wininet::SuiteTest {};
//   TEST_F(WinInetAsyncMode, ...) {
//     ASSERT_TRUE(OpenCallbacks());
//     auto& request = client().owner().Make<hc::wininet::AsyncRequest>("/get");
//     ...
//   }
#include <windows.h>
#include <wininet.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "hc/callback_checks.h"
#include "hc/localserver.h"
#include "hc/wininet/async_request.h"
#include "hc/wininet/context.h"
#include "hc/wininet/names.h"
#include "hc/wininet/options.h"
#include "hc/wininet/session.h"
#include "hc/wininet/sync_request.h"

namespace hc::wininet {

// A session with StatusCallback for every handle below it (asynchronous unless told otherwise)
// and one connection to 127.0.0.1:port with a context, so its HANDLE_CLOSING is seen (the session
// itself has none). The destructor closes what is still open and retires the owner
// (hc::RetireOwner).
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
  Context& connect_context() const { return *connect_context_; }

  // Close the connection / the session (once; later calls return FALSE). Closing the session
  // closes everything below it.
  BOOL CloseConnect();
  BOOL CloseSession();

 private:
  std::unique_ptr<hc::ContextOwner> owner_;
  Context* connect_context_;
  HINTERNET session_ = nullptr;
  HINTERNET connect_ = nullptr;
  std::string setup_error_;
};

// Base of the WinINet suites' fixtures: this test's listener (made on first use) and, on demand,
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

// Sets a process-wide DWORD option for the life of the object and restores the value it had
// (the tests of one binary share the process); a failed restore fails the test.
class ScopedGlobalDword {
 public:
  ScopedGlobalDword(DWORD option, DWORD value);
  ~ScopedGlobalDword();
  ScopedGlobalDword(const ScopedGlobalDword&) = delete;
  ScopedGlobalDword& operator=(const ScopedGlobalDword&) = delete;
  bool ok() const { return set_; }
  DWORD error() const { return error_; }

 private:
  DWORD option_;
  DWORD original_ = 0;
  bool had_original_ = false;
  bool set_ = false;
  DWORD error_ = 0;
};

}  // namespace hc::wininet
