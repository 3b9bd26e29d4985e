import FileScan
import Testing

/// The walk's thread governor on the figures a window of 200 ms would show it (the pool's are
/// 100 ms; only rates matter); the FUSE tests show the same decisions on a real mount.
@Suite("thread governor: more threads only while they complete more calls")
struct ThreadGovernorTests {
  /// A window in which `threads` threads, each off the CPU for `waiting` of its time, completed
  /// `rate` calls per second.
  func window(rate: Double, threads: Int, waiting: Double = 0.9, queued: Int = 1000) -> ThreadGovernor.Window {
    let busy = 0.2 * Double(threads)
    return .init(
      calls: Int(rate * 0.2), seconds: 0.2, busySeconds: busy, cpuSeconds: busy * (1 - waiting), queued: queued)
  }

  /// Feeds windows whose rate `serve` gives for the limit in force; returns the limits.
  func run(_ governor: inout ThreadGovernor, windows: Int, waiting: Double = 0.9, serve: (Int) -> Double) -> [Int] {
    var limits: [Int] = []
    for _ in 0..<windows {
      let limit = governor.limit
      limits.append(governor.next(window(rate: serve(limit), threads: limit, waiting: waiting)))
    }
    return limits
  }

  /// The limits the governor sets after `count` windows that all show the same figures.
  func repeated(_ governor: inout ThreadGovernor, _ window: ThreadGovernor.Window, count: Int = 10) -> Set<Int> {
    Set((0..<count).map { _ in governor.next(window) })
  }

  @Test("a server that answers in parallel (NFS, a FUSE daemon): four times the threads per trial, to the ceiling")
  func climbs() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    let limits = run(&governor, windows: 20) { Double($0) * 1000 }
    // The first trial: two windows, one back at the old limit to confirm the gain, one at the
    // kept limit for the next trial's baseline; the later ones two windows each.
    #expect(limits.prefix(10) == [2, 8, 8, 2, 8, 8, 32, 32, 32, 64], "\(limits)")
    #expect(limits.last == 64)
    #expect(governor.peak == 64)
  }

  @Test("calls that cost the process CPU too (a cold disk's kernel work): doubles, stops where the cores fill")
  func climbsByDoubling() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 2)
    // 30% of each thread's time on the CPU: 0.6 cores at 2 threads, 1.2 at 4.
    let limits = run(&governor, windows: 20, waiting: 0.7) { Double($0) * 1000 }
    #expect(limits.prefix(10) == [2, 4, 4, 2, 4, 4, 8, 8, 8, 8], "\(limits)")
    #expect(Set(limits.dropFirst(6)) == [8])
    #expect(governor.peak == 8)
  }

  @Test("a server with a throughput of its own (one busy daemon): one trial, undone; the next ones wait longer")
  func backsOff() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    let limits = run(&governor, windows: 24) { _ in 5000 }
    // Trials after windows 2, 7, 14 (waits of 2 and 4 windows); the next waits 8.
    #expect(limits == [2, 8, 8, 2, 2, 2, 8, 8, 2, 2, 2, 2, 2, 8, 8, 2, 2, 2, 2, 2, 2, 2, 2, 2])
    #expect(governor.peak == 2)
  }

  @Test("an hour of a server that never gains: trials keep to two windows in 35")
  func backsOffForLong() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    let limits = run(&governor, windows: 36_000) { _ in 5000 }
    let inTrials = limits.filter { $0 > 2 }.count
    // After five failures every failed trial (2 windows, then its verdict) waits 32.
    #expect(inTrials <= 36_000 * 2 / 35 + 20, "\(inTrials) of 36,000 windows were trials")
    #expect(limits.suffix(35).filter { $0 > 2 }.count == 2)
  }

  @Test("gains that fade (a disk with 16 queues): keeps what gained 15%, stops below")
  func stopsWhereGainsFade() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    let throughput: [Int: Double] = [2: 1000, 4: 1700, 8: 2200, 16: 2400, 32: 2450, 64: 2450]
    let limits = run(&governor, windows: 30) { throughput[$0]! }
    #expect(governor.peak == 8)
    // Once 8 is kept, the windows are at 8 but for trials of 32, each undone.
    #expect(limits.prefix(4) == [2, 8, 8, 2] && Set(limits.dropFirst(4)) == [8, 32], "\(limits)")
    #expect(limits.max() == 32)
  }

  @Test("calls that spend most of their time on the CPU, a core idle (a cold disk's start): a trial, kept")
  func climbsWithACoreIdle() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 2)
    // 60% of each thread's time on the CPU: 1.2 cores of 2 at 2 threads; 4 threads fill them.
    let limits = run(&governor, windows: 12, waiting: 0.4) { Double($0) * 1000 }
    #expect(limits.prefix(5) == [2, 4, 4, 2, 4], "\(limits)")
    #expect(Set(limits.dropFirst(4)) == [4])
    #expect(governor.peak == 4)
  }

  @Test("calls that cost only CPU (a warm cache): no trial at all")
  func warmCacheStays() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 2)
    let limits = run(&governor, windows: 20, waiting: 0.05) { Double($0) * 1000 }
    #expect(Set(limits) == [2])
  }

  @Test("the process already fills the cores: no trial, however long threads wait")
  func coresFullStays() {
    var governor = ThreadGovernor(start: 16, ceiling: 64, cores: 2)
    // 16 threads, 88% off the CPU: 1.9 cores of 2 busy.
    #expect(repeated(&governor, window(rate: 100_000, threads: 16, waiting: 0.88)) == [16])
  }

  @Test("too few queued tasks to feed more threads: no trial")
  func shortQueueStays() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    #expect(repeated(&governor, window(rate: 1000, threads: 2, queued: 1)) == [2])
  }
}

