import Dispatch
import Foundation
import PostgresClient
import Synchronization

/// Ctrl-C: cancel the query running on the server (so it does not run on after we are gone),
/// then exit 130. The signal is taken on a dispatch queue, not in a signal handler, because the
/// main thread may sit inside a blocking libpq call.
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
      signalSource.setEventHandler {
        // Mark first: the main thread sees its query fail once cancelled, and must then leave
        // the exit to this handler rather than report a database error.
        interrupted.withLock { $0 = true }
        for canceller in cancellers.withLock({ $0 }) { canceller.cancel() }
        // Supervised, the parent says it (it exits first).
        if !Supervisor.isSupervised {
          let message = "immich-audit: interrupted\n"
          _ = message.withCString { write(2, $0, strlen($0)) }
        }
        _exit(number == SIGINT ? 130 : 143)
      }
      signalSource.resume()
      sources.append(signalSource)
    }
  }

  private static let interrupted = Mutex(false)

  /// Called before reporting a failure: if it came from an interrupt, wait for the handler to
  /// end the process with the interrupt's exit code.
  static func yieldIfInterrupted() {
    guard interrupted.withLock({ $0 }) else { return }
    while true { pause() }
  }

  static func watch(_ canceller: Canceller?) {
    guard let canceller else { return }
    cancellers.withLock { $0.append(canceller) }
  }
}
