#include "stack.hpp"

#include <pthread.h>
#include <unistd.h>

#include <condition_variable>
#include <exception>
#include <mutex>

namespace jixiao::dsl::detail {
namespace {

thread_local bool t_on_big_stack = false;

// One thread with the big stack, made on first use and kept for the life of the process: a
// parse is often short (a module of the standard library, a fuzz input), and making a thread
// with a 64 MiB stack for each one costs more than the parse (much more with AddressSanitizer,
// which clears the shadow of the whole stack when a thread ends). Jobs run one at a time.
class StackThread {
 public:
  // nullptr when no such thread can be made (address space limited with `ulimit -v`, say).
  static StackThread* get(std::size_t bytes) {
    static StackThread* const instance = make(bytes);  // never destroyed: the thread outlives main
    return instance;
  }

  // The thread is not in a child made by fork(): there, the caller's stack has to do.
  [[nodiscard]] bool here() const { return pid_ == ::getpid(); }

  void run(const std::function<void()>& work) {
    const std::lock_guard<std::mutex> one_at_a_time(call_);
    std::unique_lock<std::mutex> lock(m_);
    job_ = &work;
    error_ = nullptr;
    done_ = false;
    cv_.notify_all();
    cv_.wait(lock, [&] { return done_; });
    job_ = nullptr;
    if (error_) std::rethrow_exception(error_);
  }

 private:
  static StackThread* make(std::size_t bytes) {
    auto* t = new StackThread;
    pthread_attr_t attr;
    bool started = false;
    if (pthread_attr_init(&attr) == 0) {
      pthread_t thread{};
      started = pthread_attr_setstacksize(&attr, bytes) == 0 &&
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED) == 0 &&
                pthread_create(&thread, &attr, loop, t) == 0;
      pthread_attr_destroy(&attr);
    }
    if (started) return t;
    delete t;
    return nullptr;
  }

  static void* loop(void* arg) {
    auto* self = static_cast<StackThread*>(arg);
    t_on_big_stack = true;
    std::unique_lock<std::mutex> lock(self->m_);
    for (;;) {
      self->cv_.wait(lock, [&] { return self->job_ != nullptr && !self->done_; });
      try {
        (*self->job_)();
      } catch (...) {
        self->error_ = std::current_exception();
      }
      self->done_ = true;
      self->cv_.notify_all();
    }
  }

  const pid_t pid_ = ::getpid();
  std::mutex call_;
  std::mutex m_;
  std::condition_variable cv_;
  const std::function<void()>* job_ = nullptr;
  std::exception_ptr error_;
  bool done_ = false;
};

}  // namespace

void run_with_stack(std::size_t bytes, const std::function<void()>& work) {
  StackThread* const thread = t_on_big_stack ? nullptr : StackThread::get(bytes);
  if (thread == nullptr || !thread->here()) {
    work();
    return;
  }
  thread->run(work);
}

}  // namespace jixiao::dsl::detail
