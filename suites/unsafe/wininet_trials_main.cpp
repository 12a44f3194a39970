// unsafe_wininet_trials.exe: the child process of the WinINet unsafe-pattern tests
// (wininet_unsafe_test.cpp); see hc::unsafe::TrialsMain.
#include "wininet_trials.h"

int main(int argc, char** argv) {
  using namespace hc::unsafe;
  return TrialsMain(argc, argv,
                    {AddWinInetClosePatterns, AddWinInetReadPatterns, AddWinInetLimitPatterns,
                     AddWinInetCachePatterns, AddWinInetDisputePatterns});
}
