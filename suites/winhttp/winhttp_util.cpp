#include "winhttp_util.h"

#include <algorithm>
#include <iostream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <hc_protocol/body_pattern.h>

#include "hc/wait.h"

namespace hc::winhttp {

std::wstring Widen(const std::string& s) {
  // The suites only pass ASCII paths and hosts.
  return std::wstring(s.begin(), s.end());
}

std::string Narrow(const std::wstring& s) {
  std::string out;
  out.reserve(s.size());
  for (wchar_t c : s)
    out.push_back(c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '?');
  return out;
}

std::string Response::Describe() const {
  if (error != 0)
    return std::string(failed_call) + " failed: error " + ErrorName(error);
  return "status " + std::to_string(status) + ", " + std::to_string(body.size()) + " bytes";
}

Handle OpenSyncSession() {
  return Handle(WinHttpOpen(L"hinternet-conformance", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                            WINHTTP_NO_PROXY_BYPASS, 0));
}

bool ReadAll(HINTERNET request, std::string& body, DWORD& error) {
  std::vector<char> buffer(16384);
  for (;;) {
    DWORD read = 0;
    if (!WinHttpReadData(request, buffer.data(), static_cast<DWORD>(buffer.size()), &read)) {
      error = GetLastError();
      return false;
    }
    if (read == 0)
      return true;
    body.append(buffer.data(), read);
  }
}

namespace {

Response SyncRequestImpl(HINTERNET connect, const wchar_t* verb, const std::string& path,
                         const std::string& request_body, std::size_t write_chunk) {
  Response r;
  auto fail = [&r](const char* call) {
    r.error = GetLastError();
    r.failed_call = call;
    return r;
  };
  const std::wstring wpath = Widen(path);
  Handle request(WinHttpOpenRequest(connect, verb, wpath.c_str(), nullptr, WINHTTP_NO_REFERER,
                                    WINHTTP_DEFAULT_ACCEPT_TYPES, 0));
  if (!request)
    return fail("WinHttpOpenRequest");
  const auto length = static_cast<DWORD>(request_body.size());
  if (write_chunk == 0) {
    void* data = request_body.empty() ? WINHTTP_NO_REQUEST_DATA : const_cast<char*>(request_body.data());
    if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, data, length, length, 0))
      return fail("WinHttpSendRequest");
  } else {
    if (!WinHttpSendRequest(request.get(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0,
                            length, 0))
      return fail("WinHttpSendRequest");
    for (std::size_t at = 0; at < request_body.size();) {
      const auto n = static_cast<DWORD>(std::min(write_chunk, request_body.size() - at));
      DWORD written = 0;
      if (!WinHttpWriteData(request.get(), request_body.data() + at, n, &written))
        return fail("WinHttpWriteData");
      if (written == 0) {
        r.error = ERROR_WINHTTP_INTERNAL_ERROR;
        r.failed_call = "WinHttpWriteData (wrote 0 bytes)";
        return r;
      }
      at += written;
    }
  }
  if (!WinHttpReceiveResponse(request.get(), nullptr))
    return fail("WinHttpReceiveResponse");
  DWORD size = sizeof(r.status);
  if (!WinHttpQueryHeaders(request.get(), WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                           WINHTTP_HEADER_NAME_BY_INDEX, &r.status, &size, WINHTTP_NO_HEADER_INDEX))
    return fail("WinHttpQueryHeaders");
  DWORD error = 0;
  if (!ReadAll(request.get(), r.body, error)) {
    r.error = error;
    r.failed_call = "WinHttpReadData";
  }
  return r;
}

}  // namespace

Response SyncRequest(HINTERNET connect, const wchar_t* verb, const std::string& path,
                     const std::string& request_body) {
  return SyncRequestImpl(connect, verb, path, request_body, 0);
}

Response SyncRequestWritten(HINTERNET connect, const wchar_t* verb, const std::string& path,
                            const std::string& request_body, std::size_t write_chunk) {
  return SyncRequestImpl(connect, verb, path, request_body, write_chunk == 0 ? 1 : write_chunk);
}

