// Result<T>: a value or an error message, returned across stage boundaries.
//
// trailwatch never lets exceptions cross a module boundary (house style); a function that can fail
// returns Result<T> (or Status when there is no value). The error text is meant for a person: it
// names what failed and where (file, line, field, rule).
//
// Thread-safety: a Result is a plain value; const methods may be called from many threads.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace trailwatch {

// An error message. Kept as its own type so that Result<std::string> stays unambiguous.
struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(state_); }
  const std::string& message() const { return std::get<1>(state_).message; }

 private:
  std::variant<T, Error> state_;
};

// Status: success, or an error message.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error.message)), ok_(false) {}  // NOLINT

  static Status Ok() { return Status(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return error_; }

 private:
  std::string error_;
  bool ok_ = true;
};

}  // namespace trailwatch
