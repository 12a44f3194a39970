#include "proxy.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>

// The thunks (<api>_thunks.S / .asm) jump through these; filled once, before any export is called.
extern "C" void (*hc_fwd_slots[])();

namespace hc::fault {
namespace {

HMODULE g_real = nullptr;
std::atomic<long> g_fired{0};
std::atomic<long long> g_last_mark{0};  // when Fired() last wrote a line (Unix ms)

long long UnixMillis() {
  FILETIME ft;
  GetSystemTimeAsFileTime(&ft);
  const unsigned long long ticks =
      (static_cast<unsigned long long>(ft.dwHighDateTime) << 32) | ft.dwLowDateTime;
  return static_cast<long long>(ticks / 10000ULL) - 11644473600000LL;  // 100 ns since 1601 -> ms since 1970
}

std::string Utf8(const wchar_t* s) {
  const int n = WideCharToMultiByte(CP_UTF8, 0, s, -1, nullptr, 0, nullptr, nullptr);
  std::string out(n > 0 ? static_cast<std::size_t>(n) : 1, '\0');
  if (n > 0)
    WideCharToMultiByte(CP_UTF8, 0, s, -1, out.data(), n, nullptr, nullptr);
  out.resize(out.size() - 1);  // the terminating zero
  return out;
}

[[noreturn]] void Die(const std::string& message) {
  const std::string text = "hc-fault " + std::string(Id()) + ": " + message + "\n";
  DWORD written = 0;
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), text.data(), static_cast<DWORD>(text.size()), &written, nullptr);
  OutputDebugStringA(text.c_str());
  Mark("died", "");
  TerminateProcess(GetCurrentProcess(), 0xC0000139);  // STATUS_ENTRYPOINT_NOT_FOUND
  std::abort();
}

bool Attach(HMODULE self) {
  wchar_t dir[MAX_PATH];
  const UINT n = GetSystemDirectoryW(dir, MAX_PATH);
  if (n == 0 || n >= MAX_PATH) {
    Mark("attach", "real=error:GetSystemDirectory");
    return false;
  }
  const std::wstring path = std::wstring(dir, n) + L"\\" + kRealDll;
  g_real = LoadLibraryExW(path.c_str(), nullptr, 0);
  if (g_real == nullptr || g_real == self) {
    Mark("attach",
         "real=error:" + std::to_string(g_real ? 0 : GetLastError()) + " path=" + Utf8(path.c_str()));
    return false;  // the process fails to start: a fault that did not load can never look "survived"
  }
  std::size_t resolved = 0;
  for (std::size_t i = 0; i < kExportCount; ++i) {
    const Export& e = kExports[i];
    const FARPROC p = GetProcAddress(g_real, e.name ? e.name : MAKEINTRESOURCEA(e.ordinal));
    if (p != nullptr) {
      hc_fwd_slots[i] = reinterpret_cast<void (*)()>(p);
      ++resolved;
    } else {
      hc_fwd_slots[i] = [] { Die("an export the real DLL does not have was called"); };
    }
  }
  Mark("attach", "real=" + Utf8(path.c_str()) + " resolved=" + std::to_string(resolved) + "/" +
                     std::to_string(kExportCount));
  return true;
}

}  // namespace

FARPROC RealProc(const char* name) {
  const FARPROC p = g_real ? GetProcAddress(g_real, name) : nullptr;
  if (p == nullptr)
    Die(std::string("the real DLL has no ") + name);
  return p;
}

void Fired() {
  const long n = g_fired.fetch_add(1) + 1;
  // At most one line per 100 ms: enough for the runner to tell in which test the fault acted.
  const long long now = UnixMillis();
  long long last = g_last_mark.load();
  if (now - last >= 100 && g_last_mark.compare_exchange_strong(last, now))
    Mark("fired", "t=" + std::to_string(now) + " count=" + std::to_string(n));
}

long FiredCount() {
  return g_fired.load();
}

void Mark(const char* event, const std::string& detail) {
  wchar_t marker[MAX_PATH];
  const DWORD n = GetEnvironmentVariableW(L"HC_FAULT_MARKER", marker, MAX_PATH);
  if (n == 0 || n >= MAX_PATH)
    return;
  wchar_t exe[MAX_PATH];
  const DWORD e = GetModuleFileNameW(nullptr, exe, MAX_PATH);
  const std::string line = "hc-fault fault=" + std::string(Id()) + " event=" + event +
                           " pid=" + std::to_string(GetCurrentProcessId()) + (detail.empty() ? "" : " ") +
                           detail + " exe=" + (e ? Utf8(exe) : std::string("?")) + "\n";
  HANDLE h = CreateFileW(marker, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         nullptr, OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE)
    return;
  DWORD written = 0;
  WriteFile(h, line.data(), static_cast<DWORD>(line.size()), &written, nullptr);
  CloseHandle(h);
}

void RaceWindow() {
  SwitchToThread();
}

bool DropOneCompletionIn(unsigned every, bool concurrent) {
  static std::atomic<unsigned> completions{0};
  if (++completions < every || !concurrent)
    return false;
  completions = 0;
  Fired();
  return true;
}

}  // namespace hc::fault

extern "C" BOOL WINAPI DllMain(HINSTANCE self, DWORD reason, LPVOID) {
  if (reason == DLL_PROCESS_ATTACH) {
    DisableThreadLibraryCalls(self);
    return hc::fault::Attach(self) ? TRUE : FALSE;
  }
  if (reason == DLL_PROCESS_DETACH)
    hc::fault::Mark("detach", "fired=" + std::to_string(hc::fault::FiredCount()));
  return TRUE;
}
