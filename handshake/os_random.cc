#include "handshake/os_random.h"

#include <sys/random.h>

#include <cerrno>

namespace volley::tls {

bool os_random(MutableBytes out) noexcept {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t got = getrandom(out.data() + done, out.size() - done, 0);
    if (got > 0) {
      done += static_cast<size_t>(got);
    } else if (got < 0 && errno != EINTR) {
      return false;
    }
  }
  return true;
}

}  // namespace volley::tls
