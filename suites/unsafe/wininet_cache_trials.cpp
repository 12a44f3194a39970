// Many threads on the same URLs through one session (WI-CACHE-OFF, WI-CONCURRENT-REQUESTS):
//  wi-cache-on   the cache on (HttpOpenRequest flags 0): contention on the cache, errors, wrong
//                bodies, responses served from the cache
//  wi-cache-off  safe: INTERNET_FLAG_RELOAD | INTERNET_FLAG_NO_CACHE_WRITE, as documented
// Half of the URLs are cacheable (/cache/60: max-age 60, an echo of the request), half are
// pattern bodies (/bytes). Each trial uses a fresh listener and URLs tagged with the run's seed,
// so nothing cached by an earlier run or trial can answer. A warm-up request per URL, alone,
// gives the cache something to serve before the threads start.
//
// What came from the cache is counted by sequence, not guessed from timing: the server stamps
// every response it sends with X-Request-Seq, unique per scenario, so a response whose sequence
// number another response also carries is a stored copy. Every copy must be byte for byte the
// response it copies; the one response of a sequence number that the server sent to that
// request (its echo names the request's own X-Req) must be right for its URL. With the cache on,
// a trial where nothing came from the cache did not exercise it ("cache not exercised"); with
// the cache off, nothing may come from it and no cache entry may be written.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <set>
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

struct Fetched {
  int url = 0;
  std::string id;  // the request's X-Req
  bool ok = false;
  DWORD error = 0;
  DWORD status = 0;
  std::uint64_t seq = 0;  // X-Request-Seq, 0 if absent
  std::string body;
};

std::uint64_t RequestSeq(HINTERNET request) {
  char value[64] = "X-Request-Seq";
  DWORD size = sizeof(value) - 1;
  if (!HttpQueryInfoA(request, HTTP_QUERY_CUSTOM, value, &size, nullptr))
    return 0;
  return std::strtoull(value, nullptr, 10);
}

Fetched Fetch(HINTERNET connect, const std::string& path, DWORD flags, int url, const std::string& id) {
  Fetched f;
  f.url = url;
  f.id = id;
  HINTERNET request = wininet::OpenRequest(connect, "GET", path, flags);
  if (!request) {
    f.error = GetLastError();
    return f;
  }
  const std::string header = "X-Req: " + id + "\r\n";
  DWORD size = sizeof(f.status);
  f.ok = HttpSendRequestA(request, header.c_str(), static_cast<DWORD>(header.size()), nullptr, 0) &&
         HttpQueryInfoA(request, HTTP_QUERY_STATUS_CODE | HTTP_QUERY_FLAG_NUMBER, &f.status, &size, nullptr);
  char buffer[8192];
  DWORD got = 0;
  while (f.ok) {
    if (!InternetReadFile(request, buffer, sizeof(buffer), &got)) {
      f.ok = false;
    } else if (got == 0) {
      break;
    } else {
      f.body.append(buffer, got);
    }
  }
  if (!f.ok)
    f.error = GetLastError();
  else
    f.seq = RequestSeq(request);
  InternetCloseHandle(request);
  return f;
}

// "" if the body is the server's answer for URL j to the request with this X-Req (echo) or the
// pattern of URL j; otherwise what is wrong.
std::string OriginProblem(const Fetched& f, const std::string& path, std::uint64_t pattern_seed,
                          bool echo_url, bool must_be_own) {
  if (!echo_url) {
    if (f.body.size() != kBytes || hc_protocol::FirstPatternMismatch(pattern_seed, f.body) != f.body.size())
      return "not the pattern of its URL";
    return "";
  }
  const auto echo = nlohmann::json::parse(f.body, nullptr, false);
  const std::string url = echo.is_object() ? echo.value("url", "") : "";
  if (url.size() < path.size() || url.compare(url.size() - path.size(), path.size(), path) != 0)
    return "not the echo of its URL";
  if (must_be_own) {
    const auto headers =
        echo.is_object() ? echo.value("headers", nlohmann::json::object()) : nlohmann::json();
    if (!headers.is_object() || headers.value("X-Req", "") != f.id)
      return "the echo of another request";
  }
  return "";
}

// How many of the URLs have an entry in the WinINet cache.
int CachedUrls(const hc::Scenario& server, const std::vector<std::string>& paths) {
  int cached = 0;
  for (const auto& path : paths) {
    const std::string url = server.url(path);
    DWORD size = 0;
    if (GetUrlCacheEntryInfoA(url.c_str(), nullptr, &size) || GetLastError() == ERROR_INSUFFICIENT_BUFFER)
      ++cached;
  }
  return cached;
}

