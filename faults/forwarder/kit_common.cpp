#include "kit_common.h"

#include "proxy.h"

#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>
#include <utility>

namespace hc::fault {
namespace {

std::mutex g_mu;
std::atomic<int> g_open_requests{0};
std::unordered_map<Handle, HandleInfo>& Table() {
  static auto* table = new std::unordered_map<Handle, HandleInfo>();  // outlives every callback
  return *table;
}

thread_local int t_depth = 0;
thread_local const Notification* t_current = nullptr;

// Application callbacks, one per trampoline: children inherit their parent's callback, so each
// distinct application callback needs a trampoline of its own that knows where to go.
constexpr std::size_t kTrampolines = 16;
std::array<std::atomic<StatusCallback>, kTrampolines> g_app{};

void Dispatch(std::size_t k, Handle h, DWORD_PTR context, DWORD status, void* info, DWORD length) {
  const StatusCallback app = g_app[k].load();
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
void CALLBACK Trampoline(Handle h, DWORD_PTR context, DWORD status, void* info, DWORD length) {
  Dispatch(K, h, context, status, info, length);
}

template <std::size_t... K>
constexpr std::array<StatusCallback, kTrampolines> MakeTrampolines(std::index_sequence<K...>) {
  return {&Trampoline<K>...};
}
constexpr auto kTrampoline = MakeTrampolines(std::make_index_sequence<kTrampolines>());

// The trampoline for app (claiming a free one), or nullptr when all are taken.
StatusCallback TrampolineFor(StatusCallback app) {
  for (std::size_t k = 0; k < kTrampolines; ++k) {
    StatusCallback expected = nullptr;
    if (g_app[k].load() == app || g_app[k].compare_exchange_strong(expected, app) || expected == app)
      return kTrampoline[k];
  }
  return nullptr;
}

// What the application set, for a callback pointer the real DLL returned.
StatusCallback AppCallback(StatusCallback real) {
  for (std::size_t k = 0; k < kTrampolines; ++k)
    if (real == kTrampoline[k])
      return g_app[k].load();
  return real;
}

// A handle the real DLL created (keeps the last error as it was).
void RecordCreated(Handle h, Kind kind, Handle parent, bool async, std::string server) {
  const DWORD error = GetLastError();
  HandleInfo info;
  info.kind = kind;
  info.parent = parent;
  info.async = async;
  info.server = std::move(server);
  info.creator = GetCurrentThreadId();
  if (kind == Kind::request)
    ++g_open_requests;
  {
    std::lock_guard lock(g_mu);
    Table()[h] = std::move(info);  // a reused handle value gets its new record
  }
  SetLastError(error);
}

}  // namespace

const Hooks& TheHooks() {
  static const Hooks hooks = [] {
    Hooks h;
    Install(h);
    return h;
  }();
  return hooks;
}

HandleInfo Info(Handle h) {
  std::lock_guard lock(g_mu);
  auto it = Table().find(h);
  return it == Table().end() ? HandleInfo{} : it->second;
}

bool Below(Handle h, Handle ancestor) {
  std::lock_guard lock(g_mu);
  for (int depth = 0; h != nullptr && depth < 4; ++depth) {
    if (h == ancestor)
      return true;
    auto it = Table().find(h);
    h = it == Table().end() ? nullptr : it->second.parent;
  }
  return false;
}

int OpenChildren(Handle h) {
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

bool DeliverNow(Handle h, DWORD status, void* info, DWORD length) {
  const HandleInfo i = Info(h);
  if (i.trampoline < 0)
    return false;
  const StatusCallback app = g_app[static_cast<std::size_t>(i.trampoline)].load();
  if (app == nullptr)
    return false;
  app(h, i.context, status, info, length);
  return true;
}

bool InCallback() {
  return t_depth > 0;
}

const Notification* CurrentNotification() {
  return t_current;
}

bool IsInformational(DWORD status) {
  return !IsCompletion(status) && status != kApi.handle_created && status != kApi.handle_closing;
}

BOOL RealClose(Handle h) {
  static const auto real = Real<BOOL(WINAPI*)(Handle)>(kApi.close);
  return real(h);
}

Handle CreatedSession(Handle h, bool async) {
  if (h != nullptr)
    RecordCreated(h, Kind::session, nullptr, async, "");
  return h;
}

Handle CreatedConnection(Handle h, Handle session, const char* host, unsigned port) {
  if (h != nullptr)
    RecordCreated(h, Kind::connect, session, Info(session).async,
                  std::string(host ? host : "") + ":" + std::to_string(port));
  return h;
}

Handle CreatedConnection(Handle h, Handle session, const wchar_t* host, unsigned port) {
  if (h == nullptr)
    return h;
  std::string narrow;
  for (; host != nullptr && *host != 0; ++host)
    narrow.push_back(*host < 0x80 ? static_cast<char>(*host) : '?');
  return CreatedConnection(h, session, narrow.c_str(), port);
}

Handle CreatedChild(Handle h, Kind kind, Handle parent) {
  if (h != nullptr) {
    const HandleInfo info = Info(parent);
    RecordCreated(h, kind, parent, info.async, info.server);
  }
  return h;
}

BOOL CloseThroughKit(Handle h) {
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

StatusCallback SetCallbackThroughKit(Handle h, StatusCallback callback, StatusCallback invalid,
                                     const std::function<StatusCallback(StatusCallback)>& set) {
  StatusCallback installed = callback;
  if (callback != nullptr) {
    if (StatusCallback t = TrampolineFor(callback); t != nullptr)
      installed = t;  // otherwise (16 distinct callbacks already) the application's own, untouched
  }
  const StatusCallback previous = set(installed);
  const DWORD error = GetLastError();
  if (callback == nullptr && previous != invalid && TheHooks().callback_removed)
    TheHooks().callback_removed(h);
  SetLastError(error);
  return previous == invalid ? previous : AppCallback(previous);
}

}  // namespace hc::fault
