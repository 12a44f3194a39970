#include "kit.h"

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "proxy.h"

namespace hc::fault::winhttp {
namespace {

Hooks& TheHooks() {
  static Hooks hooks = [] {
    Hooks h;
    Install(h);
    return h;
  }();
  return hooks;
}

std::mutex g_mu;
std::atomic<int> g_open_requests{0};
std::unordered_map<HINTERNET, HandleInfo>& Table() {
  static auto* table = new std::unordered_map<HINTERNET, HandleInfo>();  // outlives every callback
  return *table;
}

void Record(HINTERNET h, HandleInfo info) {
  if (info.kind == Kind::request)
    ++g_open_requests;
  std::lock_guard lock(g_mu);
  Table()[h] = std::move(info);  // a reused handle value gets its new record
}

thread_local int t_depth = 0;
thread_local const Notification* t_current = nullptr;

// Application callbacks, one per trampoline: children inherit their parent's callback, so each
// distinct application callback needs a trampoline of its own that knows where to go.
constexpr std::size_t kTrampolines = 16;
std::array<std::atomic<WINHTTP_STATUS_CALLBACK>, kTrampolines> g_app{};

void Dispatch(std::size_t k, HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  const WINHTTP_STATUS_CALLBACK app = g_app[k].load();
  if (app == nullptr)
    return;
  {
    std::lock_guard lock(g_mu);
    auto it = Table().find(h);
    if (it != Table().end()) {
      it->second.trampoline = static_cast<int>(k);
      it->second.context = context;
    }
  }
  const Deliver deliver = [app](const Notification& n) {
    app(n.handle, n.context, n.status, n.info, n.length);
  };
  Notification n{h, context, status, info, length};
  const Notification* outer = t_current;
  ++t_depth;
  t_current = &n;
  const Hooks& hooks = TheHooks();
  if (!hooks.notify || hooks.notify(n, deliver)) {
    deliver(n);
    if (hooks.delivered)
      hooks.delivered(n);
  }
  t_current = outer;
  --t_depth;
}

template <std::size_t K>
void CALLBACK Trampoline(HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  Dispatch(K, h, context, status, info, length);
}

template <std::size_t... K>
constexpr std::array<WINHTTP_STATUS_CALLBACK, kTrampolines> MakeTrampolines(std::index_sequence<K...>) {
  return {&Trampoline<K>...};
}
constexpr auto kTrampoline = MakeTrampolines(std::make_index_sequence<kTrampolines>());

// The trampoline for app (claiming a free one), or nullptr when all are taken.
WINHTTP_STATUS_CALLBACK TrampolineFor(WINHTTP_STATUS_CALLBACK app) {
  for (std::size_t k = 0; k < kTrampolines; ++k) {
    WINHTTP_STATUS_CALLBACK expected = nullptr;
    if (g_app[k].load() == app || g_app[k].compare_exchange_strong(expected, app) || expected == app)
      return kTrampoline[k];
  }
  return nullptr;
}

// What the application set, for a callback pointer the real DLL returned.
WINHTTP_STATUS_CALLBACK AppCallback(WINHTTP_STATUS_CALLBACK real) {
  for (std::size_t k = 0; k < kTrampolines; ++k)
    if (real == kTrampoline[k])
      return g_app[k].load();
  return real;
}

std::wstring ServerKey(LPCWSTR host, INTERNET_PORT port) {
  return std::wstring(host ? host : L"") + L":" + std::to_wstring(port);
}

}  // namespace

HandleInfo Info(HINTERNET h) {
  std::lock_guard lock(g_mu);
  auto it = Table().find(h);
  return it == Table().end() ? HandleInfo{} : it->second;
}

bool Below(HINTERNET h, HINTERNET ancestor) {
  std::lock_guard lock(g_mu);
  for (int depth = 0; h != nullptr && depth < 4; ++depth) {
    if (h == ancestor)
      return true;
    auto it = Table().find(h);
    h = it == Table().end() ? nullptr : it->second.parent;
  }
  return false;
}

bool DeliverNow(HINTERNET h, DWORD status, void* info, DWORD length) {
  const HandleInfo i = Info(h);
  if (i.trampoline < 0)
    return false;
  const WINHTTP_STATUS_CALLBACK app = g_app[static_cast<std::size_t>(i.trampoline)].load();
  if (app == nullptr)
    return false;
  app(h, i.context, status, info, length);
  return true;
}

BOOL RealClose(HINTERNET h) {
  static const auto real = Real<decltype(&WinHttpCloseHandle)>("WinHttpCloseHandle");
  return real(h);
}

int OpenRequests() {
  return g_open_requests.load();
}

bool InCallback() {
  return t_depth > 0;
}

const Notification* CurrentNotification() {
  return t_current;
}

bool IsCompletion(DWORD status) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE:
    case WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE:
      return true;
    default:
      return false;
  }
}