std::string TextBody(std::uint64_t seed, std::size_t size) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i)
    out[i] = kAlphabet[hc_protocol::PatternByte(seed, i) % (sizeof(kAlphabet) - 1)];
  return out;
}

std::string StatusName(unsigned long status) {
  switch (status) {
#define HC_STATUS(name)                \
  case WINHTTP_CALLBACK_STATUS_##name: \
    return #name;
    HC_STATUS(RESOLVING_NAME)
    HC_STATUS(NAME_RESOLVED)
    HC_STATUS(CONNECTING_TO_SERVER)
    HC_STATUS(CONNECTED_TO_SERVER)
    HC_STATUS(SENDING_REQUEST)
    HC_STATUS(REQUEST_SENT)
    HC_STATUS(RECEIVING_RESPONSE)
    HC_STATUS(RESPONSE_RECEIVED)
    HC_STATUS(CLOSING_CONNECTION)
    HC_STATUS(CONNECTION_CLOSED)
    HC_STATUS(HANDLE_CREATED)
    HC_STATUS(HANDLE_CLOSING)
    HC_STATUS(DETECTING_PROXY)
    HC_STATUS(REDIRECT)
    HC_STATUS(INTERMEDIATE_RESPONSE)
    HC_STATUS(SECURE_FAILURE)
    HC_STATUS(HEADERS_AVAILABLE)
    HC_STATUS(DATA_AVAILABLE)
    HC_STATUS(READ_COMPLETE)
    HC_STATUS(WRITE_COMPLETE)
    HC_STATUS(REQUEST_ERROR)
    HC_STATUS(SENDREQUEST_COMPLETE)
    HC_STATUS(GETPROXYFORURL_COMPLETE)
    HC_STATUS(CLOSE_COMPLETE)
    HC_STATUS(SHUTDOWN_COMPLETE)
#undef HC_STATUS
    default: {
      std::ostringstream out;
      out << "0x" << std::hex << status;
      return out.str();
    }
  }
}

std::string ApiName(DWORD_PTR api) {
  switch (api) {
    case API_RECEIVE_RESPONSE:
      return "API_RECEIVE_RESPONSE";
    case API_QUERY_DATA_AVAILABLE:
      return "API_QUERY_DATA_AVAILABLE";
    case API_READ_DATA:
      return "API_READ_DATA";
    case API_WRITE_DATA:
      return "API_WRITE_DATA";
    case API_SEND_REQUEST:
      return "API_SEND_REQUEST";
    case API_GET_PROXY_FOR_URL:
      return "API_GET_PROXY_FOR_URL";
    default:
      return "API_" + std::to_string(api);
  }
}

