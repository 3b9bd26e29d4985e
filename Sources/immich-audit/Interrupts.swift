import AuditReports
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
/// Report files are replaced in two steps (AuditReports' `ReportOutputs`): written to
/// temporary files, then renamed into place together. `ReportFiles` keeps both under one lock
/// with this handler, so that a signal either comes first (every temporary file removed, no
/// output touched, exit 130) or after the renaming began (ignored: the run ends with its own
/// code a moment later). Never half of each.
enum Interrupts {
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
    guard ReportFiles.interrupt() else { return }
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
    guard ReportFiles.interrupted else { return }
    while true { pause() }
  }

  static func watch(_ canceller: Canceller?) {
    guard let canceller else { return }
    cancellers.withLock { $0.append(canceller) }
  }
}
