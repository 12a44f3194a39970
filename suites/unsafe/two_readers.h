#pragma once
// Two threads reading one request handle (WH-REQUEST-ONE-OP, WI-SERIALIZE-REQUEST): what each
// read, and the verdict on the pair. Shared by the WinHTTP and WinINet trial programs; only the
// read call differs between the APIs.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hc/trial_child.h"

namespace hc::unsafe {

struct BodyReader {
  std::vector<std::string> chunks;
  unsigned long error = 0;  // GetLastError() of the failed call (a DWORD)
  const char* failed_call = "";
  std::chrono::steady_clock::time_point eof_returned{};  // when this thread was told "end of body"
  bool eof = false;
  std::vector<std::chrono::steady_clock::time_point> data_started;  // start of each read that got data
};

// The outcome of a trial where readers a (first) and b (second) read a body of SIZE bytes of the
// pattern for SEED through READ_CALL: a damaged body first, then a premature end of body, then
// the first error, then bytes lost; else success.
trial::Outcome TwoReadersVerdict(std::uint64_t seed, std::size_t size, const BodyReader& a,
                                 const BodyReader& b, const char* read_call);

}  // namespace hc::unsafe