std::string ErrorName(DWORD error) {
  const char* name = nullptr;
  switch (error) {
    case 0:
      name = "no error";
      break;
    case ERROR_INVALID_HANDLE:
      name = "ERROR_INVALID_HANDLE";
      break;
    case ERROR_INVALID_PARAMETER:
      name = "ERROR_INVALID_PARAMETER";
      break;
    case ERROR_INSUFFICIENT_BUFFER:
      name = "ERROR_INSUFFICIENT_BUFFER";
      break;
    case ERROR_INVALID_OPERATION:
      name = "ERROR_INVALID_OPERATION";
      break;
    case ERROR_OPERATION_ABORTED:
      name = "ERROR_OPERATION_ABORTED";
      break;
    case ERROR_NOT_ENOUGH_MEMORY:
      name = "ERROR_NOT_ENOUGH_MEMORY";
      break;
    case ERROR_WINHTTP_TIMEOUT:
      name = "ERROR_WINHTTP_TIMEOUT";
      break;
    case ERROR_WINHTTP_INTERNAL_ERROR:
      name = "ERROR_WINHTTP_INTERNAL_ERROR";
      break;
    case ERROR_WINHTTP_INVALID_URL:
      name = "ERROR_WINHTTP_INVALID_URL";
      break;
    case ERROR_WINHTTP_UNRECOGNIZED_SCHEME:
      name = "ERROR_WINHTTP_UNRECOGNIZED_SCHEME";
      break;
    case ERROR_WINHTTP_NAME_NOT_RESOLVED:
      name = "ERROR_WINHTTP_NAME_NOT_RESOLVED";
      break;
    case ERROR_WINHTTP_INVALID_OPTION:
      name = "ERROR_WINHTTP_INVALID_OPTION";
      break;
    case ERROR_WINHTTP_SHUTDOWN:
      name = "ERROR_WINHTTP_SHUTDOWN";
      break;
    case ERROR_WINHTTP_OPERATION_CANCELLED:
      name = "ERROR_WINHTTP_OPERATION_CANCELLED";
      break;
    case ERROR_WINHTTP_INCORRECT_HANDLE_TYPE:
      name = "ERROR_WINHTTP_INCORRECT_HANDLE_TYPE";
      break;
    case ERROR_WINHTTP_INCORRECT_HANDLE_STATE:
      name = "ERROR_WINHTTP_INCORRECT_HANDLE_STATE";
      break;
    case ERROR_WINHTTP_CANNOT_CONNECT:
      name = "ERROR_WINHTTP_CANNOT_CONNECT";
      break;
    case ERROR_WINHTTP_CONNECTION_ERROR:
      name = "ERROR_WINHTTP_CONNECTION_ERROR";
      break;
    case ERROR_WINHTTP_HEADER_NOT_FOUND:
      name = "ERROR_WINHTTP_HEADER_NOT_FOUND";
      break;
    case ERROR_WINHTTP_INVALID_SERVER_RESPONSE:
      name = "ERROR_WINHTTP_INVALID_SERVER_RESPONSE";
      break;
    case ERROR_WINHTTP_SECURE_FAILURE:
      name = "ERROR_WINHTTP_SECURE_FAILURE";
      break;
    default:
      break;
  }
  return std::to_string(error) + (name ? std::string(" (") + name + ")" : std::string());
}

unsigned long long NotificationValue(DWORD status, void* info, DWORD length) {
  if (info == nullptr)
    return 0;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
      return length >= sizeof(WINHTTP_ASYNC_RESULT) ? static_cast<WINHTTP_ASYNC_RESULT*>(info)->dwError : 0;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_REQUEST_SENT:
    case WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED:
    case WINHTTP_CALLBACK_STATUS_SECURE_FAILURE:
      return length >= sizeof(DWORD) ? *static_cast<DWORD*>(info) : 0;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      return length;
    default:
      return 0;
  }
}

// ---------------------------------------------------------------------------------------------

bool Context::Bind(HINTERNET h) {
  handle_.store(h);
  DWORD_PTR v = value();
  return WinHttpSetOption(h, WINHTTP_OPTION_CONTEXT_VALUE, &v, sizeof(v)) != FALSE;
}

BOOL Context::Close() {
  if (close_called.exchange(true))
    return FALSE;  // a handle is closed once, never twice
  const BOOL r = WinHttpCloseHandle(handle());
  close_result.store(r);
  close_returned.store(true);
  return r;
}

void Context::OnStatus(HINTERNET, DWORD, void*, DWORD) {}

void CALLBACK StatusCallback(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  auto* c = reinterpret_cast<Context*>(context);
  if (c == nullptr)
    return;  // every handle of the suites carries a context
  Hub& hub = c->hub();
  Notification n;
  n.handle = reinterpret_cast<std::uintptr_t>(h);
  n.context = static_cast<std::uintptr_t>(context);
  n.status = status;
  n.thread_id = GetCurrentThreadId();
  n.info_length = length;
  n.value = NotificationValue(status, info, length);
  hub.recorder.Record(n);
  const bool own = h == c->handle();
  if (own && c->close_returned.load())
    ++c->after_close_returned;
  if (own && c->closing_count.load() > 0)
    ++c->after_closing;
  if (!c->Alive()) {
    ++hub.dead_context_callbacks;
    return;
  }
  c->OnStatus(h, status, info, length);
  if (status == WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING && own) {
    ++c->closing_count;
    c->canary_.store(Context::kDead);  // what an application's delete would do
  }
}

Hub::Hub() : recorder(StatusName) {}

