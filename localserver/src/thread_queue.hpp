// httplib TaskQueue that runs each accepted connection on its own thread, so
// 1,024 held connections are possible (httplib's pool has a fixed size). Threads
// are tracked: finished ones are joined on the next enqueue, the rest at shutdown.
#pragma once
#include <httplib.h>

#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace ls {

class ThreadPerTaskQueue : public httplib::TaskQueue {
 public:
  ThreadPerTaskQueue() = default;
  ThreadPerTaskQueue(const ThreadPerTaskQueue&) = delete;
  ThreadPerTaskQueue& operator=(const ThreadPerTaskQueue&) = delete;
  ~ThreadPerTaskQueue() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

 private:
  void reap_locked();

  std::mutex mu_;
  std::list<std::thread> threads_;
  std::vector<std::thread::id> finished_;
};

}  // namespace ls
