#include "wininet_test.h"

namespace hc::wininet {

CallbackSession::CallbackSession(std::uint16_t port, SessionOptions options)
    : owner_(std::make_unique<hc::ContextOwner>(kCallbackApi)), connect_context_(&owner_->Make<Context>()) {
  options.callbacks = true;
  session_ = OpenSession(options).release();
  if (session_ == nullptr) {
    setup_error_ = "InternetOpen or InternetSetStatusCallback: " + ErrorName(GetLastError());
    return;
  }
  connect_ = Connect(session_, port, *connect_context_);
  if (connect_ == nullptr)
    setup_error_ = "InternetConnect: " + ErrorName(GetLastError());
}

CallbackSession::~CallbackSession() {
  CloseConnect();
  CloseSession();
  hc::RetireOwner(std::move(owner_));
}

::testing::AssertionResult CallbackSession::ready() const {
  if (session_ != nullptr && connect_ != nullptr)
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
  return InternetCloseHandle(s);
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
    return ::testing::AssertionFailure() << "InternetOpen: " << ErrorName(GetLastError());
  connect_ = Connect(session_.get(), server().port());
  if (!connect_)
    return ::testing::AssertionFailure() << "InternetConnect: " << ErrorName(GetLastError());
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult SuiteTest::OpenCallbacks(SessionOptions options) {
  client_ = std::make_unique<CallbackSession>(server().port(), options);
  return client_->ready();
}

ScopedGlobalDword::ScopedGlobalDword(DWORD option, DWORD value) : option_(option) {
  DWORD ignored = 0;
  had_original_ = QueryGlobalDword(option, original_, ignored);
  set_ = SetGlobalDword(option, value, error_);
}

ScopedGlobalDword::~ScopedGlobalDword() {
  if (!set_ || !had_original_)
    return;
  DWORD error = 0;
  EXPECT_TRUE(SetGlobalDword(option_, original_, error))
      << "restoring process-wide option " << option_ << " to " << original_ << ": " << ErrorName(error);
}

}  // namespace hc::wininet
