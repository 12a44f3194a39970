// unsafe_winhttp_trials.exe: the child process of the WinHTTP unsafe-pattern tests
// (winhttp_unsafe_test.cpp); see hc::unsafe::TrialsMain.
#include "winhttp_trials.h"

int main(int argc, char** argv) {
  using namespace hc::unsafe;
  return TrialsMain(argc, argv,
                    {AddWinHttpClosePatterns, AddWinHttpContextPatterns, AddWinHttpRequestPatterns,
                     AddWinHttpWebSocketPatterns, AddWinHttpWrapperPatterns});
}
