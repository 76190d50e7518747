// The anti-replay records of volley/anti_replay.h: single use, expiry, the freshness window and
// its edges, the capacity bound failing closed, and claims racing from several threads.
#include "volley/anti_replay.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace volley::tls {
namespace {

Bytes id(const std::string& s) { return Bytes(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }

TEST(SingleUseTickets, FirstClaimWinsUntilExpiry) {
  SingleUseTickets used;
  EXPECT_TRUE(used.claim(id("ticket-a"), 100, 10));
  EXPECT_FALSE(used.claim(id("ticket-a"), 100, 11));   // replayed
  EXPECT_FALSE(used.claim(id("ticket-a"), 100, 99));   // still remembered just before expiry
  EXPECT_TRUE(used.claim(id("ticket-b"), 100, 11));    // another ticket
  EXPECT_EQ(used.size(), 2u);
}

TEST(SingleUseTickets, ExpiredTicketIsNeverAccepted) {
  SingleUseTickets used;
  EXPECT_FALSE(used.claim(id("old"), 50, 50));
  EXPECT_FALSE(used.claim(id("old"), 50, 51));
  EXPECT_EQ(used.size(), 0u);
}

TEST(SingleUseTickets, ExpiredEntriesAreForgotten) {
  SingleUseTickets used;
  ASSERT_TRUE(used.claim(id("t"), 20, 10));
  // Once expired the identity is forgotten; a claim with a later expiry (a server that gives the
  // same identity a new life would be wrong, but the store must not grow) is judged afresh.
  EXPECT_TRUE(used.claim(id("t"), 40, 20));
  EXPECT_EQ(used.size(), 1u);
}

TEST(SingleUseTickets, FullStoreFailsClosedAndRecovers) {
  SingleUseTickets used(4);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(used.claim(id("t" + std::to_string(i)), 100, 1));
  EXPECT_FALSE(used.claim(id("t4"), 100, 2));  // full: refused, not accepted
  EXPECT_FALSE(used.claim(id("t0"), 100, 2));  // and the old ones are still remembered
  // After the four expire, room again, whichever shard the new identity lands in.
  for (int i = 5; i < 9; ++i) EXPECT_TRUE(used.claim(id("t" + std::to_string(i)), 200, 100));
  EXPECT_EQ(used.size(), 4u);
}

TEST(SingleUseTickets, ConcurrentClaimsHaveOneWinnerEach) {
  SingleUseTickets used;
  constexpr int kThreads = 4;
  constexpr int kIds = 2000;
  std::atomic<int> wins{0};
  std::vector<int> won(kIds, 0);
  std::vector<std::thread> threads;
  std::vector<std::vector<int>> per_thread(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIds; ++i) {
        // Each thread walks the identities from a different start, so claims collide.
        const int n = (i + t * (kIds / kThreads)) % kIds;
        if (used.claim(id("ticket-" + std::to_string(n)), 1000, 1)) {
          wins.fetch_add(1);
          per_thread[t].push_back(n);
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(wins.load(), kIds);
  for (const auto& list : per_thread) {
    for (int n : list) ++won[n];
  }
  for (int n = 0; n < kIds; ++n) EXPECT_EQ(won[n], 1) << n;
}

using Verdict = ClientHelloRecorder::Verdict;

TEST(ClientHelloRecorder, FreshThenReplayed) {
  ClientHelloRecorder rec(10);
  // Issued at 1 000 000 ms, the client says 5 000 ms old, it arrives at 1 005 200 ms.
  EXPECT_EQ(rec.admit(id("binder-1"), 1000000, 5000, 1005200), Verdict::kFresh);
  EXPECT_EQ(rec.admit(id("binder-1"), 1000000, 5000, 1005300), Verdict::kReplayed);
  EXPECT_EQ(rec.admit(id("binder-2"), 1000000, 5000, 1005300), Verdict::kFresh);
  EXPECT_EQ(rec.size(), 2u);
}

TEST(ClientHelloRecorder, OutsideTheWindowIsStale) {
  ClientHelloRecorder rec(10);
  const uint64_t issued = 1000000;
  // Expected arrival issued + 5000 = 1 005 000; the window is 10 000 ms either side.
  EXPECT_EQ(rec.admit(id("late"), issued, 5000, 1015001), Verdict::kStale);
  EXPECT_EQ(rec.admit(id("early"), issued, 5000, 994999), Verdict::kStale);
  EXPECT_EQ(rec.admit(id("edge-late"), issued, 5000, 1015000), Verdict::kFresh);
  EXPECT_EQ(rec.admit(id("edge-early"), issued, 5000, 995000), Verdict::kFresh);
  EXPECT_EQ(rec.size(), 2u);  // stale ones are not recorded
}

TEST(ClientHelloRecorder, RememberedAsLongAsACopyWouldBeFresh) {
  ClientHelloRecorder rec(10);
  // Admitted at the early edge: expected arrival 1 005 000, now 995 000.
  ASSERT_EQ(rec.admit(id("b"), 1000000, 5000, 995000), Verdict::kFresh);
  // A copy at the late edge of the same window is still a replay, not fresh.
  EXPECT_EQ(rec.admit(id("b"), 1000000, 5000, 1015000), Verdict::kReplayed);
  // Past the window it is stale, so forgetting it by then is safe.
  EXPECT_EQ(rec.admit(id("b"), 1000000, 5000, 1015001), Verdict::kStale);
}

TEST(ClientHelloRecorder, FullRegisterFailsClosed) {
  ClientHelloRecorder rec(10, 3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(rec.admit(id("b" + std::to_string(i)), 0, 0, 0), Verdict::kFresh);
  }
  EXPECT_EQ(rec.admit(id("b3"), 0, 0, 0), Verdict::kFull);
  // The entries expire 10 s after their expected arrival; then there is room again.
  EXPECT_EQ(rec.admit(id("b4"), 5000, 0, 10001), Verdict::kFresh);
}

TEST(ClientHelloRecorder, WindowOfZeroMeansOneSecond) {
  ClientHelloRecorder rec(0);
  EXPECT_EQ(rec.window_seconds(), 1u);
  EXPECT_EQ(rec.admit(id("x"), 0, 0, 1000), Verdict::kFresh);
  EXPECT_EQ(rec.admit(id("y"), 0, 0, 1001), Verdict::kStale);
}

}  // namespace
}  // namespace volley::tls
