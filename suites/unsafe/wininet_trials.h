#pragma once
// The WinINet trial program's patterns (unsafe_wininet_trials.exe, see hc/trial_child.h). Every
// pattern comes in two forms: the documented-unsafe one and the safe one that replaces it. The
// API calls around them are apis/wininet's.
#include "patterns.h"

namespace hc::unsafe {

// Each file registers its patterns.
void AddWinInetClosePatterns(Patterns& p);  // InternetCloseHandle from another thread vs in a callback
void AddWinInetReadPatterns(Patterns& p);   // two threads reading one request
void AddWinInetLimitPatterns(Patterns& p);  // more requests to one server than its connection limit
void AddWinInetCachePatterns(Patterns& p);  // many threads on the same URLs, cache on and off
void AddWinInetDisputePatterns(
    Patterns& p);  // close windows, handle reuse, released buffers, one shared connect

}  // namespace hc::unsafe
