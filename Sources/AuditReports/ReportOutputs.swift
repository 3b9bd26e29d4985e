import FileScan
import Foundation

/// A report that could not be written: one sentence, and the exit code DESIGN.md gives it (64:
/// two options name one file; 2: a destination cannot be written; 130: interrupted).
public struct ReportOutputError: Error, CustomStringConvertible {
  public let message: String
  public let exitCode: Int32
  init(_ message: String, exitCode: Int32) {
    self.message = message
    self.exitCode = exitCode
  }
  public var description: String { message }
}

/// One place a report goes: standard output, or a file named by an option.
public struct ReportDestination: Sendable {
  /// The option that named it (`--output`, `--prometheus`), for messages.
  public let option: String
  /// nil: standard output.
  public let path: String?

  public init(option: String, path: String?) {
    self.option = option
    self.path = path
  }

  public static func standardOutput() -> ReportDestination { ReportDestination(option: "standard output", path: nil) }

  /// How messages name it.
  public var name: String { path.map { option.hasSuffix(":") ? option + $0 : "\(option) \($0)" } ?? "standard output" }
}

/// Writes a run's reports so that none is lost, half-written or left behind as debris.
///
/// - Before the audit (`preflight`): every destination is checked, so a typo in a folder name
///   fails in a second instead of after an hour's audit: standard output must be open for
///   writing, a file's folder must take a new file (one is created and removed at once), an
///   existing destination must not be a folder, and two options may not name the same file.
/// - After it (`write`): every regular file is written to a temporary file beside it (with the
///   replaced file's mode and owner), then standard output and what is not a regular file
///   (`/dev/null`, a FIFO) as streams, then all temporary files are renamed into place at once.
///   An interrupt before that last step removes every temporary file and leaves the previous
///   outputs untouched (exit 130); once renaming has begun, the run ends with its own code.
public struct ReportOutputs: Sendable {
  public let destinations: [ReportDestination]

  /// A command's one report: `--output FILE`, or stdout.
  public init(output: String?) {
    destinations = [output.map { ReportDestination(option: "--output", path: $0) } ?? .standardOutput()]
  }

  public init(destinations: [ReportDestination]) {
    self.destinations = destinations
  }

  /// Every destination checked; the failure, if any, already printed. Exit 64 when two options
  /// name one regular file (judged on the names, symbolic links resolved and `.`/`..` removed;
  /// two hard links to one file are not caught), 2 when a destination cannot be written.
  public func preflight() throws(ReportOutputError) {
    var seen: [(String, ReportDestination)] = []
    if destinations.filter({ $0.path == nil }).count > 1 {
      throw ReportOutputError(
        "two reports would go to standard output: give --output FILE for the main one, or a file to each --report",
        exitCode: 64)
    }
    for destination in destinations {
      guard let path = destination.path else {
        if !Self.standardOutputWritable() {
          throw ReportOutputError(
            "cannot write the report to standard output: \(SystemError(EBADF)) (it is closed)", exitCode: 2)
        }
        continue
      }
      if path.isEmpty { throw ReportOutputError("\(destination.option): give a file name", exitCode: 64) }
      let target = Self.resolved(path)
      if let other = seen.first(where: { $0.0 == target.path && target.isRegularOrAbsent }) {
        throw ReportOutputError(
          "\(other.1.name) and \(destination.name) name the same file: give each its own", exitCode: 64)
      }
      seen.append((target.path, destination))
      if target.isDirectory {
        throw ReportOutputError("\(destination.name): is a directory; name a file in it", exitCode: 2)
      }
      if !target.isRegularOrAbsent {
        // A device or FIFO is written as it is: it must be writable by us.
        if let error = PlainFile.writeAccess(target.path) { throw cannotWrite(destination, error) }
        continue
      }
      // Proves the folder exists and takes a new file (read-only mounts and permissions
      // included, which access(2) misjudges for root); removed at once.
      do {
        let probe = try ReportFiles.createTemporary(beside: target.path)
        PlainFile.close(probe.fd)
        ReportFiles.removeTemporary(probe.path)
      } catch {
        throw cannotWrite(destination, error)
      }
    }
  }

