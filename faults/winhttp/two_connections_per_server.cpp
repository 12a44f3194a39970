// wh-two-connections-per-server: a default limit WinHTTP does not have. With no
// WINHTTP_OPTION_MAX_CONNS_PER_SERVER set, at most two synchronous requests per server are between
// WinHttpSendRequest and the end of their response (last read or close); the others wait.
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include "kit.h"
#include "proxy.h"

namespace {

constexpr int kLimit = 2;
std::mutex g_mu;
std::condition_variable g_cv;
std::map<std::string, int> g_busy;          // server -> requests holding one of its two slots
std::map<HINTERNET, std::string> g_holds;   // request -> the server whose slot it holds
std::set<HINTERNET> g_capped_sessions;      // the application set its own cap on these

void Release(HINTERNET request) {
  {
    std::lock_guard lock(g_mu);
    auto it = g_holds.find(request);
    if (it == g_holds.end())
      return;
    --g_busy[it->second];
    g_holds.erase(it);
  }
  g_cv.notify_all();
}

}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL&) {
    Release(h);
    return false;
  };
}

using namespace hc::fault;

extern "C" BOOL WINAPI hc_fault_WinHttpSetOption(HINTERNET h, DWORD option, LPVOID buffer, DWORD length) {
  static const auto real = hc::fault::Real<decltype(&WinHttpSetOption)>("WinHttpSetOption");
  const BOOL ok = real(h, option, buffer, length);
  if (ok && option == WINHTTP_OPTION_MAX_CONNS_PER_SERVER) {
    std::lock_guard lock(g_mu);
    g_capped_sessions.insert(h);
  }
  return ok;
}

extern "C" BOOL WINAPI hc_fault_WinHttpSendRequest(HINTERNET request, LPCWSTR headers, DWORD headers_length,
                                                   LPVOID optional, DWORD optional_length, DWORD total_length,
                                                   DWORD_PTR context) {
  static const auto real = hc::fault::Real<decltype(&WinHttpSendRequest)>("WinHttpSendRequest");
  const HandleInfo i = Info(request);
  const HINTERNET session = Info(i.parent).parent;
  bool held = false;
  if (i.kind == Kind::request && !i.async) {
    std::unique_lock lock(g_mu);
    if (g_capped_sessions.count(session) == 0 && g_holds.count(request) == 0) {
      if (g_busy[i.server] >= kLimit) {
        hc::fault::Fired();
        g_cv.wait(lock, [&] { return g_busy[i.server] < kLimit; });
      }
      ++g_busy[i.server];
      g_holds[request] = i.server;
      held = true;
    }
  }
  const BOOL ok = real(request, headers, headers_length, optional, optional_length, total_length, context);
  if (!ok && held) {
    const DWORD error = GetLastError();
    Release(request);
    SetLastError(error);
  }
  return ok;
}

extern "C" BOOL WINAPI hc_fault_WinHttpReadData(HINTERNET request, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&WinHttpReadData)>("WinHttpReadData");
  const BOOL ok = real(request, buffer, size, read);
  if (ok && read != nullptr && *read == 0 && size > 0)
    Release(request);  // the whole response has been read
  return ok;
}