std::vector<const Context*> Hub::Open(bool only_closed) const {
  std::lock_guard lock(mu_);
  std::vector<const Context*> open;
  for (const auto& c : contexts_)
    if (c->handle() != nullptr && !c->abandoned_.load() && c->closing_count.load() == 0 &&
        (!only_closed || c->close_called.load()))
      open.push_back(c.get());
  return open;
}

::testing::AssertionResult Hub::AwaitAllClosed(std::chrono::milliseconds timeout, bool only_closed) const {
  const std::string what =
      only_closed ? "HANDLE_CLOSING of every closed handle" : "HANDLE_CLOSING of every handle";
  return hc::WaitUntil([&] { return Open(only_closed).empty(); }, timeout, what,
                       [&] {
                         std::ostringstream out;
                         const auto open = Open(only_closed);
                         out << open.size() << " handle(s) without HANDLE_CLOSING:";
                         for (const auto* c : open)
                           out << " 0x" << std::hex << reinterpret_cast<std::uintptr_t>(c->handle())
                               << std::dec;
                         out << "\nnotifications:\n" << recorder.Dump();
                         return out.str();
                       });
}

// ---------------------------------------------------------------------------------------------

CallbackSession::CallbackSession(const hc::Scenario& server, DWORD open_flags) : hub_(new Hub) {
  Open(server.host(), server.port(), open_flags);
}

CallbackSession::CallbackSession(const std::wstring& host, INTERNET_PORT port, DWORD open_flags)
    : hub_(new Hub) {
  Open(host, port, open_flags);
}

void CallbackSession::Open(const std::wstring& host, INTERNET_PORT port, DWORD open_flags) {
  session_ = WinHttpOpen(L"hinternet-conformance", WINHTTP_ACCESS_TYPE_NO_PROXY, WINHTTP_NO_PROXY_NAME,
                         WINHTTP_NO_PROXY_BYPASS, open_flags);
  if (!session_) {
    setup_error_ = "WinHttpOpen: " + ErrorName(GetLastError());
    return;
  }
  session_ctx_ = &hub_->Make<Context>();
  if (WinHttpSetStatusCallback(session_, StatusCallback, WINHTTP_CALLBACK_FLAG_ALL_NOTIFICATIONS, 0) ==
      WINHTTP_INVALID_STATUS_CALLBACK) {
    setup_error_ = "WinHttpSetStatusCallback: " + ErrorName(GetLastError());
    WinHttpCloseHandle(session_);
    session_ = nullptr;
    return;
  }
  if (!session_ctx_->Bind(session_))
    setup_error_ = "context of the session: " + ErrorName(GetLastError());
  connect_ = WinHttpConnect(session_, host.c_str(), port, 0);
  if (!connect_) {
    setup_error_ = "WinHttpConnect: " + ErrorName(GetLastError());
    return;
  }
  connect_ctx_ = &hub_->Make<Context>();
  if (!connect_ctx_->Bind(connect_))
    setup_error_ = "context of the connection: " + ErrorName(GetLastError());
}

void CallbackSession::CloseConnect() {
  if (connect_ == nullptr)
    return;
  connect_ctx_->Close();
  connect_ = nullptr;
}

void CallbackSession::CloseSession() {
  if (session_ == nullptr)
    return;
  session_ctx_->Close();
  session_ = nullptr;
}

CallbackSession::~CallbackSession() {
  CloseConnect();
  CloseSession();
  constexpr auto kDrain = std::chrono::milliseconds(5000);
  auto drained = hub_->AwaitAllClosed(kDrain, false);
  if (drained && hub_->dead_context_callbacks.load() == 0) {
    // Give callbacks that are already running a moment to return before the contexts go.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    delete hub_;
    return;
  }
  // Something may still call back: keep every context (and the recorder) alive for good.
  std::cerr << "[ TEARDOWN ] contexts kept alive (not every HANDLE_CLOSING arrived within " << kDrain.count()
            << " ms): " << drained.message() << "\n";
  ::testing::Test::RecordProperty("hc_teardown", "contexts kept alive: " + std::string(drained.message()));
}

