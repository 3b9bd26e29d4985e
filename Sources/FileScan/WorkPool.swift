import CLinuxCalls
import Foundation
import Glibc
import Synchronization

/// A pool of OS threads (not the Swift cooperative pool: a filesystem call blocks, and on a dead
/// network mount it may block forever) running blocking I/O tasks, each tagged with a group
/// (a root). Tasks run newest first, so a walk goes depth-first and its queue stays short.
///
/// With a timeout, a watchdog thread notices a task that has run longer than that (a `stat` on a
/// dead NFS server, a FUSE call that never returns): its group is marked timed out, its other
/// tasks are dropped, and a fresh thread takes the stuck one's place, so every other group
/// still finishes. The stuck thread stays stuck in its syscall; the process can still exit.
///
/// Given a `growUpTo`, the same watchdog lets a `ThreadGovernor` set how many threads run tasks
/// at once, from the calls the tasks report (`countCalls`), the threads' busy time and the
/// process's CPU time: more threads while they raise the calls completed per second.
public final class WorkPool: @unchecked Sendable {
  private struct Task {
    let group: Int
    /// What the task's first calls lock (the folder whose names it looks up), 0: nothing.
    let key: UInt
    let work: @Sendable () -> Void
  }

  /// What one worker thread is doing, read by the watchdog.
  // Every mutable property below is read and written only with `mutex` held (and the mutex
  // and conditions themselves through pthreads): Swift's run-time exclusivity checks on them
  // would only repeat what the mutex guarantees, at a measurable cost to a walk (BENCHMARKS.md).
  private final class Slot: @unchecked Sendable {
    /// The pool the slot belongs to: a task of one pool may count calls for another.
    let owner: ObjectIdentifier
    /// Calls this worker counted: written by it alone (a store, not a locked add on a line all
    /// threads share), summed by the watchdog.
    let calls = Atomic<Int>(0)
    init(owner: ObjectIdentifier) { self.owner = owner }
    @exclusivity(unchecked) var group = -1
    @exclusivity(unchecked) var key: UInt = 0
    @exclusivity(unchecked) var started: Double = 0
    @exclusivity(unchecked) var abandoned = false
  }

  // The mutex and conditions live in memory of their own: pthreads needs them at one address
  // for their whole life, and Swift promises none for a stored property passed with `&` (it
  // may pass a temporary copy).
  private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  /// Workers wait here for tasks.
  private let workAvailable = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  /// `wait` waits here for the groups to finish.
  private let progress = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
  @exclusivity(unchecked) private var tasks: [Task] = []
  @exclusivity(unchecked) private var outstanding: [Int]
  @exclusivity(unchecked) private var timedOutGroups: [Bool]
  @exclusivity(unchecked) private var slots: [Slot] = []
  @exclusivity(unchecked) private var idle = 0
  @exclusivity(unchecked) private var finished = false
  /// Workers running a task (not counting abandoned ones), and how many may.
  @exclusivity(unchecked) private var running = 0
  @exclusivity(unchecked) private var limit: Int
  /// Thread-seconds spent running tasks, for the governor: `running` integrated over time, so
  /// a window counts the tasks still running at its end (a window in which only long tasks
  /// ran, none ending, looked idle when tasks were counted as they finished).
  @exclusivity(unchecked) private var busySeconds: Double = 0
  @exclusivity(unchecked) private var busySince: Double = 0
  @exclusivity(unchecked) private var governor: ThreadGovernor?
  /// The keys of the tasks running now, with how many run each.
  @exclusivity(unchecked) private var runningKeys: [UInt: Int] = [:]
  private let calls = Atomic<Int>(0)
  public let timeout: Double?
  public private(set) var threads = 0

  /// `groups` groups numbered from 0; `threads` workers to start with, and with `growUpTo`, up
  /// to that many when the governor finds that more threads complete more calls.
  public init(groups: Int, threads: Int, timeout: Double?, growUpTo: Int? = nil) {
    limit = max(1, threads)
    if let growUpTo {
      governor = ThreadGovernor(start: limit, ceiling: growUpTo, cores: ProcessInfo.processInfo.activeProcessorCount)
    }
    outstanding = Array(repeating: 0, count: groups)
    timedOutGroups = Array(repeating: false, count: groups)
    self.timeout = timeout
    mutex.initialize(to: pthread_mutex_t())
    workAvailable.initialize(to: pthread_cond_t())
    progress.initialize(to: pthread_cond_t())
    // Adaptive: see clinux_mutex_init_adaptive; a plain mutex if the attribute is refused.
    if clinux_mutex_init_adaptive(mutex) != 0 { pthread_mutex_init(mutex, nil) }
    pthread_cond_init(workAvailable, nil)
    pthread_cond_init(progress, nil)
    ensureThreads(limit)
    if timeout != nil || governor != nil { startWatchdog() }
  }

  deinit {
    pthread_mutex_destroy(mutex)
    pthread_cond_destroy(workAvailable)
    pthread_cond_destroy(progress)
    mutex.deallocate()
    workAvailable.deallocate()
    progress.deallocate()
  }

