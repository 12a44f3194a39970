#pragma once
// The fault of a call that takes its arguments through process-wide variables: each caller stores
// its own, a race window lets other threads in, and the call goes on with what is there then. One
// caller at a time sees no difference; callers at once can get each other's arguments.
#include <atomic>
#include <cstddef>
#include <tuple>
#include <utility>

#include "proxy.h"

namespace hc::fault {

template <class... T>
class SharedScratch {
 public:
  // Stores `mine`, opens the race window, and returns what the variables hold then (fired when
  // that is not `mine`).
  std::tuple<T...> Pass(T... mine) { return Pass(std::index_sequence_for<T...>(), mine...); }

 private:
  template <std::size_t... I>
  std::tuple<T...> Pass(std::index_sequence<I...>, T... mine) {
    (std::get<I>(slots_).store(mine), ...);
    RaceWindow();
    const std::tuple<T...> used{std::get<I>(slots_).load()...};
    if (used != std::tuple<T...>(mine...))
      Fired();
    return used;
  }

  std::tuple<std::atomic<T>...> slots_;
};

}  // namespace hc::fault