// ---------------------------------------------------------------------------------------------

Exchange::Exchange(Hub& hub, ExchangeSpec spec) : Context(hub), spec_(std::move(spec)) {
  buffer_.resize(spec_.read_chunk == 0 ? 1 : spec_.read_chunk);
}

bool Exchange::Open(HINTERNET connect) {
  const std::wstring target = Widen(spec_.target);
  HINTERNET h = WinHttpOpenRequest(connect, spec_.verb.c_str(), target.c_str(), nullptr, WINHTTP_NO_REFERER,
                                   WINHTTP_DEFAULT_ACCEPT_TYPES, 0);
  if (h == nullptr) {
    std::lock_guard lock(mu_);
    result_.error = GetLastError();
    result_.failed_call = "WinHttpOpenRequest";
    phase_ = Phase::failed;
    finished_ = true;
    return false;
  }
  if (!Bind(h)) {
    const DWORD error = GetLastError();
    std::lock_guard lock(mu_);
    result_.error = error;
    result_.failed_call = "WinHttpSetOption(WINHTTP_OPTION_CONTEXT_VALUE)";
    phase_ = Phase::failed;
    finished_ = true;
    return false;
  }
  if (prepare && !prepare(h)) {
    const DWORD error = GetLastError();
    {
      std::lock_guard lock(mu_);
      result_.error = error ? error : ERROR_INVALID_PARAMETER;
      result_.failed_call = "prepare";
      phase_ = Phase::failed;
      finished_ = true;
    }
    Close();
    return false;
  }
  return true;
}

bool Exchange::Start(HINTERNET connect) {
  if (!Open(connect))
    return false;
  HINTERNET h = handle();
  phase_ = Phase::sending;
  const auto total = static_cast<DWORD>(spec_.body.size());
  if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, total, value())) {
    Fail(h, "WinHttpSendRequest", GetLastError());
    return false;
  }
  return true;
}

bool Exchange::RunOnThisThread(HINTERNET connect, std::chrono::milliseconds step_timeout) {
  thread_driven_ = true;
  if (!Open(connect))
    return true;
  HINTERNET h = handle();
  phase_ = Phase::sending;
  const auto total = static_cast<DWORD>(spec_.body.size());
  if (!WinHttpSendRequest(h, WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, total, value())) {
    Fail(h, "WinHttpSendRequest", GetLastError());
    Close();
    return true;
  }
  while (!finished_.load()) {
    std::pair<DWORD, DWORD> event;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, step_timeout, [&] { return !events_.empty(); }))
        return false;
      event = events_.front();
      events_.pop_front();
    }
    if (event.first == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) {
      Fail(h, "asynchronous completion (REQUEST_ERROR)", event.second);
    } else {
      Continue(h, event.first, event.second);
    }
  }
  Close();
  return true;
}

void Exchange::OnStatus(HINTERNET h, DWORD status, void* info, DWORD length) {
  if (hook && hook(*this, h, status, info, length))
    return;
  if (h != handle())
    return;
  DWORD value = 0;
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
      break;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
      value = (info != nullptr && length >= sizeof(DWORD)) ? *static_cast<DWORD*>(info) : 0;
      break;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      value = length;
      break;
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR: {
      const auto* r = static_cast<WINHTTP_ASYNC_RESULT*>(info);
      error_api_ = r ? r->dwResult : 0;
      value = r ? r->dwError : 0;
      break;
    }
    default:
      return;  // informational
  }
  if (thread_driven_) {
    {
      std::lock_guard lock(mu_);
      events_.emplace_back(status, value);
    }
    cv_.notify_all();
    return;
  }
  if (status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) {
    Fail(h, "asynchronous completion (REQUEST_ERROR)", value);
    return;
  }
  Continue(h, status, value);
}

bool Exchange::WriteNext(HINTERNET h) {
  const std::size_t at = written_;
  const auto n = static_cast<DWORD>(std::min(spec_.write_chunk, spec_.body.size() - at));
  written_ += n;
  phase_ = Phase::writing;
  if (!WinHttpWriteData(h, spec_.body.data() + at, n, nullptr)) {
    Fail(h, "WinHttpWriteData", GetLastError());
    return false;
  }
  return true;
}

