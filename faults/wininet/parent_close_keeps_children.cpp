// wi-parent-close-keeps-children: InternetCloseHandle of a connect handle with open request handles
// closes nothing below it: it returns TRUE, the requests stay valid and their operations go on,
// and the connect handle itself is closed only once the application has closed every request.
#include <mutex>
#include <set>

#include "kit.h"
#include "proxy.h"

extern "C" BOOL WINAPI hc_fault_InternetCloseHandle(HINTERNET h);  // the kit's

namespace {
std::mutex g_mu;
std::set<HINTERNET> g_deferred;  // connect handles whose close waits for their requests
}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.close = [](HINTERNET h, BOOL& result) {
    if (Info(h).kind != Kind::connect || OpenChildren(h) == 0)
      return false;
    {
      std::lock_guard lock(g_mu);
      g_deferred.insert(h);
    }
    Fired();
    SetLastError(ERROR_SUCCESS);
    result = TRUE;
    return true;
  };
  hooks.closed = [](HINTERNET h, BOOL) {
    const HINTERNET parent = Info(h).parent;
    {
      std::lock_guard lock(g_mu);
      if (parent == nullptr || g_deferred.count(parent) == 0 || OpenChildren(parent) > 0)
        return;
      g_deferred.erase(parent);
    }
    hc_fault_InternetCloseHandle(parent);  // through the kit, so that it is recorded as closed
  };
}
