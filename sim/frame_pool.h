// A per-thread free-list allocator for coroutine frames. Every awaited child task and every
// declared-synchronisation step allocates a frame; recycling them by size class (64-byte
// granules up to 4 KiB) takes malloc off the simulator's and the native benchmarks' hot path.
// Under AddressSanitizer the pool is bypassed so use-after-free of a frame is still caught.
#pragma once

#include <cstddef>
#include <new>

namespace mdsim {

class FramePool {
 public:
  static void* allocate(std::size_t n) {
#if defined(__SANITIZE_ADDRESS__)
    return ::operator new(n);
#else
    std::size_t c = size_class(n);
    if (c >= kClasses) return ::operator new(n);
    Node*& head = lists().head[c];
    if (head != nullptr) {
      Node* p = head;
      head = p->next;
      return p;
    }
    return ::operator new((c + 1) * kGranule);
#endif
  }
  static void deallocate(void* p, std::size_t n) {
#if defined(__SANITIZE_ADDRESS__)
    ::operator delete(p);
#else
    std::size_t c = size_class(n);
    if (c >= kClasses) {
      ::operator delete(p);
      return;
    }
    Node* node = static_cast<Node*>(p);
    node->next = lists().head[c];
    lists().head[c] = node;
#endif
  }

 private:
  static constexpr std::size_t kGranule = 64;
  static constexpr std::size_t kClasses = 64;  // frames up to 4 KiB
  struct Node {
    Node* next;
  };
  struct Lists {
    Node* head[kClasses] = {};
    ~Lists() {
      for (Node*& h : head) {
        while (h != nullptr) {
          Node* n = h->next;
          ::operator delete(h);
          h = n;
        }
      }
    }
  };
  static std::size_t size_class(std::size_t n) { return (n + kGranule - 1) / kGranule - 1; }
  static Lists& lists() {
    thread_local Lists l;
    return l;
  }
};

}  // namespace mdsim
