#pragma once
// An owned WinINet handle, closed with InternetCloseHandle when it goes.
#include <windows.h>
#include <wininet.h>

#include <memory>

namespace hc::wininet {

struct HandleCloser {
  void operator()(HINTERNET h) const noexcept { InternetCloseHandle(h); }
};
using Handle = std::unique_ptr<void, HandleCloser>;

}  // namespace hc::wininet