extension ThreadGovernorTests {
  @Test("an undone trial's threads still finishing long tasks: no baseline, no trial until they end")
  func waitsForUndoneThreadsToEnd() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    // A server that gains nothing: the trial at window 2 is undone at window 4.
    var limits = run(&governor, windows: 4) { _ in 5000 }
    #expect(limits == [2, 8, 8, 2])
    // Its 8 threads run on for 20 windows (a stat batch on a slow mount), while the listings
    // they finish make the calls look 40% faster.
    for _ in 0..<20 { limits.append(governor.next(window(rate: 7000, threads: 8))) }
    #expect(Set(limits.suffix(20)) == [2], "\(limits)")
    // Once they have ended, trials resume (and fail) at the server's own rate.
    limits += run(&governor, windows: 6) { _ in 5000 }
    #expect(limits.suffix(6).contains(8))
    #expect(governor.peak == 2)
  }

  @Test("a trial's windows count only once its added threads run")
  func trialWaitsForItsThreads() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    var limits = run(&governor, windows: 2) { _ in 1000 }
    #expect(limits == [2, 8])
    // The added threads find nothing to run for three windows (the rate of the two that do
    // would be lost in them).
    for _ in 0..<3 { limits.append(governor.next(window(rate: 1000, threads: 2))) }
    limits += run(&governor, windows: 5) { Double($0) * 500 }
    // Gained in the two windows in which they ran (the fifth and sixth), confirmed in one back
    // at 2, kept; the next trial follows one window at 8 (its baseline).
    #expect(limits == [2, 8, 8, 8, 8, 8, 2, 8, 8, 32], "\(limits)")
    #expect(governor.peak == 8)
  }

  @Test(
    "a gain that was the run's, not the threads' (slow windows before the trial): undone when a window back at the old limit is as fast"
  )
  func gainNotConfirmed() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    // The walk's first windows are slow (634 and 719 calls a second where the daemon serves
    // 1,000, as the trace of a failure of the no-delay FUSE test showed); the trial's 8 threads serve no more than 2 would.
    var limits = [governor.next(window(rate: 634, threads: 2)), governor.next(window(rate: 719, threads: 2))]
    limits += run(&governor, windows: 4) { _ in 1000 }
    #expect(limits == [2, 8, 8, 2, 2, 2], "\(limits)")
    #expect(governor.peak == 2)
  }

  @Test(
    "a walk that sped up as much by itself (a cold walk's first seconds): the trial proved nothing, the next one waits no longer"
  )
  func gainOfTheWalkItself() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    // Calls per second rise by 1,000 a window whatever the threads, then stay at 6,000.
    var limits: [Int] = []
    for index in 0..<14 {
      let limit = governor.limit
      limits.append(governor.next(window(rate: Double(min(index + 1, 6)) * 1000, threads: limit)))
    }
    // The trial's 3,500 a second beat the 1,500 before it, and the window back at 2 served
    // 5,000: a retry two windows later, as after a first failure. That one fails, and the next
    // waits two windows again, not four.
    #expect(limits == [2, 8, 8, 2, 2, 2, 2, 8, 8, 2, 2, 2, 8, 8], "\(limits)")
    #expect(governor.peak == 2)
  }

  @Test("a gain whose threads still run long tasks back at the old limit: kept after four windows")
  func gainStandsWithoutConfirmation() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    var limits = run(&governor, windows: 4) { Double($0) * 1000 }
    #expect(limits == [2, 8, 8, 2])
    // The 8 threads keep running (no window settles at 2): the measured gain stands.
    for _ in 0..<4 { limits.append(governor.next(window(rate: 8000, threads: 8))) }
    #expect(limits == [2, 8, 8, 2, 2, 2, 2, 8], "\(limits)")
    #expect(governor.peak == 8)
  }

  @Test("a trial whose added threads never run: undone after four windows")
  func trialWithoutTasksEnds() {
    var governor = ThreadGovernor(start: 2, ceiling: 64, cores: 8)
    var limits = run(&governor, windows: 2) { _ in 1000 }
    for _ in 0..<4 { limits.append(governor.next(window(rate: 1000, threads: 2))) }
    #expect(limits == [2, 8, 8, 8, 8, 2], "\(limits)")
    #expect(governor.peak == 2)
  }
}
