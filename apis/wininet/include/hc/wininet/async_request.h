#pragma once
// The asynchronous request driver, as "Asynchronous Operation" (003) describes it: a GET on an
// INTERNET_FLAG_ASYNC connection, HttpSendRequest -> REQUEST_COMPLETE -> status code ->
// InternetQueryDataAvailable / InternetReadFile until the end, each step taken on whichever thread
// delivered the completion. Calls on the request handle are serialized by the object (the
// pattern of WI-SERIALIZE-REQUEST).
//
//   auto& request = owner.Make<hc::wininet::AsyncRequest>("/bytes/100?seed=1");
//   request.Start(connect);  // ERROR_IO_PENDING: the callbacks do the rest
//   ... hc::AwaitFinished(request, bound) (hc/callback_checks.h), then request.result()
#include <windows.h>
#include <wininet.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "hc/response.h"
#include "hc/wininet/context.h"
#include "hc/wininet/session.h"

namespace hc::wininet {

class AsyncRequest : public Context {
 public:
  enum class Phase { created, sending, reading, done, failed, aborted };

  // A notification as the request saw it, for progress displays.
  struct ProgressPoint {
    DWORD status = 0;
    unsigned long long value = 0;  // as in the recorder
    std::size_t body_bytes = 0;    // body bytes the application had read when it arrived
    std::uint64_t t_us = 0;        // steady clock, microseconds since the request was made
  };

  AsyncRequest(hc::ContextOwner& owner, std::string target, DWORD flags = kNoCacheFlags,
               hc::RequestTransport transport = {});

  // HttpOpenRequest + HttpSendRequest on the calling thread. Returns 0 if HttpSendRequest
  // returned TRUE, else its GetLastError() (ERROR_IO_PENDING for a started asynchronous send).
  // The opening thread is remembered in start_thread().
  DWORD Start(HINTERNET connect);

  // From now on, the first notification `status` for this request in phase only_in_phase makes
  // the callback close the request handle (WI-ABORT-IN-CALLBACK) instead of continuing. Call
  // before Start.
  void CloseInCallbackOn(DWORD status, Phase only_in_phase);

  const std::string& target() const { return target_; }
  unsigned long start_thread() const { return start_thread_; }

  bool finished() const;  // done, failed or aborted
  Phase phase() const;
  hc::Response result() const;
  bool close_in_callback_result() const;  // InternetCloseHandle's return inside the callback
  unsigned long close_thread() const;
  std::vector<ProgressPoint> progress() const;
  std::string Describe() const override;

  void OnStatus(void* h, unsigned long status, void* info, unsigned long length) override;

 private:
  void Continue(HINTERNET h);  // read loop; io_mu_ held
  void ReadStatusCode(HINTERNET h);
  void Fail(const char* call, DWORD error);
  void Finish(Phase p);
  bool Ended() const;    // state_mu_ held
  bool Closing() const;  // state_mu_ held: the handle is being closed or is closed

  const std::string target_;
  const DWORD flags_;
  const hc::RequestTransport transport_;
  unsigned long start_thread_ = 0;
  std::chrono::steady_clock::time_point t0_;

  std::recursive_mutex io_mu_;  // serializes every call on the request handle
  std::vector<char> buffer_;
  DWORD pending_read_ = 0;  // written by an InternetReadFile that returned ERROR_IO_PENDING
  bool read_pending_ = false;

  // guarded by state_mu_
  mutable std::mutex state_mu_;
  Phase phase_ = Phase::created;
  hc::Response result_;
  DWORD close_on_ = 0;
  Phase close_phase_ = Phase::created;
  bool close_claimed_ = false;  // a callback took on closing the handle
  bool close_in_callback_result_ = false;
  unsigned long close_thread_ = 0;
  std::vector<ProgressPoint> progress_;
};

}  // namespace hc::wininet
