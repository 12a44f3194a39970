#include "winhttp_test.h"

namespace hc::winhttp {

CallbackSession::CallbackSession(std::uint16_t port, SessionOptions options)
    : owner_(std::make_unique<hc::ContextOwner>(kCallbackApi)),
      session_context_(&owner_->Make<Context>()),
      connect_context_(&owner_->Make<Context>()) {
  options.callbacks = true;
  session_ = OpenSession(options).release();
  if (session_ == nullptr) {
    setup_error_ = "WinHttpOpen or WinHttpSetStatusCallback: " + ErrorName(GetLastError());
    return;
  }
  if (!session_context_->Bind(session_))
    setup_error_ = "context of the session: " + ErrorName(GetLastError());
  connect_ = Connect(session_, port, *connect_context_);
  if (connect_ == nullptr)
    setup_error_ = "WinHttpConnect or its context: " + ErrorName(GetLastError());
}

CallbackSession::~CallbackSession() {
  CloseConnect();
  CloseSession();
  hc::RetireOwner(std::move(owner_));
}

::testing::AssertionResult CallbackSession::ready() const {
  if (session_ != nullptr && connect_ != nullptr && setup_error_.empty())
    return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << setup_error_;
}

BOOL CallbackSession::CloseConnect() {
  if (connect_ == nullptr)
    return FALSE;
  connect_ = nullptr;
  return connect_context_->Close();
}

BOOL CallbackSession::CloseSession() {
  if (session_ == nullptr)
    return FALSE;
  HINTERNET s = session_;
  session_ = nullptr;
  // A session whose context could not be bound is closed here.
  return session_context_->handle() != nullptr ? session_context_->Close() : WinHttpCloseHandle(s);
}

void SuiteTest::TearDown() {
  client_.reset();
  connect_.reset();
  session_.reset();
  server_.reset();
}

const hc::Scenario& SuiteTest::server() {
  std::call_once(server_made_, [&] { server_ = std::make_unique<hc::Scenario>(kind_); });
  return *server_;
}

::testing::AssertionResult SuiteTest::OpenConnection() {
  session_ = OpenSession();
  if (!session_)
    return ::testing::AssertionFailure() << "WinHttpOpen: " << ErrorName(GetLastError());
  connect_ = Connect(session_.get(), server().port());
  if (!connect_)
    return ::testing::AssertionFailure() << "WinHttpConnect: " << ErrorName(GetLastError());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SuiteTest::OpenCallbacks(SessionOptions options) {
  client_ = std::make_unique<CallbackSession>(server().port(), options);
  return client_->ready();
}

}  // namespace hc::winhttp
