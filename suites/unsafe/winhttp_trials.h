#pragma once
// The WinHTTP trial program's patterns (unsafe_winhttp_trials.exe, see hc/trial_child.h) and the
// helpers they share. Every pattern comes in two forms: the documented-unsafe one and the safe one
// that replaces it, driven with the same randomized timing.
#include <windows.h>
#include <winhttp.h>

#include <map>
#include <string>

#include "hc/trial_child.h"

namespace hc::unsafe {

using trial::Context;
using trial::Outcome;
using Patterns = std::map<std::string, trial::TrialFn>;

// Each file registers its patterns.
void AddWinHttpClosePatterns(Patterns& p);      // sync close, use after close, double close
void AddWinHttpContextPatterns(Patterns& p);    // freeing the callback context
void AddWinHttpRequestPatterns(Patterns& p);    // two operations at once on one request
void AddWinHttpWebSocketPatterns(Patterns& p);  // WinHttpWebSocketClose during send/receive

// A session (sync or WINHTTP_FLAG_ASYNC) without proxy and with 2 s timeouts, so a stalled call
// ends as error 12002 rather than as a hang; nullptr on failure.
HINTERNET OpenWhSession(bool async);
// WinHttpConnect to 127.0.0.1:port.
HINTERNET ConnectWh(HINTERNET session, int port);
// "WINHTTP_CALLBACK_STATUS_..." without the prefix, or the number.
std::string WhStatusName(DWORD status);
std::wstring WidenAscii(const std::string& s);

// The pattern body every pattern reads: /stream-bytes/<size>?seed=<seed>&chunk_size=...
std::string StreamPath(std::uint64_t seed, std::size_t size, std::size_t chunk, int chunk_delay_ms);

}  // namespace hc::unsafe
