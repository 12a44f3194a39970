// wh-readdata-bounce-buffer: a synchronous WinHttpReadData (the form with lpdwNumberOfBytesRead)
// passes the bytes through one process-wide bounce buffer, copied out after a race window: two
// requests read at once on different threads can get each other's bytes.
#include <windows.h>
#include <winhttp.h>

#include "bounce_buffer.h"
#include "proxy.h"

extern "C" BOOL WINAPI hc_fault_WinHttpReadData(HINTERNET request, LPVOID buffer, DWORD size, LPDWORD read) {
  static const auto real = hc::fault::Real<decltype(&WinHttpReadData)>("WinHttpReadData");
  if (read == nullptr || size > hc::fault::kBounceBufferSize)  // asynchronous form, or too big
    return real(request, buffer, size, read);
  return hc::fault::ReadThroughBounceBuffer(
      [&](void* own, DWORD n, LPDWORD got) { return real(request, own, n, got); }, buffer, size, read);
}
