// fuzz_input.h: helpers for the libFuzzer targets in fuzz/: the input as a string, split into
// fields. Header-only; each target is one process with one thread.
#ifndef ROMANA_FUZZ_FUZZ_INPUT_H_
#define ROMANA_FUZZ_FUZZ_INPUT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace romana::fuzz {

inline std::string AsString(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

// Splits at '\0' bytes (so one input carries several fields, e.g. environment variables).
inline std::vector<std::string> Fields(const std::string& input) {
  std::vector<std::string> out(1);
  for (char c : input) {
    if (c == '\0') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

}  // namespace romana::fuzz

#endif  // ROMANA_FUZZ_FUZZ_INPUT_H_
