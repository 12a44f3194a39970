#pragma once
// An owned WinHTTP handle, closed with WinHttpCloseHandle when it goes.
#include <windows.h>
#include <winhttp.h>

#include <memory>

namespace hc::winhttp {

struct HandleCloser {
  void operator()(HINTERNET h) const noexcept { WinHttpCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

}  // namespace hc::winhttp
