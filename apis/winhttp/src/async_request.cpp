#include "hc/winhttp/async_request.h"

#include <algorithm>
#include <sstream>

#include "hc/text.h"
#include "hc/winhttp/names.h"
#include "hc/winhttp/session.h"

namespace hc::winhttp {

AsyncRequest::AsyncRequest(hc::ContextOwner& owner, AsyncRequestSpec spec)
    : Context(owner), spec_(std::move(spec)) {
  buffer_.resize(spec_.read_chunk == 0 ? 1 : spec_.read_chunk);
  result_.error_name = ErrorName;
}

bool AsyncRequest::OpenFailed(const char* call, DWORD error) {
  std::lock_guard lock(mu_);
  result_.error = error;
  result_.failed_call = call;
  phase_ = Phase::failed;
  finished_ = true;
  return false;
}

bool AsyncRequest::Open(HINTERNET connect) {
  HINTERNET h = OpenRequest(connect, spec_.verb.c_str(), spec_.target, spec_.transport);
  if (h == nullptr)
    return OpenFailed("WinHttpOpenRequest", GetLastError());
  if (!Bind(h)) {
    const DWORD error = GetLastError();
    WinHttpCloseHandle(h);
    return OpenFailed("WinHttpSetOption(WINHTTP_OPTION_CONTEXT_VALUE)", error);
  }
  if (prepare && !prepare(h)) {
    const DWORD error = GetLastError();
    OpenFailed("prepare", error ? error : ERROR_INVALID_PARAMETER);
    Close();
    return false;
  }
  return true;
}

// Opens the request and calls WinHttpSendRequest; false if either failed.
bool AsyncRequest::Send(HINTERNET connect) {
  if (!Open(connect))
    return false;
  phase_ = Phase::sending;
  const auto total = static_cast<DWORD>(spec_.body.size());
  if (WinHttpSendRequest(handle(), WINHTTP_NO_ADDITIONAL_HEADERS, 0, WINHTTP_NO_REQUEST_DATA, 0, total,
                         value()))
    return true;
  Fail("WinHttpSendRequest", GetLastError());
  return false;
}

bool AsyncRequest::Start(HINTERNET connect) {
  return Send(connect);
}

bool AsyncRequest::RunOnThisThread(HINTERNET connect, std::chrono::milliseconds step_bound) {
  thread_driven_ = true;
  if (!Send(connect)) {
    Close();  // nothing if the request was never opened
    return true;
  }
  HINTERNET h = handle();
  while (!finished_.load()) {
    std::pair<DWORD, DWORD> event;
    {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, step_bound, [&] { return !events_.empty(); }))
        return false;
      event = events_.front();
      events_.pop_front();
    }
    if (event.first == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR) {
      Fail("asynchronous completion (REQUEST_ERROR)", event.second);
    } else {
      Continue(h, event.first, event.second);
    }
  }
  Close();
  return true;
}

void AsyncRequest::OnStatus(void* h, unsigned long status, void* info, unsigned long length) {
  if (hook && hook(*this, h, status, info, length) == HookResult::skip)
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
    Fail("asynchronous completion (REQUEST_ERROR)", value);
    return;
  }
  Continue(h, status, value);
}

bool AsyncRequest::WriteNext(HINTERNET h) {
  const std::size_t at = written_;
  const auto n = static_cast<DWORD>(std::min(spec_.write_chunk, spec_.body.size() - at));
  written_ += n;
  phase_ = Phase::writing;
  if (!WinHttpWriteData(h, spec_.body.data() + at, n, nullptr)) {
    Fail("WinHttpWriteData", GetLastError());
    return false;
  }
  return true;
}

void AsyncRequest::Continue(HINTERNET h, DWORD status, DWORD value) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      if (written_ < spec_.body.size()) {
        WriteNext(h);
        return;
      }
      phase_ = Phase::receiving;
      if (!WinHttpReceiveResponse(h, nullptr))
        Fail("WinHttpReceiveResponse", GetLastError());
      return;
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE: {
      DWORD code = 0, size = sizeof(code);
      if (!WinHttpQueryHeaders(h, WINHTTP_QUERY_STATUS_CODE | WINHTTP_QUERY_FLAG_NUMBER,
                               WINHTTP_HEADER_NAME_BY_INDEX, &code, &size, WINHTTP_NO_HEADER_INDEX)) {
        Fail("WinHttpQueryHeaders", GetLastError());
        return;
      }
      {
        std::lock_guard lock(mu_);
        result_.status = code;
      }
      phase_ = Phase::querying;
      if (!WinHttpQueryDataAvailable(h, nullptr))
        Fail("WinHttpQueryDataAvailable", GetLastError());
      return;
    }
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE: {
      if (value == 0) {
        Finish();
        return;
      }
      const auto n = static_cast<DWORD>(std::min<std::size_t>(value, buffer_.size()));
      phase_ = Phase::reading;
      if (!WinHttpReadData(h, buffer_.data(), n, nullptr))
        Fail("WinHttpReadData", GetLastError());
      return;
    }
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      if (value == 0) {
        Finish();
        return;
      }
      {
        std::lock_guard lock(mu_);
        result_.body.append(buffer_.data(), std::min<std::size_t>(value, buffer_.size()));
      }
      phase_ = Phase::querying;
      if (!WinHttpQueryDataAvailable(h, nullptr))
        Fail("WinHttpQueryDataAvailable", GetLastError());
      return;
    default:
      return;
  }
}

void AsyncRequest::Finish() {
  {
    std::lock_guard lock(mu_);
    phase_ = Phase::done;
    finished_ = true;
  }
  Ended();
}

void AsyncRequest::Fail(const char* call, DWORD error) {
  {
    std::lock_guard lock(mu_);
    if (result_.error == 0) {
      result_.error = error;
      result_.failed_call = call;
    }
    phase_ = Phase::failed;
    finished_ = true;
  }
  Ended();
}

// A callback-driven request closes itself (close_when_done) and reports once.
void AsyncRequest::Ended() {
  cv_.notify_all();
  if (thread_driven_)
    return;
  if (close_when_done)
    Close();
  if (on_finished && !finish_reported_.exchange(true))
    on_finished(*this);
}

hc::Response AsyncRequest::result() const {
  std::lock_guard lock(mu_);
  return result_;
}

std::string AsyncRequest::Describe() const {
  static constexpr const char* kPhases[] = {"idle",     "sending", "writing", "receiving",
                                            "querying", "reading", "done",    "failed"};
  std::ostringstream out;
  out << hc::Narrow(spec_.verb) << " " << spec_.target << " [" << kPhases[static_cast<int>(phase_.load())]
      << "] " << result().Describe();
  if (error_api_.load() != 0)
    out << " in " << ApiName(error_api_.load());
  return out.str();
}

}  // namespace hc::winhttp
