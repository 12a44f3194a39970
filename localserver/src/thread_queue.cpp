#include "thread_queue.hpp"

#include <algorithm>

namespace ls {

ThreadPerTaskQueue::~ThreadPerTaskQueue() {
  shutdown();
}

void ThreadPerTaskQueue::reap_locked() {
  if (finished_.empty()) {
    return;
  }
  for (auto it = threads_.begin(); it != threads_.end();) {
    auto f = std::find(finished_.begin(), finished_.end(), it->get_id());
    if (f != finished_.end()) {
      it->join();  // the thread has returned from its task; join is immediate
      finished_.erase(f);
      it = threads_.erase(it);
    } else {
      ++it;
    }
  }
}

void ThreadPerTaskQueue::enqueue(std::function<void()> fn) {
  std::lock_guard lk(mu_);
  reap_locked();
  threads_.emplace_back([this, fn = std::move(fn)] {
    fn();
    std::lock_guard inner(mu_);
    finished_.push_back(std::this_thread::get_id());
  });
}

void ThreadPerTaskQueue::shutdown() {
  for (;;) {
    std::list<std::thread> batch;
    {
      std::lock_guard lk(mu_);
      if (threads_.empty()) {
        finished_.clear();
        return;
      }
      batch.swap(threads_);
    }
    std::vector<std::thread::id> ids;
    for (auto& t : batch) {
      ids.push_back(t.get_id());
      t.join();
    }
    // Forget their ids: a later thread may be given the same id.
    std::lock_guard lk(mu_);
    for (auto id : ids) {
      auto f = std::find(finished_.begin(), finished_.end(), id);
      if (f != finished_.end()) {
        finished_.erase(f);
      }
    }
  }
}

}  // namespace ls
