#include "detach_wait.hpp"
#include "platform.hpp"

#include <windows.h>

#include <atomic>
#include <csignal>
#include <cstdio>

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
  FILE* f1 = nullptr;
  FILE* f2 = nullptr;
  return freopen_s(&f1, log_file.c_str(), "a", stdout) == 0 &&
         freopen_s(&f2, log_file.c_str(), "a", stderr) == 0;
}

int detach(const std::vector<std::string>& child_args, const std::string& port_file, const std::string&) {
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
  STARTUPINFOA si{};
  si.cb = sizeof si;
  PROCESS_INFORMATION pi{};
  // No inherited handles and no console: the launcher's pipes close when it exits.
  if (!CreateProcessA(nullptr, cmd.data(), nullptr, nullptr, FALSE,
                      DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP, nullptr, nullptr, &si, &pi)) {
    std::fprintf(stderr, "localserver: CreateProcess failed (%lu)\n", GetLastError());
    return 1;
  }
  CloseHandle(pi.hThread);
  int rc = wait_for_port_file(port_file, static_cast<long long>(pi.dwProcessId),
                              [&pi] { return WaitForSingleObject(pi.hProcess, 0) == WAIT_OBJECT_0; });
  CloseHandle(pi.hProcess);
  return rc;
}

}  // namespace ls::platform
