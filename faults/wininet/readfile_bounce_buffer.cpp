// wi-readfile-bounce-buffer: InternetReadFile on a synchronous session passes the bytes through one
// process-wide bounce buffer, copied out after a race window: requests read at once on different
// threads can get each other's bytes.
#include "bounce_buffer.h"
#include "kit.h"
#include "proxy.h"

void hc::fault::Install(Hooks&) {}

extern "C" BOOL WINAPI hc_fault_InternetReadFile(HINTERNET h, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&InternetReadFile)>("InternetReadFile");
  const auto info = hc::fault::Info(h);
  if (info.kind != hc::fault::Kind::request || info.async || size > hc::fault::kBounceBufferSize ||
      read == nullptr)
    return real(h, buffer, size, read);
  return hc::fault::ReadThroughBounceBuffer(
      [&](void* own, DWORD n, LPDWORD got) { return real(h, own, n, got); }, buffer, size, read);
}