void Exchange::Continue(HINTERNET h, DWORD status, DWORD value) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      if (written_ < spec_.body.size()) {
        WriteNext(h);
        return;
      }
      phase_ = Phase::receiving;
      if (!WinHttpReceiveResponse(h, nullptr))
        Fail(h, "WinHttpReceiveResponse", GetLastError());
      return;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE: {
      DWORD code = 0, size = sizeof(code);
      if (!WinHttpQueryHeaders(h, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                               WINHTTP_HEADER_NAME_BY_INDEX, &code, &size, WINHTTP_NO_HEADER_INDEX)) {
        Fail(h, "WinHttpQueryHeaders", GetLastError());
        return;
      }
      {
        std::lock_guard lock(mu_);
        result_.status = code;
      }
      phase_ = Phase::querying;
      if (!WinHttpQueryDataAvailable(h, nullptr))
        Fail(h, "WinHttpQueryDataAvailable", GetLastError());
      return;
    }
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE: {
      if (value == 0) {
        Finish(h);
        return;
      }
      const auto n = static_cast<DWORD>(std::min<std::size_t>(value, buffer_.size()));
      phase_ = Phase::reading;
      if (!WinHttpReadData(h, buffer_.data(), n, nullptr))
        Fail(h, "WinHttpReadData", GetLastError());
      return;
    }
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      if (value == 0) {
        Finish(h);
        return;
      }
      {
        std::lock_guard lock(mu_);
        result_.body.append(buffer_.data(), std::min<std::size_t>(value, buffer_.size()));
      }
      phase_ = Phase::querying;
      if (!WinHttpQueryDataAvailable(h, nullptr))
        Fail(h, "WinHttpQueryDataAvailable", GetLastError());
      return;
    default:
      return;
  }
}

void Exchange::Finish(HINTERNET) {
  {
    std::lock_guard lock(mu_);
    phase_ = Phase::done;
    finished_ = true;
  }
  cv_.notify_all();
  if (close_when_done && !thread_driven_)
    Close();
  if (on_finished && !thread_driven_ && !finish_reported_.exchange(true))
    on_finished(*this);
}

void Exchange::Fail(HINTERNET, const char* call, DWORD error) {
  {
    std::lock_guard lock(mu_);
    if (result_.error == 0) {
      result_.error = error;
      result_.failed_call = call;
    }
    phase_ = Phase::failed;
    finished_ = true;
  }
  cv_.notify_all();
  if (close_when_done && !thread_driven_)
    Close();
  if (on_finished && !thread_driven_ && !finish_reported_.exchange(true))
    on_finished(*this);
}

Response Exchange::result() const {
  std::lock_guard lock(mu_);
  return result_;
}

std::string Exchange::Describe() const {
  static constexpr const char* kPhases[] = {"idle",     "sending", "writing", "receiving",
                                            "querying", "reading", "done",    "failed"};
  std::ostringstream out;
  out << Narrow(spec_.verb) << " " << spec_.target << " [" << kPhases[static_cast<int>(phase_.load())] << "] "
      << result().Describe();
  if (error_api_.load() != 0)
    out << " in " << ApiName(error_api_.load());
  return out.str();
}

::testing::AssertionResult AwaitFinished(const std::vector<Exchange*>& exchanges,
                                         std::chrono::milliseconds timeout) {
  return hc::WaitUntil(
      [&] {
        return std::all_of(exchanges.begin(), exchanges.end(),
                           [](const Exchange* e) { return e->finished(); });
      },
      timeout, std::to_string(exchanges.size()) + " exchanges to finish",
      [&] {
        std::ostringstream out;
        int shown = 0;
        for (const auto* e : exchanges)
          if (!e->finished() && ++shown <= 20)
            out << "  unfinished: " << e->Describe() << "\n";
        if (!exchanges.empty())
          out << "notifications:\n" << exchanges.front()->hub().recorder.Dump(300);
        return out.str();
      });
}

}  // namespace hc::winhttp
