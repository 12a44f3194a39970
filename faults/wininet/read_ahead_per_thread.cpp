// wi-read-ahead-per-thread: InternetReadFile on a synchronous session reads ahead per thread: it
// asks the real DLL for twice the bytes, returns what was asked and keeps the rest for the same
// thread's next read of that handle. One reader sees its body in order; readers that take turns
// on one handle (serialized, as documented) get it shuffled.
#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "kit.h"
#include "proxy.h"

namespace {
std::mutex g_mu;
std::map<std::pair<HINTERNET, DWORD>, std::string> g_ahead;  // (request, thread) -> bytes kept
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.closed = [](HINTERNET h, BOOL) {
    std::lock_guard lock(g_mu);
    for (auto it = g_ahead.begin(); it != g_ahead.end();)
      it = it->first.first == h ? g_ahead.erase(it) : std::next(it);
  };
}

extern "C" BOOL WINAPI hc_fault_InternetReadFile(HINTERNET h, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&InternetReadFile)>("InternetReadFile");
  const auto info = hc::fault::Info(h);
  if (info.kind != hc::fault::Kind::request || info.async || read == nullptr || size == 0)
    return real(h, buffer, size, read);
  const auto key = std::make_pair(h, GetCurrentThreadId());
  {
    std::lock_guard lock(g_mu);
    auto it = g_ahead.find(key);
    if (it != g_ahead.end() && !it->second.empty()) {
      const std::size_t n = std::min<std::size_t>(size, it->second.size());
      std::copy_n(it->second.data(), n, static_cast<char*>(buffer));
      it->second.erase(0, n);
      *read = static_cast<DWORD>(n);
      hc::fault::Fired();
      SetLastError(ERROR_SUCCESS);
      return TRUE;
    }
  }
  std::vector<char> twice(static_cast<std::size_t>(size) * 2);
  DWORD got = 0;
  const BOOL ok = real(h, twice.data(), static_cast<DWORD>(twice.size()), &got);
  if (!ok)
    return ok;
  const DWORD n = std::min(got, size);
  std::copy_n(twice.data(), n, static_cast<char*>(buffer));
  *read = n;
  if (got > n) {
    hc::fault::Fired();  // bytes kept back for this thread alone
    std::lock_guard lock(g_mu);
    g_ahead[key].append(twice.data() + n, got - n);
  }
  return ok;
}