  /// A report, rendered straight into its destination (never whole in memory).
  public typealias Render = (ReportSink) -> Void

  /// Writes text that is already whole (a short report).
  public static func text(_ text: String) -> Render { { $0.write(text) } }

  /// Writes each destination's report (`reports` in the order of `destinations`, nil to skip
  /// one) as described above.
  public func write(_ reports: [Render?]) throws(ReportOutputError) {
    var renames: [(from: String, to: String, destination: ReportDestination)] = []
    var streams: [(fd: Int32, close: Bool, destination: ReportDestination, render: Render)] = []
    do throws(ReportOutputError) {
      for (destination, render) in zip(destinations, reports) {
        guard let render else { continue }
        guard let path = destination.path else {
          streams.append((1, false, destination, render))
          continue
        }
        let target = Self.resolved(path)
        if target.isDirectory {
          throw ReportOutputError("\(destination.name): is a directory; name a file in it", exitCode: 2)
        }
        if !target.isRegularOrAbsent {
          let fd: Int32
          do { fd = try PlainFile.openForWriting(target.path) } catch { throw cannotWrite(destination, error) }
          streams.append((fd, true, destination, render))
          continue
        }
        let temporary: (fd: Int32, path: String)
        do {
          temporary = try ReportFiles.createTemporary(beside: target.path)
        } catch {
          throw cannotWrite(destination, error)
        }
        renames.append((temporary.path, target.path, destination))
        defer { PlainFile.close(temporary.fd) }
        // The replaced file's mode and owner, as an editor saving in place keeps them.
        if let existing = target.status { PlainFile.copyOwnerAndMode(to: temporary.fd, from: existing) }
        let sink = ReportSink(fd: temporary.fd)
        render(sink)
        if let error = sink.finish() { throw cannotWrite(destination, error, sink) }
      }
      for stream in streams {
        defer { if stream.close { PlainFile.close(stream.fd) } }
        let sink = ReportSink(fd: stream.fd)
        stream.render(sink)
        if let error = sink.finish() { throw cannotWrite(stream.destination, error, sink) }
      }
    } catch {
      for rename in renames { ReportFiles.removeTemporary(rename.from) }
      throw error
    }
    switch ReportFiles.commit(renames.map { ($0.from, $0.to) }) {
    case .done: return
    case .interrupted: throw ReportOutputError("interrupted before the reports were written", exitCode: 130)
    case .failed(let index, let error): throw cannotWrite(renames[index].destination, error)
    }
  }

  /// The failure of a destination; a report its render abandoned fails for the render's reason.
  private func cannotWrite(_ destination: ReportDestination, _ error: SystemError, _ sink: ReportSink? = nil)
    -> ReportOutputError
  {
    if let reason = sink?.abandoned { return ReportOutputError(reason, exitCode: 2) }
    if destination.path == nil {
      return ReportOutputError("cannot write the report to standard output: \(error)", exitCode: 2)
    }
    return ReportOutputError("\(destination.name): cannot write it (\(error))", exitCode: 2)
  }

  /// Whether descriptor 1 is open for writing (`>&-` closes it; see `StandardStreams`).
  public static func standardOutputWritable() -> Bool {
    PlainFile.accessMode(1).map { $0 != O_RDONLY } ?? false
  }

  /// A destination as it will be written: through a symbolic link, the file it names (the link
  /// stays); what is there now, if anything.
  struct Target {
    var path: String
    var status: stat?
    var isDirectory: Bool { status.map { ($0.st_mode & S_IFMT) == S_IFDIR } ?? false }
    var isRegularOrAbsent: Bool { status.map { ($0.st_mode & S_IFMT) == S_IFREG } ?? true }
  }

  static func resolved(_ path: String) -> Target {
    var path = path
    if let link = PlainFile.status(path, followingLinks: false), (link.st_mode & S_IFMT) == S_IFLNK,
      let real = PlainFile.realPath(path)
    {
      path = real
    }
    // Two spellings of one name (./a, a, /cwd/a) are one file.
    let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    let standard = URL(fileURLWithPath: absolute).standardizedFileURL.path
    return Target(path: standard, status: PlainFile.status(standard))
  }

}
