import FileScan
import Glibc
import Synchronization

/// The temporary files a run's reports are written to, and the one step that renames them
/// into place (`commit`), under one lock with the interrupt handler (`interrupt`): a signal
/// either comes first (every temporary file removed, no output touched) or after the renaming
/// began (ignored: the run ends with its own code a moment later). Never half of each.
public enum ReportFiles {
  private struct State {
    var temporaries: Set<String> = []
    var interrupted = false
    var committing = false
  }

  private static let state = Mutex(State())

  /// What the interrupt handler calls first: false once the renaming has begun (the run is
  /// then left to finish); else every temporary file is removed, no new one may be made, and
  /// true.
  public static func interrupt() -> Bool {
    state.withLock { state in
      if state.committing { return false }
      state.interrupted = true
      for path in state.temporaries { PlainFile.remove(path) }
      state.temporaries.removeAll()
      return true
    }
  }

  /// Whether an interrupt has come (the run's failures are then the interrupt's doing).
  public static var interrupted: Bool { state.withLock { $0.interrupted } }

  /// A new, empty file `.NAME.tmp-PID-N` beside `path`, open for writing, removed by an
  /// interrupt until `commit` renames it (EINTR once interrupted).
  public static func createTemporary(beside path: String) throws(SystemError) -> (fd: Int32, path: String) {
    let slash = path.lastIndex(of: "/")
    let folder = slash.map { String(path[...$0]) } ?? ""
    let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
    let result: Result<(fd: Int32, path: String), SystemError> = state.withLock { state in
      if state.interrupted { return .failure(SystemError(EINTR)) }
      for attempt in 0..<100 {
        let temporary = "\(folder).\(name).tmp-\(getpid())-\(attempt)"
        do throws(SystemError) {
          let fd = try PlainFile.createNew(temporary)
          state.temporaries.insert(temporary)
          return .success((fd, temporary))
        } catch {
          if error.code != EEXIST { return .failure(error) }
        }
      }
      return .failure(SystemError(EEXIST))
    }
    return try result.get()
  }

  public static func removeTemporary(_ path: String) {
    state.withLock { state in
      if state.temporaries.remove(path) != nil { PlainFile.remove(path) }
    }
  }

  /// What `commit` did.
  public enum Commit: Equatable {
    case done
    /// An interrupt came first: nothing was renamed (its handler ends the run).
    case interrupted
    /// Rename number `index` failed; the temporary files not yet renamed are removed.
    case failed(index: Int, error: SystemError)
  }

  /// Renames each temporary file into place, unless an interrupt came first. From here on,
  /// interrupts are ignored.
  public static func commit(_ renames: [(from: String, to: String)]) -> Commit {
    let proceed = state.withLock { state in
      if state.interrupted { return false }
      state.committing = true
      return true
    }
    guard proceed else { return .interrupted }
    var outcome = Commit.done
    for (index, rename) in renames.enumerated() {
      if outcome == .done {
        do throws(SystemError) { try PlainFile.rename(rename.from, to: rename.to) } catch {
          outcome = .failed(index: index, error: error)
        }
      }
      if outcome != .done { PlainFile.remove(rename.from) }
    }
    state.withLock { $0.temporaries.removeAll() }
    return outcome
  }
}
