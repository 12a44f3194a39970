// wh-callback-cross-talk: cross-talk between handles. An informational notification of a request
// that arrives while another request's notification is being delivered on another thread is
// delivered with that other request's context (its own handle, the wrong context).
#include <mutex>

#include "kit.h"
#include "proxy.h"

namespace hc::fault::winhttp {
#include "cross_talk_hooks.inc"

void Install(Hooks& hooks) {
  InstallCrossTalk(hooks);
}
}  // namespace hc::fault::winhttp