bool IsInformational(DWORD status) {
  return !IsCompletion(status) && status != WINHTTP_CALLBACK_STATUS_HANDLE_CREATED &&
         status != WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING;
}

}  // namespace hc::fault::winhttp

using hc::fault::Real;
using namespace hc::fault::winhttp;

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpen(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                 DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpen)>("WinHttpOpen");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr) {
    HandleInfo info;
    info.kind = Kind::session;
    info.async = (flags & WINHTTP_FLAG_ASYNC) != 0;
    info.creator = GetCurrentThreadId();
    Record(h, info);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpConnect(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                    DWORD reserved) {
  static const auto real = Real<decltype(&WinHttpConnect)>("WinHttpConnect");
  HINTERNET h = real(session, host, port, reserved);
  if (h != nullptr) {
    const DWORD error = GetLastError();
    HandleInfo info;
    info.kind = Kind::connect;
    info.parent = session;
    info.async = Info(session).async;
    info.server = ServerKey(host, port);
    info.creator = GetCurrentThreadId();
    Record(h, info);
    SetLastError(error);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpOpenRequest(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                        LPCWSTR version, LPCWSTR referrer,
                                                        LPCWSTR* accept_types, DWORD flags) {
  static const auto real = Real<decltype(&WinHttpOpenRequest)>("WinHttpOpenRequest");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags);
  if (h != nullptr) {
    const DWORD error = GetLastError();
    const HandleInfo parent = Info(connect);
    HandleInfo info;
    info.kind = Kind::request;
    info.parent = connect;
    info.async = parent.async;
    info.server = parent.server;
    info.creator = GetCurrentThreadId();
    Record(h, info);
    SetLastError(error);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_WinHttpWebSocketCompleteUpgrade(HINTERNET request, DWORD_PTR context) {
  static const auto real =
      Real<decltype(&WinHttpWebSocketCompleteUpgrade)>("WinHttpWebSocketCompleteUpgrade");
  HINTERNET h = real(request, context);
  if (h != nullptr) {
    const DWORD error = GetLastError();
    const HandleInfo parent = Info(request);
    HandleInfo info;
    info.kind = Kind::websocket;
    info.parent = request;
    info.async = parent.async;
    info.server = parent.server;
    info.creator = GetCurrentThreadId();
    Record(h, info);
    SetLastError(error);
  }
  return h;
}

extern "C" BOOL WINAPI hc_fault_WinHttpCloseHandle(HINTERNET h) {
  const Hooks& hooks = TheHooks();
  BOOL result = FALSE;
  if (hooks.close && hooks.close(h, result))
    return result;
  {
    std::lock_guard lock(g_mu);
    auto it = Table().find(h);
    if (it != Table().end() && !it->second.closed) {
      it->second.closed = true;
      if (it->second.kind == Kind::request)
        --g_open_requests;
    }
  }
  const BOOL closed = RealClose(h);
  if (hooks.closed) {
    const DWORD error = GetLastError();
    hooks.closed(h, closed);
    SetLastError(error);
  }
  return closed;
}

extern "C" WINHTTP_STATUS_CALLBACK WINAPI hc_fault_WinHttpSetStatusCallback(HINTERNET h,
                                                                            WINHTTP_STATUS_CALLBACK callback,
                                                                            DWORD flags, DWORD_PTR reserved) {
  static const auto real = Real<decltype(&WinHttpSetStatusCallback)>("WinHttpSetStatusCallback");
  WINHTTP_STATUS_CALLBACK installed = callback;
  if (callback != nullptr) {
    if (WINHTTP_STATUS_CALLBACK t = TrampolineFor(callback); t != nullptr)
      installed = t;  // otherwise (16 distinct callbacks already) the application's own, untouched
  }
  const WINHTTP_STATUS_CALLBACK previous = real(h, installed, flags, reserved);
  const DWORD error = GetLastError();
  if (callback == nullptr && previous != WINHTTP_INVALID_STATUS_CALLBACK && TheHooks().callback_removed)
    TheHooks().callback_removed(h);
  SetLastError(error);
  return previous == WINHTTP_INVALID_STATUS_CALLBACK ? previous : AppCallback(previous);
}
