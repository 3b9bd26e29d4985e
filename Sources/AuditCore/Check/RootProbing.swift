import FileScan
import Synchronization

/// The roots of a check (DESIGN.md § Roots and the mount guard) and a first look at each.
extension FilesystemAudit {
  /// The roots: the five media folders, then every import path of every non-deleted library.
  public func roots() -> [AuditRoot] {
    var roots: [AuditRoot] = []
    let location = PathMapper.trimmed(mediaLocation)
    for kind in AuditRoot.Kind.mediaFolders {
      let container = location == "/" ? "/\(kind.rawValue)" : "\(location)/\(kind.rawValue)"
      roots.append(
        AuditRoot(kind: kind, container: container, host: mapper.hostPath(Array(container.utf8)).path, libraryId: nil))
    }
    for library in libraries where !library.deleted {
      for importPath in library.importPaths where !importPath.isEmpty {
        let container = PathMapper.trimmed(importPath)
        // The same folder listed twice in one library is walked once.
        if roots.contains(where: { $0.libraryId == library.id && $0.container == container }) { continue }
        roots.append(
          AuditRoot(
            kind: .importPath, container: container, host: mapper.hostPath(Array(container.utf8)).path,
            libraryId: library.id))
      }
    }
    return roots
  }

  /// A quick look at each root without walking it (for `explain`): exists, is a readable
  /// directory, has its marker, holds anything besides the marker. Under the I/O timeout, so a
  /// dead mount shows as timed out instead of hanging.
  public func probedRoots() -> [AuditRoot] {
    let roots = roots()
    let pool = WorkPool(groups: roots.count, threads: max(roots.count, 2), timeout: options.ioTimeout)
    let results = Mutex<[AuditRoot]>(roots)
    for (index, root) in roots.enumerated() {
      pool.submit(group: index) {
        var probed = root
        RootProbe.probe(&probed)
        if probed.status == .ok {
          let listing = ParallelWalker.collect(root.host, threads: 1, sizes: false, shouldDescend: { _, _ in false })
          probed.status =
            !listing.problems.isEmpty
            ? .unreadable : listing.entries.contains { $0.relativePath != RootProbe.marker } ? .ok : .empty
        }
        results.withLock { $0[index] = probed }
      }
    }
    let timedOut = pool.wait()
    return results.withLock { current in
      current.enumerated().map { index, root in
        var root = root
        if timedOut[index] { root.status = .timedOut }
        return root
      }
    }
  }
}

/// The first look at a root: is it there, a directory, readable; its `.immich` marker.
enum RootProbe {
  static let marker = Array(".immich".utf8)

  static func probe(_ root: inout AuditRoot) {
    switch FileStatus.of(root.host) {
    case .missing: root.status = .missing
    case .file, .other: root.status = .notADirectory
    case .failed: root.status = .unreadable
    case .directory:
      root.status = .ok
      if root.kind != .importPath { root.marker = markerReadable(in: root.host) }
    }
  }

  /// Whether `folder`'s `.immich` is a regular file that opens for reading, as Immich's start
  /// reads it (a directory or an unreadable file stops Immich as a missing one does).
  static func markerReadable(in folder: [UInt8]) -> Bool {
    let path = folder + [UInt8(ascii: "/")] + marker
    guard case .file = FileStatus.of(path) else { return false }
    let fd = PlainFile.openNoAtime(path)
    guard fd >= 0 else { return false }
    PlainFile.close(fd)
    return true
  }

  /// Whether each folder's marker is readable (nil: the look did not end within the I/O
  /// timeout), looked at on a pool so that a dead mount cannot hang the audit.
  static func markersReadable(in folders: [[UInt8]], timeout: Double?) -> [Bool?] {
    guard !folders.isEmpty else { return [] }
    let pool = WorkPool(groups: folders.count, threads: max(folders.count, 2), timeout: timeout)
    let results = Mutex<[Bool]>(Array(repeating: false, count: folders.count))
    for (number, folder) in folders.enumerated() {
      pool.submit(group: number) {
        let readable = markerReadable(in: folder)
        results.withLock { $0[number] = readable }
      }
    }
    let timedOut = pool.wait()
    return results.withLock { readable in folders.indices.map { timedOut[$0] ? nil : readable[$0] } }
  }
}
