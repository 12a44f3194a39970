#pragma once
// What every fault proxy DLL shares, whatever its API: the real DLL loaded from the system
// directory by full path, the thunks' slots filled from it, a marker line that proves to the
// runner which fault each process loaded, and the count of times the fault changed something.
// Neither winhttp.h nor wininet.h is included here (they cannot share a translation unit).
#include <windows.h>

#include <cstddef>
#include <string>
#include <type_traits>

namespace hc::fault {

struct Export {
  const char* name;  // nullptr: exported by ordinal only
  unsigned ordinal;
};
// Generated per API by gen_forwarder.py (<api>_exports.cpp), in the thunks' order.
extern const wchar_t kRealDll[];
extern const Export kExports[];
extern const std::size_t kExportCount;

// This DLL's fault id (faults/faults.json).
const char* Id();

// The real DLL's export `name`; a missing one ends the process with a message.
FARPROC RealProc(const char* name);
template <class F>
F Real(const char* name) {
  // Through void (*)(): the one function pointer type every other converts to without a warning.
  return reinterpret_cast<F>(reinterpret_cast<void (*)()>(RealProc(name)));
}

// The A or W export of one call (`a` or `w`, of type A or W), after the character type of its
// strings: one template serves both exports.
template <class Char, class A, class W>
using AorW = std::conditional_t<std::is_same_v<Char, char>, A, W>;
template <class Char, class A, class W>
AorW<Char, A, W> RealAorW(const char* a, const char* w) {
  return Real<AorW<Char, A, W>>(std::is_same_v<Char, char> ? a : w);
}

// The fault changed what the application sees: counted, and reported in the marker file (a line
// "event=fired t=<Unix ms> count=<n>" at most every 100 ms, and the total when the process ends),
// so that the runner can tell whether it acted while a given test ran.
void Fired();
long FiredCount();

// Appends "hc-fault fault=<id> event=<event> pid=<pid> <detail> exe=<path>" to the file named by
// HC_FAULT_MARKER (nothing if it is not set). One WriteFile per line, in append mode.
void Mark(const char* event, const std::string& detail);

// Lets other threads run inside a race window the fault opens on purpose.
void RaceWindow();

// The lost wake-up of both APIs: true (drop this completion, counted as fired) for one completion
// in every `every`, the first after every - 1 that arrives while `concurrent` holds.
bool DropOneCompletionIn(unsigned every, bool concurrent);

}  // namespace hc::fault
