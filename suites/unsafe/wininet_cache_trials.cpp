// Many threads on the same URLs through one session (WI-CACHE-OFF, WI-CONCURRENT-REQUESTS):
//  wi-cache-on   the cache on (HttpOpenRequest flags 0): contention on the cache, errors, wrong
//                bodies, responses served from the cache
//  wi-cache-off  safe: INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE, as documented
// Half of the URLs are cacheable (/cache/60: max-age 60, an echo of the request), half are
// pattern bodies (/bytes). Every request carries its own X-Req header: an echo that shows another
// request's X-Req was served from the cache. Each trial uses a fresh listener and URLs tagged with
// the run's seed, so nothing cached by an earlier run or trial can answer.
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <hc_protocol/body_pattern.h>
#include <nlohmann/json.hpp>

#include "hc/latch.h"
#include "hc/localserver.h"
#include "hc/wininet/context.h"
#include "hc/wininet/session.h"
#include "wininet_trials.h"

namespace hc::unsafe {
namespace {

constexpr std::size_t kBytes = 16384;

Outcome CacheContention(Trial& trial, bool cache_on) {
  hc::Scenario server("http", "unsafe-cache");
  const int threads = static_cast<int>(trial.IntArg("threads", 16));
  const int per_thread = static_cast<int>(trial.IntArg("requests", 4));
  const int urls = static_cast<int>(trial.IntArg("urls", 4));
  const std::string run = std::to_string(trial.seed());
  std::vector<std::string> paths;
  for (int j = 0; j < urls; ++j)
    paths.push_back(j % 2 == 0 ? "/cache/60?run=" + run + "&k=" + std::to_string(j)
                               : "/bytes/" + std::to_string(kBytes) + "?seed=" +
                                     std::to_string((trial.seed() + j) & 0xFFFFFFFFull) + "&run=" + run);
  auto connection = hc::OpenConnection(wininet::kApi, server.port(), {.timeout = kTrialCallBound});
  if (!connection)
    return HarnessError("InternetOpen/Connect");
  HINTERNET connect = connection.connect.get();
  const DWORD flags = cache_on ? 0 : wininet::kNoCacheFlags;

  std::atomic<int> errors{0}, bad{0}, from_cache{0};
  std::atomic<DWORD> first_error{0};
  hc::Latch start(threads);
  auto note_error = [&](DWORD e) {
    ++errors;
    DWORD none = 0;
    first_error.compare_exchange_strong(none, e);
  };
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::thread> gang;
  for (int t = 0; t < threads; ++t) {
    gang.emplace_back([&, t] {
      start.ArriveAndWait();
      for (int r = 0; r < per_thread; ++r) {
        const int j = (t + r) % urls;
        const std::string id = std::to_string(t) + "-" + std::to_string(r);
        HINTERNET request = wininet::OpenRequest(connect, "GET", paths[static_cast<std::size_t>(j)], flags);
        if (!request) {
          note_error(GetLastError());
          continue;
        }
        const std::string header = "X-Req: " + id + "\r\n";
        DWORD status = 0, size = sizeof(status);
        std::string body;
        bool ok =
            HttpSendRequestA(request, header.c_str(), static_cast<DWORD>(header.size()), nullptr, 0) &&
            HttpQueryInfoA(request, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &status, &size, nullptr);
        char buffer[8192];
        DWORD got = 0;
        while (ok) {
          if (!InternetReadFile(request, buffer, sizeof(buffer), &got)) {
            ok = false;
          } else if (got == 0) {
            break;
          } else {
            body.append(buffer, got);
          }
        }
        if (!ok)
          note_error(GetLastError());
        InternetCloseHandle(request);
        if (!ok)
          continue;
        if (status != 200) {
          ++bad;
        } else if (j % 2 == 1) {
          const std::uint64_t seed = (trial.seed() + static_cast<std::uint64_t>(j)) & 0xFFFFFFFFull;
          if (body.size() != kBytes || hc_protocol::FirstPatternMismatch(seed, body) != body.size())
            ++bad;
        } else {
          const auto echo = nlohmann::json::parse(body, nullptr, false);
          const std::string url = echo.is_object() ? echo.value("url", "") : "";
          const std::string& path = paths[static_cast<std::size_t>(j)];
          if (url.size() < path.size() || url.compare(url.size() - path.size(), path.size(), path) != 0) {
            ++bad;  // not the echo of this URL
          } else {
            const auto& headers = echo["headers"];
            if (!headers.is_object() || headers.value("X-Req", "") != id)
              ++from_cache;
          }
        }
      }
    });
  }
  for (auto& t : gang)
    t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  connection = {};
  const int sent = threads * per_thread;
  const int reached = server.Stats().value("requests", 0);

  trial.Note("requests", sent);
  trial.Note("reached_server", reached);
  trial.Note("errors", errors.load());
  trial.Note("bad_bodies", bad.load());
  trial.Note("from_cache", from_cache.load());
  trial.Note("request_us", static_cast<std::int64_t>(seconds * 1e6));
  const std::string seen = std::to_string(reached) + " of " + std::to_string(sent) + " reached the server";
  if (errors > 0)
    return {"error " + std::to_string(first_error.load()),
            std::to_string(errors.load()) + " failed; " + seen};
  if (bad > 0)
    return {"wrong body", std::to_string(bad.load()) + " wrong bodies; " + seen};
  if (!cache_on && reached != sent)
    return {"served from cache", seen};
  return Outcome::Success(cache_on ? (reached < sent ? "some from the cache" : "none from the cache") : "");
}

}  // namespace

void AddWinInetCachePatterns(Patterns& p) {
  p["wi-cache-on"] = [](Trial& t) { return CacheContention(t, true); };
  p["wi-cache-off"] = [](Trial& t) { return CacheContention(t, false); };
}

}  // namespace hc::unsafe