Outcome CacheContention(Trial& trial, bool cache_on) {
  hc::Scenario server("http", "unsafe-cache");
  const int threads = static_cast<int>(trial.IntArg("threads", 4));
  const int per_thread = static_cast<int>(trial.IntArg("requests", 2));
  const int urls = static_cast<int>(trial.IntArg("urls", 2));
  const std::string run = std::to_string(trial.seed());
  std::vector<std::string> paths;
  std::vector<std::uint64_t> pattern_seed;
  for (int j = 0; j < urls; ++j) {
    pattern_seed.push_back((trial.seed() + static_cast<std::uint64_t>(j)) & 0xFFFFFFFFull);
    paths.push_back(j % 2 == 0 ? "/cache/60?run=" + run + "&k=" + std::to_string(j)
                               : "/bytes/" + std::to_string(kBytes) +
                                     "?seed=" + std::to_string(pattern_seed.back()) + "&run=" + run);
  }
  auto connection = hc::OpenConnection(wininet::kApi, server.port(), {.timeout = kTrialCallBound});
  if (!connection)
    return HarnessError("InternetOpen/Connect");
  HINTERNET connect = connection.connect.get();
  const DWORD flags = cache_on ? 0 : wininet::kNoCacheFlags;

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Fetched> fetched;
  trial.Stage("main", "warm-up");
  for (int j = 0; j < urls; ++j)
    fetched.push_back(
        Fetch(connect, paths[static_cast<std::size_t>(j)], flags, j, "warm-" + std::to_string(j)));
  std::mutex mu;
  hc::Latch start(threads);
  std::vector<std::thread> gang;
  trial.Stage("main", "threads");
  for (int t = 0; t < threads; ++t) {
    gang.emplace_back([&, t] {
      start.ArriveAndWait();
      for (int r = 0; r < per_thread; ++r) {
        const int j = (t + r) % urls;
        auto f = Fetch(connect, paths[static_cast<std::size_t>(j)], flags, j,
                       std::to_string(t) + "-" + std::to_string(r));
        std::lock_guard lock(mu);
        fetched.push_back(std::move(f));
      }
    });
  }
  for (auto& t : gang)
    t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  trial.Stage("main", "checking");
  connection = {};
  const int cached_urls = CachedUrls(server, paths);
  const int reached = server.Stats().value("requests", 0);

  // Group the responses by sequence number: a group of more than one is a response and its copies.
  int errors = 0, bad = 0, from_cache = 0;
  DWORD first_error = 0;
  std::string first_bad;
  std::map<std::uint64_t, std::vector<const Fetched*>> by_seq;
  auto wrong = [&](const std::string& what) {
    if (bad++ == 0)
      first_bad = what;
  };
  for (const auto& f : fetched) {
    if (!f.ok) {
      if (errors++ == 0)
        first_error = f.error;
    } else if (f.status != 200) {
      wrong("status " + std::to_string(f.status));
    } else if (f.seq == 0) {
      wrong("no X-Request-Seq");
    } else {
      by_seq[f.seq].push_back(&f);
    }
  }
  for (const auto& [seq, group] : by_seq) {
    const Fetched& any = *group.front();
    const auto j = static_cast<std::size_t>(any.url);
    from_cache += static_cast<int>(group.size()) - 1;
    if (std::any_of(group.begin(), group.end(), [&](const Fetched* f) { return f->url != any.url; })) {
      wrong("one response (seq " + std::to_string(seq) + ") for two URLs");
      continue;
    }
    if (std::any_of(group.begin(), group.end(), [&](const Fetched* f) { return f->body != any.body; })) {
      wrong("a copy of the response with seq " + std::to_string(seq) + " differs from it");
      continue;
    }
    // The one request the server answered: for an echo, the one whose X-Req it names.
    const bool echo_url = j % 2 == 0;
    if (const auto problem = OriginProblem(any, paths[j], pattern_seed[j], echo_url, false);
        !problem.empty()) {
      wrong("seq " + std::to_string(seq) + ": " + problem);
    } else if (echo_url && std::count_if(group.begin(), group.end(), [&](const Fetched* f) {
                             return OriginProblem(*f, paths[j], pattern_seed[j], true, true).empty();
                           }) != 1) {
      wrong("seq " + std::to_string(seq) + ": the echo of none of the requests that got it");
    }
  }
  const int sent = static_cast<int>(fetched.size());
  const int from_server = static_cast<int>(by_seq.size());

  trial.Note("requests", sent);
  trial.Note("reached_server", reached);
  trial.Note("answered_by_server", from_server);
  trial.Note("errors", errors);
  trial.Note("bad_bodies", bad);
  trial.Note("from_cache", from_cache);
  trial.Note("cached_urls", cached_urls);
  trial.Note("request_us", static_cast<std::int64_t>(seconds * 1e6));
  const std::string seen = std::to_string(from_cache) + " of " + std::to_string(sent) + " from the cache, " +
                           std::to_string(reached) + " reached the server, " + std::to_string(cached_urls) +
                           " of " + std::to_string(urls) + " URLs in the cache";
  if (errors > 0)
    return {"error " + std::to_string(first_error), std::to_string(errors) + " failed; " + seen};
  if (bad > 0)
    return {"wrong body", std::to_string(bad) + " wrong (first: " + first_bad + "); " + seen};
  if (from_server > reached)
    return {"harness error", "more responses from the server than it counted; " + seen};
  if (!cache_on) {
    if (from_cache > 0 || reached != sent)
      return {"served from cache", seen};
    if (cached_urls > 0)
      return {"cache written", seen};
    return Outcome::Success("");
  }
  if (from_cache == 0)
    return {"cache not exercised", seen};
  return Outcome::Success("some from the cache");
}

}  // namespace

void AddWinInetCachePatterns(Patterns& p) {
  p["wi-cache-on"] = [](Trial& t) { return CacheContention(t, true); };
  p["wi-cache-off"] = [](Trial& t) { return CacheContention(t, false); };
}

}  // namespace hc::unsafe
