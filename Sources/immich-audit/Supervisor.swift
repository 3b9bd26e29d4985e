import ArgumentParser
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
  /// The parent's self-pipe, written by its signal handler.
  nonisolated(unsafe) private static var wakeWrite: Int32 = -1

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
    // The interrupt signals are held back from here until the handlers below are in place: one
    // that came in between would end this parent alone, and its child would go on to write the
    // reports of a run that has already "exited 130". The child starts with them let through
    // (whoever started us may have left them blocked; the mask is inherited).
    var interrupts = sigset_t()
    sigemptyset(&interrupts)
    for number in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&interrupts, number) }
    var childMask = sigset_t()
    pthread_sigmask(SIG_BLOCK, &interrupts, &childMask)
    for number in [SIGINT, SIGTERM, SIGHUP] { sigdelset(&childMask, number) }
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    posix_spawnattr_setsigmask(&attributes, &childMask)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
    let spawned = posix_spawn(&pid, executable, nil, &attributes, argv, envp)
    guard spawned == 0 else {
      // Could not start a child: run unsupervised rather than not at all.
      close(pipeEnds[0])
      close(pipeEnds[1])
      pthread_sigmask(SIG_UNBLOCK, &interrupts, nil)
      return
    }
    close(pipeEnds[1])
    child = pid
    // A signal is forwarded to the child and noted on a self-pipe; the loop below decides.
    var wake: [Int32] = [0, 0]
    guard pipe(&wake) == 0 else { _exit(2) }
    wakeWrite = wake[1]
    for number in [SIGINT, SIGTERM, SIGHUP] {
      signal(number) { received in
        kill(Supervisor.child, received)
        var byte = UInt8(truncatingIfNeeded: received)
        _ = write(Supervisor.wakeWrite, &byte, 1)
      }
    }
    // Now let them through, a pending one included: it reaches the handler, and the child.
    pthread_sigmask(SIG_UNBLOCK, &interrupts, nil)
    _exit(waitForChild(pid, status: pipeEnds[0], wake: wake[0]))
  }

  /// The parent's wait: the child's status byte is the exit code. After a signal the child
  /// decides the code too: 130 when it stopped before touching any output, its own code when
  /// its reports were already being put in place. A child stuck on a dead mount still answers
  /// (its handler runs on another thread); one that does not answer within half a second is
  /// left, and the run ends as interrupted.
  private static func waitForChild(_ pid: pid_t, status: Int32, wake: Int32) -> Int32 {
    var signalled: Int32 = 0
    var deadline = timespec()
    func finish(_ code: Int32) -> Int32 {
      if signalled != 0 && code == 130 { Output.standardError("immich-audit: interrupted\n") }
      return code
    }
    while true {
      var timeout: Int32 = -1
      if signalled != 0 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        timeout = max(0, Int32((deadline.tv_sec - now.tv_sec) * 1000 + (deadline.tv_nsec - now.tv_nsec) / 1_000_000))
      }
      var ready = [
        pollfd(fd: status, events: Int16(POLLIN), revents: 0), pollfd(fd: wake, events: Int16(POLLIN), revents: 0),
      ]
      let count = poll(&ready, 2, timeout)
      if count < 0 { continue }  // EINTR
      if count == 0 { return finish(signalled == SIGINT ? 130 : 128 + signalled) }
      if ready[0].revents != 0 {
        var byte: UInt8 = 0
        if read(status, &byte, 1) == 1 { return finish(Int32(byte)) }
        // The child ended without a word (usage error, help, a crash): its exit status says how.
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        return finish((waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f))
      }
      if ready[1].revents != 0 {
        var byte: UInt8 = 0
        _ = read(wake, &byte, 1)
        if signalled == 0 {
          signalled = Int32(byte)
          clock_gettime(CLOCK_MONOTONIC, &deadline)
          deadline.tv_nsec += 500_000_000
          if deadline.tv_nsec >= 1_000_000_000 {
            deadline.tv_sec += 1
            deadline.tv_nsec -= 1_000_000_000
          }
        }
      }
    }
  }

  /// Runs a command's body and ends the process with its exit code (a failure's too: an
  /// `ExitCode` thrown after its one line was told).
  static func exit(running body: () throws -> Int32) throws -> Never {
    do {
      exit(try body())
    } catch let exit as ExitCode {
      Self.exit(exit.rawValue)
    }
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
