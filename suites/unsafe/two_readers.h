#pragma once
// Two threads reading one request handle (WH-REQUEST-ONE-OP, WI-SERIALIZE-REQUEST): the trial,
// what each thread read, and the verdict on the pair. Shared by the WinHTTP and WinINet trial
// programs; only the calls differ between the APIs.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "hc/read_all.h"
#include "patterns.h"

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

// How the two readers use the request: send (the first thread, before it reads; false with
// first.error and first.failed_call set when a call failed) and read (one read call).
struct TwoReadersCalls {
  std::function<bool(BodyReader& first)> send;
  hc::ReadCall read;
  const char* read_call;  // the read function's name, for the verdict
};

// The trial: the first thread sends and reads, the second starts reading max_delay_us (the
// pattern's argument, default_max_delay_us unless given) at most after it; with serialized every
// call is made under one lock (the send and the first receive included). Read sizes are random.
trial::Outcome RunTwoReaders(Trial& trial, bool serialized, std::uint64_t seed, std::size_t size,
                             std::int64_t default_max_delay_us, const TwoReadersCalls& calls);

}  // namespace hc::unsafe
