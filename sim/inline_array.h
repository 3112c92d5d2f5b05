// InlineArray<T, N>: an array whose length is fixed when it is sized (resize), stored inside
// the object when it has at most N elements and on the heap otherwise - for the per-request
// arrays of the I/O path (member bios, copies, pieces), which are nearly always small and
// would otherwise cost an allocation each per host I/O. Elements never move once constructed
// (member bios are linked into completion groups by address), so the array is neither
// copyable nor movable; resize() destroys the old elements.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <span>
#include <type_traits>

namespace mdsim {

template <class T, size_t N>
class InlineArray {
 public:
  InlineArray() = default;
  explicit InlineArray(size_t n) { resize(n); }
  InlineArray(const InlineArray&) = delete;
  InlineArray& operator=(const InlineArray&) = delete;
  ~InlineArray() { clear(); }

  // n new elements: value-initialised (zero) if T is trivially default-constructible, else
  // default-initialised - a class's own member initialisers run but the object is not zeroed
  // first (which value-initialisation of a class without a user-provided constructor does,
  // inline storage and all: the largest cost of sizing an array of r10bios). So every member
  // of a class element needs an initialiser.
  void resize(size_t n) {
    clear();
    if (n <= N) {
      if constexpr (std::is_trivially_default_constructible_v<T>) {
        data_ = std::uninitialized_value_construct_n(inline_data(), n) - n;
      } else {
        data_ = std::uninitialized_default_construct_n(inline_data(), n) - n;
      }
    } else {
      if constexpr (std::is_trivially_default_constructible_v<T>) {
        heap_ = std::make_unique<T[]>(n);
      } else {
        heap_ = std::make_unique_for_overwrite<T[]>(n);
      }
      data_ = heap_.get();
    }
    size_ = n;
  }
  void clear() {
    if (data_ == inline_data()) std::destroy_n(data_, size_);
    heap_.reset();
    data_ = nullptr;
    size_ = 0;
  }

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  std::span<T> span() { return {data_, size_}; }
  std::span<const T> span() const { return {data_, size_}; }

 private:
  T* inline_data() { return std::launder(reinterpret_cast<T*>(storage_)); }
  const T* inline_data() const { return std::launder(reinterpret_cast<const T*>(storage_)); }

  alignas(T) std::byte storage_[N * sizeof(T)];
  std::unique_ptr<T[]> heap_;
  T* data_ = nullptr;
  size_t size_ = 0;
};

}  // namespace mdsim
