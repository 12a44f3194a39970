// Strict, bounded parsing of request parameters: anything out of range or
// malformed becomes a BadRequest, which the dispatcher turns into a 400.
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>

namespace httplib {
struct Request;
}

namespace ls {

struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Decimal integer in [lo, hi]; `what` names the parameter in the error.
std::int64_t parse_int(const std::string& text, std::int64_t lo, std::int64_t hi, const std::string& what);

// Decimal number of seconds (e.g. "1.5") in [0, hi_s]; returns milliseconds.
std::int64_t parse_seconds_ms(const std::string& text, double hi_s, const std::string& what);

// Query parameter `name` parsed as parse_int, or `def` when absent.
std::int64_t int_param(const httplib::Request& req, const std::string& name, std::int64_t def,
                       std::int64_t lo, std::int64_t hi);

// Gate names and similar identifiers: [A-Za-z0-9_.-]{1,64}.
bool valid_name(const std::string& s);

}  // namespace ls
