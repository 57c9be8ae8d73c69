// A thin C interface to torch.distributed's engine (c10d): a TCPStore for the rendezvous, a
// gloo (CPU) or NCCL (CUDA) process group, and the collectives data-parallel training needs.
// Every function catches what libtorch throws and hands back its message; nothing here
// outlives the group that made it.

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <ATen/ATen.h>

#ifdef SSLC_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

namespace {

struct Group {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<c10d::Backend> backend;
  int rank;
  int size;
};

// A copy of `what` the Rust side frees with `sslc_c10d_free_error`.
char* message(const char* what) {
  auto n = std::strlen(what);
  auto out = static_cast<char*>(std::malloc(n + 1));
  if (out != nullptr) {
    std::memcpy(out, what, n + 1);
  }
  return out;
}

template <typename F>
int guarded(char** error, F&& f) {
  try {
    f();
    return 0;
  } catch (const c10::Error& e) {
    *error = message(e.what_without_backtrace());
  } catch (const std::exception& e) {
    *error = message(e.what());
  } catch (...) {
    *error = message("an unknown exception from libtorch");
  }
  return 1;
}

void wait(const c10::intrusive_ptr<c10d::Work>& work) {
  if (!work->wait()) {
    throw std::runtime_error("a collective did not complete");
  }
}

}  // namespace

extern "C" {

void sslc_c10d_free_error(char* error) {
  std::free(error);
}

// Joins the store at host:port (rank 0 hosts it, unless a launcher's agent does: `hosted`)
// and makes a process group of `size` ranks on it: "gloo" or "nccl". `timeout_ms` bounds the
// rendezvous and every collective.
int sslc_c10d_new(const char* backend, const char* host, int port, int rank, int size, int hosted,
                  int timeout_ms, void** out, char** error) {
  return guarded(error, [&] {
    auto timeout = std::chrono::milliseconds(timeout_ms);
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = rank == 0 && hosted == 0;
    opts.numWorkers = size;
    opts.waitWorkers = true;
    opts.timeout = timeout;
    auto store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
    auto group = std::make_unique<Group>();
    group->store = store;
    group->rank = rank;
    group->size = size;
    std::string kind(backend);
    auto prefixed = c10::make_intrusive<c10d::PrefixStore>(kind, store);
    if (kind == "gloo") {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      // GLOO_SOCKET_IFNAME names the interface, as in PyTorch; on one machine the store's
      // loopback address; across machines this host's own address.
      const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
      std::string h(host);
      bool loopback = h == "localhost" || h.rfind("127.", 0) == 0 || h == "::1";
      options->devices.push_back(
          ifname != nullptr && *ifname != '\0' ? c10d::ProcessGroupGloo::createDeviceForInterface(ifname)
          : loopback                          ? c10d::ProcessGroupGloo::createDeviceForHostname(h)
                                              : c10d::ProcessGroupGloo::createDefaultDevice());
      group->backend = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, size, options);
    } else if (kind == "nccl") {
#ifdef SSLC_NCCL
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      group->backend = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, size, options);
#else
      throw std::runtime_error("this build has no NCCL (build with the `nccl` feature on a CUDA libtorch)");
#endif
    } else {
      throw std::runtime_error("no process group `" + kind + "` (gloo or nccl)");
    }
    *out = group.release();
  });
}

void sslc_c10d_free(void* group) {
  delete static_cast<Group*>(group);
}

// Sums `tensor` over the ranks, in place.
int sslc_c10d_all_reduce_sum(void* group, at::Tensor* tensor, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    std::vector<at::Tensor> tensors{*tensor};
    c10d::AllreduceOptions opts;
    opts.reduceOp = c10d::ReduceOp::SUM;
    wait(g->backend->allreduce(tensors, opts));
  });
}

// Every rank's `input` side by side along the first axis, into `output` (contiguous, `size`
// times as many rows), rank order.
int sslc_c10d_all_gather(void* group, at::Tensor* input, at::Tensor* output, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    auto rows = input->size(0);
    std::vector<at::Tensor> parts;
    for (int r = 0; r < g->size; ++r) {
      parts.push_back(output->narrow(0, r * rows, rows));
    }
    std::vector<std::vector<at::Tensor>> outputs{parts};
    std::vector<at::Tensor> inputs{input->contiguous()};
    wait(g->backend->allgather(outputs, inputs, c10d::AllgatherOptions()));
  });
}

// Rank `root`'s `tensor` on every rank, in place.
int sslc_c10d_broadcast(void* group, at::Tensor* tensor, int root, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    std::vector<at::Tensor> tensors{*tensor};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    wait(g->backend->broadcast(tensors, opts));
  });
}

int sslc_c10d_barrier(void* group, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    wait(g->backend->barrier(c10d::BarrierOptions()));
  });
}

// Sets `key` to `len` bytes of `value` in the store.
int sslc_c10d_store_set(void* group, const char* key, const unsigned char* value, size_t len, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    g->store->set(std::string(key), std::vector<uint8_t>(value, value + len));
  });
}

// Whether every one of `count` keys is in the store, without waiting.
int sslc_c10d_store_check(void* group, const char* const* keys, size_t count, int* present, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    std::vector<std::string> names(keys, keys + count);
    *present = g->store->check(names) ? 1 : 0;
  });
}

// The value of `key` (waiting up to the store's timeout), into a buffer the Rust side frees
// with `sslc_c10d_free_error`.
int sslc_c10d_store_get(void* group, const char* key, unsigned char** value, size_t* len, char** error) {
  return guarded(error, [&] {
    auto g = static_cast<Group*>(group);
    auto bytes = g->store->get(std::string(key));
    auto out = static_cast<unsigned char*>(std::malloc(bytes.size() + 1));
    if (out == nullptr) {
      throw std::runtime_error("out of memory");
    }
    std::memcpy(out, bytes.data(), bytes.size());
    *value = out;
    *len = bytes.size();
  });
}

}  // extern "C"
