#pragma once
// Small RAII and I/O helpers for the WinINet suites (wininet.h cannot share a translation unit
// with winhttp.h, so each API keeps its own helpers).
#include <windows.h>
#include <wininet.h>

#include <memory>
#include <string>

namespace hc::wininet {

struct HandleCloser {
  void operator()(HINTERNET h) const noexcept { InternetCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

struct Response {
  DWORD error = 0;  // GetLastError() of the first call that failed, 0 on success
  const char* failed_call = "";
  DWORD status = 0;
  std::string body;
  std::string Describe() const;
};

// Flags for requests that must reach the server every time (the documented cache-off pair).
inline constexpr DWORD kNoCacheFlags = INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;

// A session with no proxy (flags: 0 or INTERNET_FLAG_ASYNC).
Handle OpenSession(DWORD flags = 0);

// Synchronous request on connect with its own request handle (closed before return).
Response SyncRequest(HINTERNET connect, const char* verb, const std::string& path,
                     DWORD flags = kNoCacheFlags);

// Reads the whole body of a sent request (synchronous mode).
bool ReadAll(HINTERNET request, std::string& body, DWORD& error);

// A process-wide DWORD option (InternetQueryOption on a NULL handle, e.g.
// INTERNET_OPTION_MAX_CONNS_PER_SERVER). False with GetLastError() in error if the query failed.
bool QueryGlobalDword(DWORD option, DWORD& value, DWORD& error);

// Sets a process-wide DWORD option for the life of the object and restores the value it had
// (tests of one binary share the process). ok() says whether the set succeeded.
class ScopedGlobalDword {
 public:
  ScopedGlobalDword(DWORD option, DWORD value);
  ~ScopedGlobalDword();
  ScopedGlobalDword(const ScopedGlobalDword&) = delete;
  ScopedGlobalDword& operator=(const ScopedGlobalDword&) = delete;
  bool ok() const { return set_; }
  DWORD error() const { return error_; }
  DWORD original() const { return original_; }

 private:
  DWORD option_;
  DWORD original_ = 0;
  bool had_original_ = false;
  bool set_ = false;
  DWORD error_ = 0;
};

}  // namespace hc::wininet
