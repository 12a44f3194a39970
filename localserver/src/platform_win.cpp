#include "detach_wait.hpp"
#include "platform.hpp"

#include <windows.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

namespace ls::platform {

namespace {

std::atomic<bool> g_stop{false};
HANDLE g_done = nullptr;  // set when cleanup finished

BOOL WINAPI on_console_event(DWORD type) {
  g_stop = true;
  if (type == CTRL_CLOSE_EVENT || type == CTRL_LOGOFF_EVENT || type == CTRL_SHUTDOWN_EVENT) {
    // Windows ends the process when this returns: give cleanup a bounded chance.
    if (g_done) {
      WaitForSingleObject(g_done, 4500);
    }
  }
  return TRUE;
}

extern "C" void on_signal(int) {
  g_stop = true;
}

// Quotes one argument for CommandLineToArgvW / the CRT parser.
std::string quote(const std::string& a) {
  if (!a.empty() && a.find_first_of(" \t\"") == std::string::npos) {
    return a;
  }
  std::string out = "\"";
  size_t slashes = 0;
  for (char c : a) {
    if (c == '\\') {
      ++slashes;
    } else if (c == '"') {
      out.append(slashes * 2 + 1, '\\');
      slashes = 0;
    } else {
      out.append(slashes, '\\');
      slashes = 0;
    }
    if (c != '\\') {
      out += c;
    }
  }
  out.append(slashes * 2, '\\');
  out += '"';
  return out;
}

// Closes a handle at scope exit.
class Handle {
 public:
  explicit Handle(HANDLE h) : h_(h) {}
  ~Handle() {
    if (valid()) {
      CloseHandle(h_);
    }
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  bool valid() const { return h_ != nullptr && h_ != INVALID_HANDLE_VALUE; }
  HANDLE get() const { return h_; }

 private:
  HANDLE h_;
};

// An inheritable handle for the child's standard streams: NUL, or the log file opened for appending.
HANDLE open_inheritable(const char* path, DWORD access, DWORD disposition) {
  SECURITY_ATTRIBUTES sa{};
  sa.nLength = sizeof sa;
  sa.bInheritHandle = TRUE;
  return CreateFileA(path, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, &sa, disposition,
                     FILE_ATTRIBUTE_NORMAL, nullptr);
}

}  // namespace

void install_stop_handlers() {
  g_done = CreateEventA(nullptr, TRUE, FALSE, nullptr);
  SetConsoleCtrlHandler(on_console_event, TRUE);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
}

bool stop_requested() {
  return g_stop;
}

void shutdown_complete() {
  if (g_done) {
    SetEvent(g_done);
  }
}

long long current_pid() {
  return static_cast<long long>(GetCurrentProcessId());
}

bool process_alive(long long pid) {
  HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, static_cast<DWORD>(pid));
  if (!h) {
    return false;
  }
  bool alive = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
  CloseHandle(h);
  return alive;
}

bool redirect_output(const std::string& log_file) {
  // freopen_s may report success with a null stream (Wine's msvcrt, for a process without a
  // console): only a stream that exists counts.
  FILE* f1 = nullptr;
  FILE* f2 = nullptr;
  return freopen_s(&f1, log_file.c_str(), "a", stdout) == 0 && f1 != nullptr &&
         freopen_s(&f2, log_file.c_str(), "a", stderr) == 0 && f2 != nullptr;
}

int detach(const std::vector<std::string>& child_args, const std::string& port_file,
           const std::string& log_file) {
  char exe[MAX_PATH * 4];
  DWORD n = GetModuleFileNameA(nullptr, exe, sizeof exe);
  if (n == 0 || n >= sizeof exe) {
    std::fprintf(stderr, "localserver: cannot find own executable\n");
    return 1;
  }
  std::string cmd = quote(exe);
  for (const auto& a : child_args) {
    cmd += " " + quote(a);
  }
  // The child gets its standard streams at creation: a DETACHED_PROCESS has no console, and the C
  // runtime of a process started without standard handles cannot always reopen stdout later.
  Handle in(open_inheritable("NUL", GENERIC_READ, OPEN_EXISTING));
  Handle out(log_file.empty() ? open_inheritable("NUL", GENERIC_WRITE, OPEN_EXISTING)
                              : open_inheritable(log_file.c_str(), FILE_APPEND_DATA, OPEN_ALWAYS));
  if (!in.valid() || !out.valid()) {
    std::fprintf(stderr, "localserver: cannot open %s for the detached server (%lu)\n",
                 log_file.empty() ? "NUL" : log_file.c_str(), GetLastError());
    return 1;
  }
  // Only these two handles are inherited: none of the launcher's (its pipes close when it exits).
  HANDLE inherited[] = {in.get(), out.get()};
  SIZE_T size = 0;
  InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
  std::vector<unsigned char> attr_storage(size);
  auto* attrs = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(attr_storage.data());
  if (!InitializeProcThreadAttributeList(attrs, 1, 0, &size)) {
    std::fprintf(stderr, "localserver: InitializeProcThreadAttributeList failed (%lu)\n", GetLastError());
    return 1;
  }
  bool created = false;
  PROCESS_INFORMATION pi{};
  if (UpdateProcThreadAttribute(attrs, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited, sizeof inherited,
                                nullptr, nullptr)) {
    STARTUPINFOEXA si{};
    si.StartupInfo.cb = sizeof si;
    si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    si.StartupInfo.hStdInput = in.get();
    si.StartupInfo.hStdOutput = out.get();
    si.StartupInfo.hStdError = out.get();
    si.lpAttributeList = attrs;
    created = CreateProcessA(nullptr, cmd.data(), nullptr, nullptr, TRUE,
                             DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP | EXTENDED_STARTUPINFO_PRESENT,
                             nullptr, nullptr, &si.StartupInfo, &pi) != FALSE;
  }
  DWORD error = GetLastError();
  DeleteProcThreadAttributeList(attrs);
  if (!created) {
    std::fprintf(stderr, "localserver: CreateProcess failed (%lu)\n", error);
    return 1;
  }
  CloseHandle(pi.hThread);
  int rc = wait_for_port_file(port_file, static_cast<long long>(pi.dwProcessId),
                              [&pi] { return WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0; });
  CloseHandle(pi.hProcess);
  return rc;
}

}  // namespace ls::platform
