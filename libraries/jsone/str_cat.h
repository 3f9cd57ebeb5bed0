// File: libraries/jsone/str_cat.h
//
// Cat(...): concatenates strings, std::string_view, C strings, chars and
// integers. Debian's Abseil has its own absl::string_view, which absl::StrCat
// needs, so this library uses this helper with std::string_view instead.
//
// Thread-safety: pure function.

#ifndef BULWARK_LIBRARIES_JSONE_STR_CAT_H_
#define BULWARK_LIBRARIES_JSONE_STR_CAT_H_

#include <string>
#include <string_view>
#include <type_traits>

namespace bulwark::jsone {

namespace internal {
template <typename T>
void AppendPiece(const T& piece, std::string* out) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, char>) {
    out->append(std::to_string(piece));
  } else if constexpr (std::is_same_v<T, char>) {
    out->push_back(piece);
  } else {
    out->append(std::string_view(piece));
  }
}
}  // namespace internal

template <typename... Pieces>
std::string Cat(const Pieces&... pieces) {
  std::string out;
  (internal::AppendPiece(pieces, &out), ...);
  return out;
}

}  // namespace bulwark::jsone

#endif  // BULWARK_LIBRARIES_JSONE_STR_CAT_H_
