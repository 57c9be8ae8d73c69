// libtorch's own operator observer (RecordFunction, what torch.profiler listens to), counting
// the operators the calling thread dispatches while a counter is on, by name (a loader thread
// making the next batch meanwhile is not counted). A thin C interface: start, stop,
// then the counts as "name\tcount\n" lines the Rust side frees with `sslc_opcount_free`.

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <ATen/record_function.h>

namespace {

std::mutex lock;
std::map<std::string, unsigned long long> counts;
at::CallbackHandle handle = 0;

std::unique_ptr<at::ObserverContext> seen(const at::RecordFunction& fn) {
  std::lock_guard<std::mutex> guard(lock);
  counts[fn.name()] += 1;
  return nullptr;
}

}  // namespace

extern "C" {

// Starts counting this thread's operators, from zero. 0, or -1 when a counter is on already.
int sslc_opcount_start() {
  std::lock_guard<std::mutex> guard(lock);
  if (handle != 0) {
    return -1;
  }
  counts.clear();
  handle = at::addThreadLocalCallback(
      at::RecordFunctionCallback(seen).needsInputs(false).scopes({at::RecordScope::FUNCTION}));
  return 0;
}

// Stops counting and hands back what it counted, or null when no counter was on.
char* sslc_opcount_stop() {
  at::CallbackHandle h;
  {
    std::lock_guard<std::mutex> guard(lock);
    h = handle;
    handle = 0;
  }
  if (h == 0) {
    return nullptr;
  }
  at::removeCallback(h);
  std::string text;
  {
    std::lock_guard<std::mutex> guard(lock);
    for (const auto& [name, n] : counts) {
      text += name;
      text += '\t';
      text += std::to_string(n);
      text += '\n';
    }
    counts.clear();
  }
  auto out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out != nullptr) {
    std::memcpy(out, text.c_str(), text.size() + 1);
  }
  return out;
}

void sslc_opcount_free(char* text) { std::free(text); }

}  // extern "C"
