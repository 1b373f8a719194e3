// status_macros.h: early-return helpers for absl::Status / absl::StatusOr.
//
//   RETURN_IF_ERROR(DoThing());
//   ASSIGN_OR_RETURN(auto value, ComputeValue());
#ifndef ROMANA_BASE_STATUS_MACROS_H_
#define ROMANA_BASE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define ROMANA_CONCAT_INNER_(a, b) a##b
#define ROMANA_CONCAT_(a, b) ROMANA_CONCAT_INNER_(a, b)

#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    if (::absl::Status _st = (expr); !_st.ok()) return _st; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ROMANA_ASSIGN_OR_RETURN_IMPL_(ROMANA_CONCAT_(_statusor_, __LINE__), lhs, expr)

#define ROMANA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).status();      \
  lhs = std::move(tmp).value()

#endif  // ROMANA_BASE_STATUS_MACROS_H_
