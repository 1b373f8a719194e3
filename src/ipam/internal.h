// internal.h: helpers shared by the ipam .cc files (not part of the public API).
#ifndef ROMANA_IPAM_INTERNAL_H_
#define ROMANA_IPAM_INTERNAL_H_

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "absl/strings/string_view.h"

namespace romana::ipam::internal {

// Debian's Abseil has its own absl::string_view; convert std::string_view for StrCat.
inline absl::string_view AV(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A broken invariant (a bug, never bad input): crash loudly; a restart reloads from the store.
[[noreturn]] inline void Fatal(absl::string_view what) {
  std::fprintf(stderr, "ipam: invariant violated: %.*s\n", static_cast<int>(what.size()), what.data());
  std::abort();
}

}  // namespace romana::ipam::internal

#endif  // ROMANA_IPAM_INTERNAL_H_
