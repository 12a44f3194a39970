// /delay, /drip, /stream-bytes, /chunked-abort, /hold: endpoints about time.
// Bodies are application/octet-stream; every wait notices a client that left.
#include "bytegen.hpp"
#include "conn_context.hpp"
#include "endpoints.hpp"
#include "json_util.hpp"
#include "params.hpp"

#include <algorithm>
#include <chrono>

namespace ls {

using nlohmann::json;
using std::chrono::milliseconds;

namespace {

constexpr std::int64_t kMaxDelayMs = 60000;
// Status for a request whose client went away (nginx's convention; logged only).
constexpr int kClientGone = 499;

bool finish_if_interrupted(SleepResult r, httplib::Response& res) {
  if (r == SleepResult::client_gone) {
    res.status = kClientGone;
    return true;
  }
  if (r == SleepResult::stopping) {
    send_error(res, 503, "scenario stopping");
    return true;
  }
  return false;
}

void send_octets_json(httplib::Response& res, const json& j, int status = 200) {
  res.status = status;
  res.set_content(dump(j), "application/octet-stream");
}

}  // namespace

namespace endpoint {

void delay(const httplib::Request& req, httplib::Response& res, const std::string& rest) {
  auto ms = parse_int(rest, 0, kMaxDelayMs, "delay ms");
  auto t0 = Clock::now();
  if (finish_if_interrupted(cancel_aware_sleep(milliseconds(ms)), res)) {
    return;
  }
  json j = echo_request(req);
  j["delay_ms"] = ms;
  j["waited_ms"] = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  send_octets_json(res, j);
}

void drip(const httplib::Request& req, httplib::Response& res, const std::string&) {
  auto numbytes = int_param(req, "numbytes", 10, 0, 10ll * 1024 * 1024);
  auto duration_ms =
      req.has_param("duration") ? parse_seconds_ms(req.get_param_value("duration"), 60, "duration") : 2000;
  auto delay_ms = req.has_param("delay") ? parse_seconds_ms(req.get_param_value("delay"), 60, "delay") : 2000;
  auto code = static_cast<int>(int_param(req, "code", 200, 200, 599));
  if (duration_ms + delay_ms > kMaxDelayMs) {
    throw BadRequest("duration + delay exceeds 60 seconds");
  }
  if (finish_if_interrupted(cancel_aware_sleep(milliseconds(delay_ms)), res)) {
    return;
  }
  res.status = code;
  if (numbytes == 0) {
    res.set_header("Content-Type", "application/octet-stream");
    return;
  }
  auto n = static_cast<std::size_t>(numbytes);
  auto start = Clock::now();
  // Byte k is due at start + duration * (k + 1) / n: each call writes what is due,
  // sleeping until at least one byte is.
  res.set_content_provider(
      n, "application/octet-stream", [n, duration_ms, start](size_t offset, size_t, httplib::DataSink& sink) {
        auto due_at = [&](size_t k) {
          return start +
                 milliseconds(duration_ms * static_cast<std::int64_t>(k + 1) / static_cast<std::int64_t>(n));
        };
        auto wait = due_at(offset) - Clock::now();
        if (wait > Clock::duration::zero()) {
          auto r = cancel_aware_sleep(std::chrono::duration_cast<milliseconds>(wait) + milliseconds(1));
          if (r != SleepResult::done) {
            return false;
          }
        }
        size_t k = offset;
        auto now = Clock::now();
        while (k < n && due_at(k) <= now && k - offset < 65536) {
          ++k;
        }
        k = std::max(k, offset + 1);
        std::string stars(k - offset, '*');
        return sink.write(stars.data(), stars.size());
      });
}

void stream_bytes(const httplib::Request& req, httplib::Response& res, const std::string& rest) {
  auto n = static_cast<std::size_t>(parse_int(rest, 0, kMaxBody, "n"));
  auto chunk = static_cast<std::size_t>(int_param(req, "chunk_size", 10240, 1, 1024 * 1024));
  auto delay_ms = int_param(req, "chunk_delay_ms", 0, 0, 10000);
  auto seed = static_cast<std::uint64_t>(int_param(req, "seed", 0, 0, 0xffffffffll));
  std::int64_t chunks = static_cast<std::int64_t>((n + chunk - 1) / chunk);
  if (chunks > 1 && (chunks - 1) * delay_ms > kMaxDelayMs) {
    throw BadRequest("chunk_delay_ms * chunks exceeds 60 seconds");
  }
  res.status = 200;
  res.set_chunked_content_provider("application/octet-stream", [=](size_t offset, httplib::DataSink& sink) {
    if (offset >= n) {
      sink.done();
      return true;
    }
    if (offset > 0 && delay_ms > 0 && cancel_aware_sleep(milliseconds(delay_ms)) != SleepResult::done) {
      return false;
    }
    std::string buf(std::min(chunk, n - offset), '\0');
    gen_fill(seed, offset, buf.data(), buf.size());
    return sink.write(buf.data(), buf.size());
  });
}

void chunked_abort(const httplib::Request& req, httplib::Response& res, const std::string&) {
  auto after = static_cast<std::size_t>(int_param(req, "after", 1024, 0, kMaxBody));
  res.status = 200;
  res.set_chunked_content_provider("application/octet-stream",
                                   [after](size_t offset, httplib::DataSink& sink) {
                                     if (offset >= after) {
                                       return false;  // no terminating chunk: the connection just ends
                                     }
                                     std::string buf(std::min<size_t>(65536, after - offset), '\0');
                                     gen_fill(0, offset, buf.data(), buf.size());
                                     return sink.write(buf.data(), buf.size());
                                   });
}

void hold(const httplib::Request& req, httplib::Response& res, const std::string& gate) {
  if (!valid_name(gate)) {
    throw BadRequest("gate name must match [A-Za-z0-9_.-]{1,64}");
  }
  auto timeout_ms = int_param(req, "timeout_ms", 30000, 0, kMaxDelayMs);
  ConnContext* ctx = current_conn();
  if (!ctx || !ctx->state) {
    send_error(res, 500, "hold outside a scenario");
    return;
  }
  auto t0 = Clock::now();
  auto r = ctx->state->park(gate, t0 + milliseconds(timeout_ms), [] { return client_gone_now(); });
  double waited = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  switch (r) {
    case ScenarioState::ParkResult::released: {
      json j = echo_request(req);
      j["gate"] = gate;
      j["released"] = true;
      j["waited_ms"] = waited;
      send_octets_json(res, j);
      break;
    }
    case ScenarioState::ParkResult::timeout:
      res.status = 504;
      res.set_content(dump({{"error", "hold timeout: gate '" + gate + "' not released within " +
                                          std::to_string(timeout_ms) + " ms"}}),
                      "application/octet-stream");
      break;
    case ScenarioState::ParkResult::stopping:
      send_error(res, 503, "scenario stopping");
      break;
    case ScenarioState::ParkResult::client_gone:
      res.status = kClientGone;
      break;
  }
}

}  // namespace endpoint

}  // namespace ls
