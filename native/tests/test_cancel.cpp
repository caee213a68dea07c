// Cooperative cancellation (ionfield/cancel.hpp): a set flag stops KMC inside its worker threads
// with Cancelled, long before the run would end; without a scope the same run is never cancelled.
#include <atomic>
#include <chrono>
#include <thread>

#include "check.hpp"
#include "ionfield/cancel.hpp"
#include "ionfield/kinetics.hpp"

using namespace ionfield;
using namespace ionfield::lattice;

static KmcOptions options(long long steps) {
  KmcOptions o;
  o.counts = {255};  // fcc 4×4×4: 256 sites, one vacancy
  o.steps = steps;
  o.trajectories = 4;
  o.equilibration_sweeps = 0;
  o.threads = 2;
  return o;
}

static EnergyModel pure() {
  EnergyModel m;
  m.species = 1;
  m.nu = {1};
  m.e0 = {0};
  return m;
}

int main() {
  const Lattice lattice(LatticeKind::FCC, 4, 1);
  // Without a scope nothing is cancellable: a short run completes.
  CHECK(!cancel_requested());
  CHECK(run_kmc(lattice, pure(), options(10000)).trajectories == 4);

  // A flag set from another thread stops a run of 10⁹ steps per trajectory within milliseconds.
  std::atomic<bool> flag{false};
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    flag.store(true);
  });
  const auto t0 = std::chrono::steady_clock::now();
  bool cancelled = false;
  {
    CancelScope scope(&flag);
    try {
      run_kmc(lattice, pure(), options(1000000000));
    } catch (const Cancelled&) {
      cancelled = true;
    }
  }
  canceller.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(cancelled);
  CHECK(seconds < 1.0);
  // The scope is gone: the thread is not cancellable any more.
  CHECK(!cancel_requested());
  return check::summary("test_cancel");
}
