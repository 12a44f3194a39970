#include "params.hpp"

#include <httplib.h>

#include <charconv>
#include <cmath>

namespace ls {

std::int64_t parse_int(const std::string& text, std::int64_t lo, std::int64_t hi, const std::string& what) {
  std::int64_t v = 0;
  const char* b = text.data();
  const char* e = b + text.size();
  auto [p, ec] = std::from_chars(b, e, v);
  if (text.empty() || ec != std::errc() || p != e) {
    throw BadRequest(what + ": not an integer: '" + text.substr(0, 32) + "'");
  }
  if (v < lo || v > hi) {
    throw BadRequest(what + ": " + text + " out of range [" + std::to_string(lo) + ", " + std::to_string(hi) +
                     "]");
  }
  return v;
}

std::int64_t parse_seconds_ms(const std::string& text, double hi_s, const std::string& what) {
  // Only digits and one dot: no exponents, signs, inf or nan.
  bool dot = false;
  bool digit = false;
  for (char c : text) {
    if (c == '.' && !dot) {
      dot = true;
    } else if (c >= '0' && c <= '9') {
      digit = true;
    } else {
      throw BadRequest(what + ": not a number of seconds: '" + text.substr(0, 32) + "'");
    }
  }
  if (!digit || text.size() > 20) {
    throw BadRequest(what + ": not a number of seconds: '" + text.substr(0, 32) + "'");
  }
  double s = std::stod(text);
  if (s < 0 || s > hi_s) {
    throw BadRequest(what + ": " + text + " out of range [0, " + std::to_string(static_cast<int>(hi_s)) +
                     "] seconds");
  }
  return static_cast<std::int64_t>(std::llround(s * 1000.0));
}

std::int64_t int_param(const httplib::Request& req, const std::string& name, std::int64_t def,
                       std::int64_t lo, std::int64_t hi) {
  if (!req.has_param(name)) {
    return def;
  }
  return parse_int(req.get_param_value(name), lo, hi, name);
}

bool valid_name(const std::string& s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '.' || c == '-';
    if (!ok) {
      return false;
    }
  }
  return true;
}

}  // namespace ls
