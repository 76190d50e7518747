#include "tests/harness/backend_test.h"

namespace volley::test {

std::vector<std::string> available_backends(dispatch::Family family) {
  std::vector<std::string> names;
  for (const dispatch::Backend& b : dispatch::backends(family)) {
    if (dispatch::available(b)) names.emplace_back(b.name);
  }
  return names;
}

std::vector<std::string> unavailable_backends(dispatch::Family family) {
  std::vector<std::string> names;
  for (const dispatch::Backend& b : dispatch::backends(family)) {
    if (b.kernel != nullptr && !dispatch::available(b)) names.emplace_back(b.name);
  }
  return names;
}

std::string BackendParamName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) c = '_';
  }
  return name;
}

}  // namespace volley::test
