#include "bytegen.hpp"

namespace ls {

void gen_fill(std::uint64_t seed, std::uint64_t offset, char* out, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    out[k] = static_cast<char>(gen_byte(seed, offset + k));
  }
}

}  // namespace ls
