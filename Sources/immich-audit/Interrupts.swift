import Dispatch
import FileScan
import Foundation
import PostgresClient
import Synchronization

/// Ctrl-C and SIGTERM: cancel the query running on the server (so it does not run on after we
/// are gone), remove every temporary report file, then exit 130 (143). The signal is taken on a
/// dispatch queue, not in a signal handler, because the main thread may sit inside a blocking
/// libpq call.
///
/// Report files are replaced in two steps (`ReportOutputs`): written to temporary files, then
/// renamed into place together (`commit`). The temporary files and that step are kept here,
/// under one lock with the handler, so that a signal either comes first (every temporary file
/// removed, no output touched, exit 130) or after the renaming began (ignored: the run ends
/// with its own code a moment later). Never half of each.
enum Interrupts {
  private struct State {
    var temporaries: Set<String> = []
    var interrupted = false
    var committing = false
  }

  private static let state = Mutex(State())
  private static let cancellers = Mutex<[Canceller]>([])
  /// Kept alive for the whole run; a released source stops delivering. Written once, before any
  /// signal can arrive.
  nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []
  private static let installed = Mutex(false)

  static func install() {
    let first = installed.withLock { done in
      defer { done = true }
      return !done
    }
    guard first else { return }
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let queue = DispatchQueue(label: "immich-audit.interrupts")
    for number in [SIGINT, SIGTERM] {
      let signalSource = DispatchSource.makeSignalSource(signal: number, queue: queue)
      signalSource.setEventHandler { interrupt(number) }
      signalSource.resume()
      sources.append(signalSource)
    }
  }

  private static func interrupt(_ number: Int32) {
    // Mark first: the main thread sees its query fail once cancelled, and must then leave the
    // exit to this handler rather than report a database error.
    let exits = state.withLock { state in
      if state.committing { return false }
      state.interrupted = true
      for path in state.temporaries { PlainFile.remove(path) }
      state.temporaries.removeAll()
      return true
    }
    guard exits else { return }
    for canceller in cancellers.withLock({ $0 }) { canceller.cancel() }
    // Supervised, the parent says it (it exits with our code).
    let code: Int32 = number == SIGINT ? 130 : 143
    if Supervisor.isSupervised { Supervisor.exit(code) }
    if number == SIGINT { Output.standardError("immich-audit: interrupted\n") }
    // _exit, not exit: this is not the main thread, which may hold a lock exit's handlers need.
    _exit(code)
  }

  /// Called before reporting a failure: if it came from an interrupt, wait for the handler to
  /// end the process with the interrupt's exit code.
  static func yieldIfInterrupted() {
    guard state.withLock({ $0.interrupted }) else { return }
    while true { pause() }
  }

  static func watch(_ canceller: Canceller?) {
    guard let canceller else { return }
    cancellers.withLock { $0.append(canceller) }
  }

  /// A new, empty file `.NAME.tmp-PID-N` beside `path`, open for writing, removed by an
  /// interrupt until `commit` renames it.
  static func createTemporary(beside path: String) throws(SystemError) -> (fd: Int32, path: String) {
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

  static func removeTemporary(_ path: String) {
    state.withLock { state in
      if state.temporaries.remove(path) != nil { PlainFile.remove(path) }
    }
  }

  /// Renames each temporary file into place, unless an interrupt came first (then it waits for
  /// the handler to exit). From here on, interrupts are ignored. On a failed rename the
  /// temporary files not yet renamed are removed and the failure returned.
  static func commit(_ renames: [(from: String, to: String)]) -> (index: Int, error: SystemError)? {
    let proceed = state.withLock { state in
      if state.interrupted { return false }
      state.committing = true
      return true
    }
    if !proceed { yieldIfInterrupted() }
    var failure: (index: Int, error: SystemError)?
    for (index, rename) in renames.enumerated() {
      if failure == nil {
        do { try PlainFile.rename(rename.from, to: rename.to) } catch { failure = (index, error) }
      }
      if failure != nil { PlainFile.remove(rename.from) }
    }
    state.withLock { $0.temporaries.removeAll() }
    return failure
  }
}
