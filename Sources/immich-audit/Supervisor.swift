import Foundation
import Glibc

/// Runs the filesystem commands in a child process and exits as soon as the child says how it
/// ended, without waiting for the child to be reaped.
///
/// Why: a filesystem call on a dead mount can block in the kernel in a way no signal ends (a
/// FUSE request the daemon has read but never answers; `umount -l` or the daemon's death is the
/// only cure). The audit leaves such a call in its thread and finishes, but a process with a
/// thread stuck there cannot be fully reaped, so the shell or CI job waiting for it would hang
/// too. The parent here waits for one status byte on a pipe instead, then exits with it: the
/// user gets the report and the exit code, and the stuck child is left to init. Ctrl-C ends the
/// parent at once (the terminal sends it to the child too).
enum Supervisor {
  static let statusVariable = "IMMICH_AUDIT_STATUS_FD"

  /// The child's end of the status pipe, when running supervised.
  nonisolated(unsafe) private static var statusDescriptor: Int32 = -1
  nonisolated(unsafe) private static var child: pid_t = 0

  static var isSupervised: Bool { statusDescriptor >= 0 }

  /// In the parent: spawns the child and never returns. In the child (or for commands that
  /// touch no filesystem) it returns at once.
  static func superviseIfNeeded() {
    let environment = ProcessInfo.processInfo.environment
    if let value = environment[statusVariable], let fd = Int32(value) {
      statusDescriptor = fd
      return
    }
    let arguments = CommandLine.arguments
    // counts and compare read only the database: nothing to guard.
    if arguments.count > 1 && ["counts", "compare"].contains(arguments[1]) { return }
    var pipeEnds: [Int32] = [0, 0]
    guard pipe(&pipeEnds) == 0 else { return }
    _ = fcntl(pipeEnds[0], F_SETFD, FD_CLOEXEC)
    var childEnvironment = environment
    childEnvironment[statusVariable] = String(pipeEnds[1])
    let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments.dropFirst()).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = childEnvironment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, nil, nil, argv, envp)
    guard spawned == 0 else {
      // Could not start a child: run unsupervised rather than not at all.
      close(pipeEnds[0])
      close(pipeEnds[1])
      return
    }
    close(pipeEnds[1])
    child = pid
    // Whoever started us may have left these blocked (the mask is inherited).
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&unblock, number) }
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    for number in [SIGINT, SIGTERM, SIGHUP] {
      signal(number) { received in
        kill(Supervisor.child, received)
        if received == SIGINT {
          let message = "immich-audit: interrupted\n"
          _ = message.withCString { write(2, $0, strlen($0)) }
        }
        _exit(received == SIGINT ? 130 : 128 + received)
      }
    }
    var status: UInt8 = 0
    var count: Int
    repeat { count = read(pipeEnds[0], &status, 1) } while count < 0 && errno == EINTR
    if count == 1 { _exit(Int32(status)) }
    // The child ended without a word (usage error, help, a crash): its exit status says how.
    var waitStatus: Int32 = 0
    while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
    _exit((waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f))
  }

  /// Ends the process with `code`. Supervised: the parent is told first and the standard
  /// streams are closed, so neither the parent nor a pipe reader waits on a thread still
  /// stuck on a dead mount.
  static func exit(_ code: Int32) -> Never {
    if statusDescriptor >= 0 {
      var byte = UInt8(truncatingIfNeeded: code)
      _ = write(statusDescriptor, &byte, 1)
      close(1)
      close(2)
      _exit(code)
    }
    Glibc.exit(code)
  }
}
