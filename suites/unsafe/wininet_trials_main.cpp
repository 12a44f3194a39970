// unsafe_wininet_trials.exe: the child process of the WinINet unsafe-pattern tests
// (wininet_unsafe_test.cpp); see winhttp_trials_main.cpp for why it is a program of its own.
#include "wininet_trials.h"

int main(int argc, char** argv) {
  hc::unsafe::Patterns patterns;
  hc::unsafe::AddWinInetClosePatterns(patterns);
  hc::unsafe::AddWinInetReadPatterns(patterns);
  hc::unsafe::AddWinInetLimitPatterns(patterns);
  hc::unsafe::AddWinInetCachePatterns(patterns);
  return hc::trial::ChildMain(argc, argv, patterns);
}
