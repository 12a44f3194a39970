// unsafe_winhttp_trials.exe: the child process of the WinHTTP unsafe-pattern tests
// (winhttp_unsafe_test.cpp). A separate small program rather than the test binary re-executed:
// the suites share one GoogleTest main (hc_test_main), and the child then carries no GoogleTest
// state, only the pattern code and hc/trial_child.h's loop.
#include "winhttp_trials.h"

int main(int argc, char** argv) {
  hc::unsafe::Patterns patterns;
  hc::unsafe::AddWinHttpClosePatterns(patterns);
  hc::unsafe::AddWinHttpContextPatterns(patterns);
  hc::unsafe::AddWinHttpRequestPatterns(patterns);
  hc::unsafe::AddWinHttpWebSocketPatterns(patterns);
  return hc::trial::ChildMain(argc, argv, patterns);
}
