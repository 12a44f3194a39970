#include "kit.h"

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "proxy.h"

namespace hc::fault::wininet {
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
std::array<std::atomic<INTERNET_STATUS_CALLBACK>, kTrampolines> g_app{};

void Dispatch(std::size_t k, HINTERNET h, DWORD_PTR context, DWORD status, LPVOID info, DWORD length) {
  const INTERNET_STATUS_CALLBACK app = g_app[k].load();
  if (app == nullptr)
    return;
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
constexpr std::array<INTERNET_STATUS_CALLBACK, kTrampolines> MakeTrampolines(std::index_sequence<K...>) {
  return {&Trampoline<K>...};
}
constexpr auto kTrampoline = MakeTrampolines(std::make_index_sequence<kTrampolines>());

INTERNET_STATUS_CALLBACK TrampolineFor(INTERNET_STATUS_CALLBACK app) {
  for (std::size_t k = 0; k < kTrampolines; ++k) {
    INTERNET_STATUS_CALLBACK expected = nullptr;
    if (g_app[k].load() == app || g_app[k].compare_exchange_strong(expected, app) || expected == app)
      return kTrampoline[k];
  }
  return nullptr;
}

INTERNET_STATUS_CALLBACK AppCallback(INTERNET_STATUS_CALLBACK real) {
  for (std::size_t k = 0; k < kTrampolines; ++k)
    if (real == kTrampoline[k])
      return g_app[k].load();
  return real;
}

INTERNET_STATUS_CALLBACK SetCallback(decltype(&InternetSetStatusCallbackA) real, HINTERNET h,
                                     INTERNET_STATUS_CALLBACK callback) {
  INTERNET_STATUS_CALLBACK installed = callback;
  if (callback != nullptr) {
    if (INTERNET_STATUS_CALLBACK t = TrampolineFor(callback); t != nullptr)
      installed = t;  // otherwise (16 distinct callbacks already) the application's own, untouched
  }
  const INTERNET_STATUS_CALLBACK previous = real(h, installed);
  return previous == INTERNET_INVALID_STATUS_CALLBACK ? previous : AppCallback(previous);
}

void RecordCreated(HINTERNET h, Kind kind, HINTERNET parent, bool async, std::string server) {
  const DWORD error = GetLastError();
  HandleInfo info;
  info.kind = kind;
  info.parent = parent;
  info.async = async;
  info.server = std::move(server);
  info.creator = GetCurrentThreadId();
  Record(h, std::move(info));
  SetLastError(error);
}

std::string Narrow(LPCWSTR s) {
  std::string out;
  for (; s != nullptr && *s != 0; ++s)
    out.push_back(*s < 0x80 ? static_cast<char>(*s) : '?');
  return out;
}

}  // namespace

HandleInfo Info(HINTERNET h) {
  std::lock_guard lock(g_mu);
  auto it = Table().find(h);
  return it == Table().end() ? HandleInfo{} : it->second;
}

int OpenChildren(HINTERNET h) {
  std::lock_guard lock(g_mu);
  int n = 0;
  for (const auto& [child, info] : Table())
    if (info.parent == h && !info.closed && info.kind != Kind::unknown)
      ++n;
  return n;
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

BOOL RealClose(HINTERNET h) {
  static const auto real = Real<decltype(&InternetCloseHandle)>("InternetCloseHandle");
  return real(h);
}

bool IsInformational(DWORD status) {
  return status != INTERNET_STATUS_REQUEST_COMPLETE && status != INTERNET_STATUS_HANDLE_CREATED &&
         status != INTERNET_STATUS_HANDLE_CLOSING;
}

}  // namespace hc::fault::wininet

using hc::fault::Real;
using namespace hc::fault::wininet;

extern "C" HINTERNET WINAPI hc_fault_InternetOpenA(LPCSTR agent, DWORD access, LPCSTR proxy, LPCSTR bypass,
                                                   DWORD flags) {
  static const auto real = Real<decltype(&InternetOpenA)>("InternetOpenA");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, (flags & INTERNET_FLAG_ASYNC) != 0, "");
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetOpenW(LPCWSTR agent, DWORD access, LPCWSTR proxy, LPCWSTR bypass,
                                                   DWORD flags) {
  static const auto real = Real<decltype(&InternetOpenW)>("InternetOpenW");
  HINTERNET h = real(agent, access, proxy, bypass, flags);
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, (flags & INTERNET_FLAG_ASYNC) != 0, "");
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectA(HINTERNET session, LPCSTR host, INTERNET_PORT port,
                                                      LPCSTR user, LPCSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&InternetConnectA)>("InternetConnectA");
  HINTERNET h = real(session, host, port, user, password, service, flags, context);
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async,
                  std::string(host ? host : "") + ":" + std::to_string(port));
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_InternetConnectW(HINTERNET session, LPCWSTR host, INTERNET_PORT port,
                                                      LPCWSTR user, LPCWSTR password, DWORD service,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&InternetConnectW)>("InternetConnectW");
  HINTERNET h = real(session, host, port, user, password, service, flags, context);
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async, Narrow(host) + ":" + std::to_string(port));
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestA(HINTERNET connect, LPCSTR verb, LPCSTR object,
                                                      LPCSTR version, LPCSTR referrer, LPCSTR* accept_types,
                                                      DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&HttpOpenRequestA)>("HttpOpenRequestA");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags, context);
  if (h != nullptr) {
    const HandleInfo parent = Info(connect);
    RecordCreated(h, Kind::request, connect, parent.async, parent.server);
  }
  return h;
}

extern "C" HINTERNET WINAPI hc_fault_HttpOpenRequestW(HINTERNET connect, LPCWSTR verb, LPCWSTR object,
                                                      LPCWSTR version, LPCWSTR referrer,
                                                      LPCWSTR* accept_types, DWORD flags, DWORD_PTR context) {
  static const auto real = Real<decltype(&HttpOpenRequestW)>("HttpOpenRequestW");
  HINTERNET h = real(connect, verb, object, version, referrer, accept_types, flags, context);
  if (h != nullptr) {
    const HandleInfo parent = Info(connect);
    RecordCreated(h, Kind::request, connect, parent.async, parent.server);
  }
  return h;
}

extern "C" BOOL WINAPI hc_fault_InternetCloseHandle(HINTERNET h) {
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

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallbackA(HINTERNET h,
                                                                               INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackA)>("InternetSetStatusCallbackA");
  return SetCallback(real, h, cb);
}

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallbackW(HINTERNET h,
                                                                               INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackW)>("InternetSetStatusCallbackW");
  return SetCallback(real, h, cb);
}

extern "C" INTERNET_STATUS_CALLBACK WINAPI hc_fault_InternetSetStatusCallback(HINTERNET h,
                                                                              INTERNET_STATUS_CALLBACK cb) {
  static const auto real = Real<decltype(&InternetSetStatusCallbackA)>("InternetSetStatusCallback");
  return SetCallback(real, h, cb);
}
