// Known-answer tests run by `volley selftest` on each backend: one published vector per family,
// sealed and opened (and a tampered copy rejected) on that backend.
#pragma once

#include <string>
#include <string_view>

#include "volley/dispatch.h"

namespace volley::tool {

struct KnownAnswerResult {
  bool failed = false;
  std::string detail;  // "ok (...)" or what went wrong
};

KnownAnswerResult run_known_answers(dispatch::Family family, std::string_view backend);

}  // namespace volley::tool
