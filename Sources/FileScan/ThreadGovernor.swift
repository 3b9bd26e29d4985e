/// How many of a pool's threads may run tasks at once, decided window by window from what the
/// last window showed.
///
/// Why: a walk's system calls either cost CPU (a warm page cache: two cores gain nothing from a
/// third thread) or wait for someone else (a cold disk, NFS, a FUSE daemon), and only some of
/// those who make us wait serve many requests at once. A virtual disk read cold answered 2.8x
/// faster with 32 listings in flight than with 2; a FUSE daemon that spends its own CPU on each
/// call answers no faster with 8 than with 2 (BENCHMARKS.md, issue 17). Latency alone does not
/// tell them apart (that daemon's calls took longer than the cold disk's), so the governor asks
/// the only question that does: does doubling the threads raise the number of calls completed?
///
/// A trial doubles the limit (or quadruples it, where four times the process's CPU would still
/// leave cores idle) when the busy threads spent at least a quarter of their time off the CPU
/// (waiting in calls; a cold disk's calls spend much of it on the CPU, in the kernel's reading
/// of what arrived: with half as the trigger a cold walk kept 2 threads for seconds while a core
/// stayed idle), the process leaves a share of the cores idle (on this 2-core machine the
/// cold walk's kernel work filled both cores at 16 threads, and 32 completed no more), and
/// enough tasks are queued to keep the new threads busy. Calls per second vary by a third from
/// one window to the next as the walk moves between kinds of folders, so a trial lasts
/// two windows and is weighed against the two before it: it gained if calls per second rose by
/// `keepGain` and its second window did not fall below the two before (under other processes'
/// load one lucky window made a daemon that gains nothing look 15% faster; the first window
/// holds the new threads' start). Until a trial has been kept, a gain is confirmed against a
/// window back at the old limit: the windows before the first trial hold the walk's start (few
/// folders queued yet, a process and a daemon warming up) and may be slow for that alone; a
/// daemon that gains nothing kept 4x the threads now and then in CI that way. If that window
/// gained as much at the old limit (a cold walk speeds up severalfold at 2 threads in its first
/// seconds), the trial proved nothing and is tried again as after a first failure, without
/// waiting longer each time. Later trials are weighed against windows of a walk in its stride,
/// and a confirming window would cost each of them a window at the old limit (on the cold disk,
/// 1 s of a 17 s walk). Kept, the next trial may follow at once; otherwise the limit returns to
/// what it was and the next trial waits 2, 4, 8 … (at most 32) windows. It never goes below the
/// starting count. Only windows that ran the threads they are weighed for count: a baseline at
/// the limit, not while an undone trial's threads still finish their tasks; a trial's windows
/// once its added threads run. Without this rule a daemon serving one call at a time kept extra
/// threads (BENCHMARKS.md, "A daemon that answers one call at a time").
public struct ThreadGovernor: Sendable {
  /// What one window showed.
  public struct Window: Sendable {
    /// System calls (or other units of work) completed in the window.
    public var calls: Int
    public var seconds: Double
    /// Time the pool's threads spent running tasks.
    public var busySeconds: Double
    /// CPU time the process used.
    public var cpuSeconds: Double
    /// Tasks waiting for a thread at the window's end.
    public var queued: Int

    public init(calls: Int, seconds: Double, busySeconds: Double, cpuSeconds: Double, queued: Int) {
      self.calls = calls
      self.seconds = seconds
      self.busySeconds = busySeconds
      self.cpuSeconds = cpuSeconds
      self.queued = queued
    }

    /// The share of busy time spent off the CPU: 0 when calls cost only CPU.
    public var waitingShare: Double { busySeconds > 0 ? max(0, 1 - cpuSeconds / busySeconds) : 0 }

    /// How many threads ran tasks, on average over the window.
    public var running: Double { seconds > 0 ? busySeconds / seconds : 0 }
  }

  /// How long a window lasts. A trial of two windows of 100 ms lets a walk climb from 2 to 32
  /// threads in a second: with windows of 200 ms, a 5 s walk of a FUSE mount spent 2 s of it
  /// climbing.
  public static let windowSeconds = 0.1
  /// A trial keeps its threads when calls per second rose by this factor: on the cold virtual
  /// disk each doubling from 2 to 32 threads gained 1.22x to 1.68x.
  public static let keepGain = 1.15
  /// A trial needs the threads off the CPU at least this share of their busy time.
  public static let waitingShareToTry = 0.25
  /// … and the process to use less than this share of the cores.
  public static let coreShareToTry = 0.85
  /// A window is settled at a limit when its threads ran at most this many times the limit on
  /// average; a trial's window counts when they ran more than this many times the old limit.
  public static let settledShare = 1.25
  /// A trial whose added threads found nothing to run for this many windows ends, undone.
  public static let idleWindowsPerTrial = 4

