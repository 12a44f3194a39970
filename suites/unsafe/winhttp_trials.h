#pragma once
// The WinHTTP trial program's patterns (unsafe_winhttp_trials.exe, see hc/trial_child.h). Every
// pattern comes in two forms: the documented-unsafe one and the safe one that replaces it, driven
// with the same randomized timing. The API calls around them are apis/winhttp's.
#include "patterns.h"

namespace hc::unsafe {

// Each file registers its patterns.
void AddWinHttpClosePatterns(Patterns& p);      // sync close, use after close, double close
void AddWinHttpContextPatterns(Patterns& p);    // freeing the callback context
void AddWinHttpRequestPatterns(Patterns& p);    // two operations at once on one request
void AddWinHttpWebSocketPatterns(Patterns& p);  // WinHttpWebSocketClose during send/receive
void AddWinHttpWrapperPatterns(Patterns& p);    // what wrapper libraries do; options needing a fresh process

}  // namespace hc::unsafe
