// "Asynchronous Operation" (003): "The status callback function receives notifications while it
// is processing a request. If needed, your application can use the information provided by that
// status callback function to keep the user informed about the progress of the operation."
// A /drip response sends its body a few bytes at a time over a known duration; a progress
// display fed by INTERNET_STATUS_RESPONSE_RECEIVED must see several updates while the body is
// still arriving, in order, and their byte counts must account for the whole body.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "hc/catalogue.h"
#include "wininet_test.h"

namespace {

using namespace std::chrono_literals;
using hc::wininet::AsyncRequest;

constexpr int kDripBytes = 16;
constexpr const char* kDripSeconds = "0.8";   // one byte every 50 ms
constexpr int kMinUpdatesDuringDownload = 4;  // progress updates while bytes are still missing
constexpr auto kProgressFinishBound = 15s;
constexpr auto kProgressClosingBound = 10s;

class WinInetAsyncProgress : public hc::wininet::SuiteTest {};

TEST_F(WinInetAsyncProgress, ResponseReceivedNotificationsTrackADripDownloadAsItArrives) {
  hc::Covers({"WI-ASYNC-PROGRESS", "WI-ASYNC-MODE"});
  ASSERT_TRUE(OpenCallbacks());

  const std::string target =
      "/drip?numbytes=" + std::to_string(kDripBytes) + "&duration=" + kDripSeconds + "&delay=0";
  auto* download = &client().owner().Make<AsyncRequest>(target);
  const DWORD started = download->Start(client().connect());
  EXPECT_TRUE(started == 0 || started == ERROR_IO_PENDING)
      << "HttpSendRequest: " << hc::wininet::ErrorName(started);
  ASSERT_TRUE(hc::AwaitFinished(*download, kProgressFinishBound));
  EXPECT_EQ(download->phase(), AsyncRequest::Phase::done) << download->Describe();
  EXPECT_EQ(download->result().status, 200u);
  EXPECT_EQ(download->result().body, std::string(kDripBytes, '*'));

  // The progress display: every RESPONSE_RECEIVED, with the body bytes the application held
  // when it arrived.
  std::vector<AsyncRequest::ProgressPoint> updates;
  for (const auto& p : download->progress())
    if (p.status == INTERNET_STATUS_RESPONSE_RECEIVED)
      updates.push_back(p);
  int during = 0;
  unsigned long long reported = 0;
  for (std::size_t i = 0; i < updates.size(); ++i) {
    if (updates[i].body_bytes < static_cast<std::size_t>(kDripBytes))
      ++during;
    reported += updates[i].value;
    if (i > 0) {
      EXPECT_GE(updates[i].t_us, updates[i - 1].t_us) << "update " << i << " out of order";
      EXPECT_GE(updates[i].body_bytes, updates[i - 1].body_bytes) << "update " << i << ": progress went back";
    }
  }
  EXPECT_GE(during, kMinUpdatesDuringDownload)
      << updates.size() << " RESPONSE_RECEIVED notifications, " << during
      << " of them before the whole body had arrived; notifications:\n"
      << client().recorder().Dump();
  EXPECT_GE(reported, static_cast<unsigned long long>(kDripBytes))
      << "RESPONSE_RECEIVED byte counts add up to " << reported << ", the body has " << kDripBytes;
  // "t ms: bytes reported / body bytes held", one per update, for the report.
  std::ostringstream shape;
  for (const auto& u : updates)
    shape << u.t_us / 1000 << "ms:" << u.value << "B/" << u.body_bytes << " ";
  RecordProperty("hc_progress_updates", shape.str());

  EXPECT_TRUE(hc::Retire(*download, kProgressClosingBound));
  EXPECT_TRUE(hc::Retire(client().connect_context(), kProgressClosingBound));
  EXPECT_TRUE(hc::ClosingIsLast(*download));
}

}  // namespace
