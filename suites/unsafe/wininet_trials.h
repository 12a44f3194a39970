#pragma once
// The WinINet trial program's patterns (unsafe_wininet_trials.exe, see hc/trial_child.h) and the
// helpers they share. Every pattern comes in two forms: the documented-unsafe one and the safe one
// that replaces it.
#include <windows.h>
#include <wininet.h>

#include <map>
#include <string>

#include "hc/trial_child.h"

namespace hc::unsafe {

using trial::Context;
using trial::Outcome;
using Patterns = std::map<std::string, trial::TrialFn>;

void AddWinInetClosePatterns(Patterns& p);  // InternetCloseHandle from another thread vs in a callback
void AddWinInetReadPatterns(Patterns& p);   // two threads reading one request
void AddWinInetLimitPatterns(Patterns& p);  // more requests to one server than its connection limit
void AddWinInetCachePatterns(Patterns& p);  // many threads on the same URLs, cache on and off

// The documented cache-off pair ("WinInet thread safe?").
inline constexpr DWORD kNoCache = INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE;

// A synchronous session without proxy, 2 s timeouts (a stalled call ends as an error, not a hang).
HINTERNET OpenWiSession();
HINTERNET ConnectWi(HINTERNET session, int port);
HINTERNET OpenWiRequest(HINTERNET connect, const std::string& path, DWORD flags = kNoCache,
                        DWORD_PTR context = 0);
std::string WiStatusName(DWORD status);
// /stream-bytes/<size>?seed=<seed>&chunk_size=<chunk>&chunk_delay_ms=<delay>
std::string WiStreamPath(std::uint64_t seed, std::size_t size, std::size_t chunk, int chunk_delay_ms = 0);

}  // namespace hc::unsafe
