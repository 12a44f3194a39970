#pragma once
// The bounce-buffer fault of both APIs: a read whose bytes pass through one process-wide buffer,
// copied out after a race window, so that reads on different threads at once can get each other's
// bytes.
#include <windows.h>

#include <cstddef>
#include <functional>

namespace hc::fault {

inline constexpr std::size_t kBounceBufferSize = 64 * 1024;

// read_into(own, size, read) is the real read into the fault's own buffer; its bytes reach
// `buffer` through the shared bounce buffer. size must be at most kBounceBufferSize.
BOOL ReadThroughBounceBuffer(const std::function<BOOL(void* own, DWORD size, LPDWORD read)>& read_into,
                             void* buffer, DWORD size, LPDWORD read);

}  // namespace hc::fault
