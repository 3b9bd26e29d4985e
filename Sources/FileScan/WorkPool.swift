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
public final class WorkPool: @unchecked Sendable {
  private struct Task {
    let group: Int
    let work: @Sendable () -> Void
  }

  /// What one worker thread is doing, read by the watchdog.
  // Every mutable property below is read and written only with `mutex` held (and the mutex
  // and conditions themselves through pthreads): Swift's run-time exclusivity checks on them
  // would only repeat what the mutex guarantees, at a measurable cost to a walk (BENCHMARKS.md).
  private final class Slot: @unchecked Sendable {
    @exclusivity(unchecked) var group = -1
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
  public let timeout: Double?
  public private(set) var threads = 0

  /// `groups` groups numbered from 0; `threads` workers to start with.
  public init(groups: Int, threads: Int, timeout: Double?) {
    outstanding = Array(repeating: 0, count: groups)
    timedOutGroups = Array(repeating: false, count: groups)
    self.timeout = timeout
    mutex.initialize(to: pthread_mutex_t())
    workAvailable.initialize(to: pthread_cond_t())
    progress.initialize(to: pthread_cond_t())
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(workAvailable, nil)
    pthread_cond_init(progress, nil)
    ensureThreads(threads)
    if timeout != nil { startWatchdog() }
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

  /// Grows the pool to at least `count` live workers (never shrinks it).
  public func ensureThreads(_ count: Int) {
    let missing = locked { () -> Int in
      let live = slots.filter { !$0.abandoned }.count
      return max(0, count - live)
    }
    for _ in 0..<missing { startWorker() }
  }

  public func submit(group: Int, _ work: @escaping @Sendable () -> Void) {
    locked {
      outstanding[group] += 1
      tasks.append(Task(group: group, work: work))
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
    let slot = Slot()
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
    pthread_mutex_lock(mutex)
    while !finished && !slot.abandoned {
      guard let task = tasks.popLast() else {
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
      slot.started = Self.now()
      pthread_mutex_unlock(mutex)
      task.work()
      pthread_mutex_lock(mutex)
      slot.started = 0
      // An abandoned worker's group already counts as timed out: it just leaves.
      if slot.abandoned { break }
      finish(task.group)
    }
    pthread_mutex_unlock(mutex)
  }

  /// With the mutex held.
  private func finish(_ group: Int) {
    outstanding[group] -= 1
    if outstanding[group] == 0 { pthread_cond_broadcast(progress) }
  }

  private func startWatchdog() {
    let thread = Thread { [self] in
      while true {
        usleep(50_000)
        var replacements = 0
        let done = locked { () -> Bool in
          if finished { return true }
          let now = Self.now()
          for slot in slots where !slot.abandoned && slot.started > 0 && now - slot.started > timeout! {
            slot.abandoned = true
            timedOutGroups[slot.group] = true
            replacements += 1
          }
          if replacements > 0 { pthread_cond_broadcast(progress) }
          return false
        }
        if done { return }
        for _ in 0..<replacements { startWorker() }
      }
    }
    thread.start()
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
    guard !paths.isEmpty else { return [] }
    let results = Mutex<[FileStatus?]>(Array(repeating: nil, count: paths.count))
    let pool = WorkPool(groups: 1, threads: threads, timeout: timeout)
    let batch = 64
    for start in stride(from: 0, to: paths.count, by: batch) {
      let range = start..<min(start + batch, paths.count)
      let slice = Array(paths[range])
      pool.submit(group: 0) {
        for (offset, path) in slice.enumerated() {
          let status = FileStatus.of(path)
          results.withLock { $0[range.lowerBound + offset] = status }
        }
      }
    }
    _ = pool.wait()
    return results.withLock { $0 }
  }
}
