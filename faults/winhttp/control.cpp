// wh-control: the kit with no hook. Every export forwarded, every notification through the
// trampoline, unchanged: the suites must pass with it exactly as without a proxy.
#include "kit.h"

void hc::fault::Install(Hooks&) {}