  private func locked<T>(_ body: () -> T) -> T {
    pthread_mutex_lock(mutex)
    defer { pthread_mutex_unlock(mutex) }
    return body()
  }

  /// The most threads that ran tasks at once for longer than a trial (the starting count if the
  /// pool never grew).
  public var peakThreads: Int { locked { governor?.peak ?? limit } }

  /// Called by tasks as they complete system calls (or other units of work): the governor
  /// keeps added threads only while this count rises faster.
  public func countCalls(_ count: Int) {
    if let raw = pthread_getspecific(Self.slotKey) {
      let counted = Unmanaged<Slot>.fromOpaque(raw)._withUnsafeGuaranteedRef { slot in
        guard slot.owner == ObjectIdentifier(self) else { return false }
        slot.calls.store(slot.calls.load(ordering: .relaxed) &+ count, ordering: .relaxed)
        return true
      }
      if counted { return }
    }
    calls.add(count, ordering: .relaxed)
  }

  /// The calls counted so far. With the mutex held (for `slots`).
  private func callsCounted() -> Int {
    slots.reduce(calls.load(ordering: .relaxed)) { $0 &+ $1.calls.load(ordering: .relaxed) }
  }

  /// The worker thread's slot, for `countCalls`.
  private static let slotKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
  }()

  /// Grows the pool to at least `count` live workers (never shrinks it).
  private func ensureThreads(_ count: Int) {
    let missing = locked { () -> Int in
      let live = slots.filter { !$0.abandoned }.count
      return max(0, count - live)
    }
    for _ in 0..<missing { startWorker() }
  }

  /// Queues `work` in `group`. Tasks with the same nonzero `key` (say, lookups in one folder)
  /// are spread out: a worker takes the newest task whose key is not running already, if one
  /// of the newest 256 is such. A FUSE daemon on libfuse 2 serves one lookup per folder at a
  /// time (no FUSE_PARALLEL_DIROPS): threads stat'ing one folder's names wait on each other.
  public func submit(group: Int, key: UInt = 0, _ work: @escaping @Sendable () -> Void) {
    locked {
      outstanding[group] += 1
      tasks.append(Task(group: group, key: key, work: work))
      if idle > 0 { pthread_cond_signal(workAvailable) }
    }
  }

  /// Waits until every group has finished its tasks or timed out; then the workers end.
  /// Returns which groups timed out.
  public func wait() -> [Bool] {
    locked {
      while !outstanding.indices.allSatisfy({ outstanding[$0] == 0 || timedOutGroups[$0] }) {
        pthread_cond_wait(progress, mutex)
      }
      finished = true
      pthread_cond_broadcast(workAvailable)
      return timedOutGroups
    }
  }

  private func startWorker() {
    let slot = Slot(owner: ObjectIdentifier(self))
    locked {
      slots.append(slot)
      threads += 1
    }
    let thread = Thread { [self] in work(slot) }
    thread.stackSize = 1 << 20
    thread.start()
  }

  /// What `heartbeat` finds on a worker thread.
  private final class Worker: NSObject, @unchecked Sendable {
    weak var pool: WorkPool?
    let slot: Slot
    init(pool: WorkPool, slot: Slot) {
      self.pool = pool
      self.slot = slot
    }
  }

  private static let workerKey = "immich-audit.WorkPool.worker"

  /// Called by a long task (hashing a large file) after each step: the watchdog measures the
  /// time since the last heartbeat, so a slow but moving task is not taken for a hung one.
  public static func heartbeat() {
    guard let worker = Thread.current.threadDictionary[workerKey] as? Worker, let pool = worker.pool else { return }
    pool.locked { if worker.slot.started > 0 { worker.slot.started = now() } }
  }

  private func work(_ slot: Slot) {
    Thread.current.threadDictionary[Self.workerKey] = Worker(pool: self, slot: slot)
    pthread_setspecific(Self.slotKey, Unmanaged.passUnretained(slot).toOpaque())
    pthread_mutex_lock(mutex)
    while !finished && !slot.abandoned {
      guard running < limit, let task = nextTask() else {
        idle += 1
        pthread_cond_wait(workAvailable, mutex)
        idle -= 1
        continue
      }
      if timedOutGroups[task.group] {
        finish(task.group)
        continue
      }
      slot.group = task.group
      slot.key = task.key
      if task.key != 0 { runningKeys[task.key, default: 0] += 1 }
      let started = Self.now()
      slot.started = started
      addBusyTime(until: started)
      running += 1
      pthread_mutex_unlock(mutex)
      task.work()
      pthread_mutex_lock(mutex)
      slot.started = 0
      if task.key != 0 { leave(key: task.key) }
      // An abandoned worker's group already counts as timed out, and its place was given to
      // another: it just leaves.
      if slot.abandoned { break }
      addBusyTime(until: Self.now())
      running -= 1
      finish(task.group)
    }
    pthread_mutex_unlock(mutex)
  }

  /// With the mutex held: the newest task whose key is not running, among the newest
  /// `lookahead`; else the newest. A folder's stat batches sit together on the stack, so a key
  /// is looked up once per run of equal keys.
  private func nextTask() -> Task? {
    guard let newest = tasks.last else { return nil }
    if newest.key == 0 || runningKeys.isEmpty || runningKeys[newest.key] == nil { return tasks.removeLast() }
    var busyKey = newest.key
    for index in tasks.indices.reversed().dropFirst().prefix(Self.lookahead - 1) {
      let key = tasks[index].key
      if key == busyKey { continue }
      if key == 0 || runningKeys[key] == nil { return tasks.remove(at: index) }
      busyKey = key
    }
    return tasks.removeLast()
  }

  private static let lookahead = 256

  /// With the mutex held.
  private func leave(key: UInt) {
    if let count = runningKeys[key], count > 1 { runningKeys[key] = count - 1 } else { runningKeys[key] = nil }
  }

  /// With the mutex held: adds the running tasks' time since the last change.
  private func addBusyTime(until now: Double) {
    busySeconds += Double(running) * (now - busySince)
    busySince = now
  }

  /// With the mutex held.
  private func finish(_ group: Int) {
    outstanding[group] -= 1
    if outstanding[group] == 0 { pthread_cond_broadcast(progress) }
  }

  /// Every 50 ms: abandons tasks that ran past the timeout; every `ThreadGovernor.windowSeconds`:
  /// lets the governor set the limit.
  private func startWatchdog() {
    let thread = Thread { [self] in
      var windowStart = Self.now()
      var cpuAtStart = Self.processCPUSeconds()
      var callsAtStart = 0
      var busyAtStart: Double = 0
      let traceStart = windowStart
      while true {
        usleep(50_000)
        var replacements = 0
        var grow = 0
        var traceLine: String?
        let done = locked { () -> Bool in
          if finished { return true }
          let now = Self.now()
          if let timeout {
            for slot in slots where !slot.abandoned && slot.started > 0 && now - slot.started > timeout {
              slot.abandoned = true
              addBusyTime(until: now)
              running -= 1
              timedOutGroups[slot.group] = true
              replacements += 1
            }
            if replacements > 0 { pthread_cond_broadcast(progress) }
          }
          if governor != nil && now - windowStart >= ThreadGovernor.windowSeconds {
            addBusyTime(until: now)
            let cpu = Self.processCPUSeconds()
            let callsNow = callsCounted()
            let window = ThreadGovernor.Window(
              calls: callsNow - callsAtStart, seconds: now - windowStart, busySeconds: busySeconds - busyAtStart,
              cpuSeconds: cpu - cpuAtStart, queued: tasks.count)
            let newLimit = governor!.next(window)
            if Self.traceGovernor {
              traceLine = String(
                format: "governor %.2f limit %d calls %d busy %.3f cpu %.3f queued %d -> %d\n", now - traceStart, limit,
                window.calls, window.busySeconds, window.cpuSeconds, window.queued, newLimit)
            }
            if newLimit > limit {
              grow = newLimit
              pthread_cond_broadcast(workAvailable)
            }
            limit = newLimit
            (windowStart, cpuAtStart, callsAtStart, busyAtStart) = (now, cpu, callsNow, busySeconds)
          }
          return false
        }
        if done { return }
        // Written outside the lock: a standard error nobody reads must not stall the workers.
        if let traceLine { _ = traceLine.withCString { write(2, $0, strlen($0)) } }
        for _ in 0..<replacements { startWorker() }
        if grow > 0 { ensureThreads(grow) }
      }
    }
    thread.start()
  }

  /// `IMMICH_AUDIT_TRACE_GOVERNOR=1`: each window's figures and the governor's answer on
  /// standard error, to see why a walk kept the threads it kept.
  private static let traceGovernor = getenv("IMMICH_AUDIT_TRACE_GOVERNOR").map { String(cString: $0) == "1" } ?? false

  /// User and system CPU time of the whole process.
  static func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
      + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
  }

  public static func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }
}

extension FileStatus {
  /// `stat` of many paths on a pool of `threads`, under `timeout`: nil for every path not
  /// answered by then (a dead mount), instead of a hang.
  public static func of(_ paths: [[UInt8]], threads: Int, timeout: Double?) -> [FileStatus?] {
    of(count: paths.count, threads: threads, timeout: timeout) { paths[$0] }
  }

  /// `stat` of `count` paths, the path at each position made by `path` on the thread that
  /// stats it: a caller with millions of paths never holds them all at once.
  public static func of(
    count: Int, threads: Int, timeout: Double?, path: @escaping @Sendable (Int) -> [UInt8]
  ) -> [FileStatus?] {
    guard count > 0 else { return [] }
    let results = Mutex<[FileStatus?]>(Array(repeating: nil, count: count))
    let pool = WorkPool(groups: 1, threads: threads, timeout: timeout)
    let batch = 64
    for start in stride(from: 0, to: count, by: batch) {
      let range = start..<min(start + batch, count)
      pool.submit(group: 0) {
        for position in range {
          let status = FileStatus.of(path(position))
          results.withLock { $0[position] = status }
        }
      }
    }
    _ = pool.wait()
    return results.withLock { $0 }
  }
}
