#include "scenario.hpp"

namespace ls {

std::unique_ptr<Scenario> make_ws_scenario(const std::string &, const std::string &, const std::string &) {
  return nullptr; // not yet implemented
}

} // namespace ls