  public let ceiling: Int
  public let cores: Int
  public private(set) var limit: Int
  /// The highest limit a trial kept.
  public private(set) var peak: Int
  private struct Trial {
    /// The limit before the trial, and calls per second at it.
    let from: Int
    let rate: Double
    /// Calls per second of the trial's windows in which the added threads ran.
    var windows: [Double] = []
    var windowsIdle = 0
    /// Once its windows gained: the trial's limit and their calls per second, while a window
    /// back at `from` confirms the gain.
    var gained: (limit: Int, rate: Double)?
  }
  private var trial: Trial?
  /// Calls per second of the window before the last.
  private var previousRate: Double?
  private var windowsToWait = 0
  private var failedTrials = 0
  /// The limit the walk started at, below which it never goes.
  private let start: Int
  /// No trial kept yet (a kept trial always rose above the start): a gain waits for a window
  /// back at the old limit.
  private var confirmsGains: Bool { peak == start }

  public init(start: Int, ceiling: Int, cores: Int) {
    limit = max(1, start)
    self.start = limit
    self.ceiling = max(limit, ceiling)
    self.cores = max(1, cores)
    peak = limit
  }

  /// Takes the last window's figures; returns the limit for the next window.
  public mutating func next(_ window: Window) -> Int {
    let rate = window.seconds > 0 ? Double(window.calls) / window.seconds : 0
    // A lower limit takes effect as running tasks end, and a task (a stat batch on a slow
    // mount) may outlast many windows: a window that still ran more threads than the limit
    // shows what those threads did, and is no baseline for the limit.
    let settled = window.running <= Double(limit) * Self.settledShare
    // Nor for a limit it did not run at: a confirming window back at the old limit is no
    // baseline for the trial's limit kept after it.
    let ranAt = limit
    defer { previousRate = settled && limit == ranAt ? rate : nil }
    if var trial, let gained = trial.gained {
      // The confirming window counts once the trial's threads have ended (their tasks run to
      // their end); if they never do, the gain stands as it was measured.
      if !settled && trial.windowsIdle + 1 < Self.idleWindowsPerTrial {
        trial.windowsIdle += 1
        self.trial = trial
        return limit
      }
      self.trial = nil
      if !settled || gained.rate >= rate * Self.keepGain {
        keep(gained.limit)
      } else if rate >= trial.rate * Self.keepGain {
        // The old limit gained as much by itself (a cold walk speeds up over its first seconds):
        // the trial showed nothing either way, and is tried again as after one failure.
        limit = trial.from
        windowsToWait = Self.firstWait
      } else {
        undo(trial.from)
      }
      return limit
    }
    if var trial {
      // The added threads start as tasks are queued for them: a window in which they did not
      // run yet says nothing of them.
      if window.running > Double(trial.from) * Self.settledShare {
        trial.windows.append(rate)
      } else {
        trial.windowsIdle += 1
      }
      guard trial.windows.count == 2 || trial.windowsIdle == Self.idleWindowsPerTrial else {
        self.trial = trial
        return limit
      }
      let rate = trial.windows.reduce(0, +) / 2
      if trial.windows.count == 2, rate >= trial.rate * Self.keepGain, trial.windows[1] >= trial.rate {
        if confirmsGains {
          trial.gained = (limit, rate)
          trial.windowsIdle = 0
          self.trial = trial
          limit = trial.from
        } else {
          self.trial = nil
          keep(limit)
        }
      } else {
        self.trial = nil
        undo(trial.from)
      }
      return limit
    }
    if windowsToWait > 0 {
      windowsToWait -= 1
      return limit
    }
    let coreShare = window.seconds > 0 ? window.cpuSeconds / (window.seconds * Double(cores)) : 1
    if let previousRate, settled, limit < ceiling, window.calls > 0,
      window.waitingShare >= Self.waitingShareToTry, coreShare < Self.coreShareToTry, window.queued >= limit
    {
      trial = Trial(from: limit, rate: (previousRate + rate) / 2)
      // Four times the threads where even four times this CPU would leave cores idle (calls
      // that wait on a network or a daemon), twice otherwise.
      limit = min(limit * (coreShare * 4 < Self.coreShareToTry ? 4 : 2), ceiling)
    }
    return limit
  }

  private mutating func keep(_ kept: Int) {
    limit = kept
    failedTrials = 0
    peak = max(peak, kept)
  }

  private mutating func undo(_ from: Int) {
    limit = from
    failedTrials += 1
    windowsToWait = Self.firstWait << min(failedTrials - 1, 4)
  }

  /// Windows a trial waits after one that failed; each further failure doubles it.
  private static let firstWait = 2
}
