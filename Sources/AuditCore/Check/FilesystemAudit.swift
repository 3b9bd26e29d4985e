import Crypto
import FileScan
import Foundation
import Synchronization

/// Counters a progress line reads while the audit runs (any thread).
public final class AuditProgress: Sendable {
  public let rowsRead = Atomic<Int>(0)
  public let filesWalked = Atomic<Int>(0)
  public init() {}
}

/// `check`: every path the database references against the filesystem, and every media file on
/// disk against the database (DESIGN.md § Roots and the mount guard, § Finding kinds).
///
/// The database side streams into a compact `ReferenceIndex`; each root is then walked once
/// (readdir with d_type; stat only where a size is needed) on threads of its own, matching each
/// file against the index by hash; what the walk did not see is missing if its folder was
/// listed, else stat'ed one by one.
public struct FilesystemAudit {
  public struct Options: Sendable {
    /// `--verify size` (the default): compare sizes with `fileSizeInByte`. `none`: stat only.
    public var checkSizes = true
    /// Threads walking roots at once.
    public var jobs = max(2, ProcessInfo.processInfo.activeProcessorCount)
    public init() {}
  }

  public let mapper: PathMapper
  /// The media location in the database's own prefix style (`upload`, `/usr/src/app/upload`, `/data`, …).
  public let mediaLocation: String
  public let libraries: [DatabaseOverview.Library]
  public var options: Options
  public var progress: AuditProgress

  public init(mapper: PathMapper, mediaLocation: String, libraries: [DatabaseOverview.Library], options: Options = Options(), progress: AuditProgress = AuditProgress()) {
    self.mapper = mapper
    self.mediaLocation = mediaLocation
    self.libraries = libraries
    self.options = options
    self.progress = progress
  }

  public struct Outcome: Sendable {
    public var roots: [AuditRoot]
    public var findings: [Finding]
    public var databaseSeconds: Double
    public var filesystemSeconds: Double
  }

  /// The roots: the five media folders, then every import path of every non-deleted library.
  public func roots() -> [AuditRoot] {
    var roots: [AuditRoot] = []
    let location = PathMapper.trimmed(mediaLocation)
    for kind in AuditRoot.Kind.mediaFolders {
      let container = location == "/" ? "/\(kind.rawValue)" : "\(location)/\(kind.rawValue)"
      roots.append(AuditRoot(kind: kind, container: container, host: mapper.hostPath(Array(container.utf8)).path, libraryId: nil))
    }
    for library in libraries where !library.deleted {
      for importPath in library.importPaths where !importPath.isEmpty {
        let container = PathMapper.trimmed(importPath)
        // The same folder listed twice in one library is walked once.
        if roots.contains(where: { $0.libraryId == library.id && $0.container == container }) { continue }
        roots.append(AuditRoot(kind: .importPath, container: container, host: mapper.hostPath(Array(container.utf8)).path, libraryId: library.id))
      }
    }
    return roots
  }

  /// A quick look at each root without walking it (for `explain`): exists, is a readable
  /// directory, has its marker, holds anything besides the marker.
  public func probedRoots() -> [AuditRoot] {
    roots().map { root in
      var root = root
      switch FileStatus.of(root.host) {
      case .missing: root.status = .missing
      case .file, .other: root.status = .notADirectory
      case .failed: root.status = .unreadable
      case .directory:
        if case .file = FileStatus.of(root.host + [UInt8(ascii: "/")] + WalkInputs.marker) { root.marker = true }
        // One listing, with O_NOATIME like every other read.
        var holdsSomething = false
        let problems = DirectoryWalker(wantSizes: false, shouldDescend: { _, _ in false }).walk(root.host) { entry in
          if entry.relativePath != WalkInputs.marker { holdsSomething = true }
        }
        root.status = !problems.isEmpty ? .unreadable : holdsSomething ? .ok : .empty
      }
      return root
    }
  }

  public func run(_ database: ImmichDatabase) throws(AuditError) -> Outcome {
    let databaseStart = Date()
    let index = try readReferences(database)
    let databaseSeconds = Date().timeIntervalSince(databaseStart)

    let filesystemStart = Date()
    var roots = roots()
    let rootOfPath = assignRoots(index, roots)
    let states = PathStates(count: index.pathCount)
    let wantsSize = sizeWanted(index)
    let walks = walkRoots(roots, index: index, rootOfPath: rootOfPath, wantsSize: wantsSize, states: states)
    var evaluation = Evaluation(index: index, roots: roots, rootOfPath: rootOfPath, walks: walks, states: states, libraries: libraries, checkSizes: options.checkSizes)
    evaluation.resolveUnseen()
    evaluation.decideRoots()
    roots = evaluation.roots
    var findings = evaluation.findings()
    findings.sort(by: Finding.reportOrder)
    return Outcome(roots: roots, findings: findings, databaseSeconds: databaseSeconds, filesystemSeconds: Date().timeIntervalSince(filesystemStart))
  }

  // MARK: Database side

  private func readReferences(_ database: ImmichDatabase) throws(AuditError) -> ReferenceIndex {
    let index = ReferenceIndex()
    var libraryIndex: [String: Int32] = [:]
    for (position, library) in libraries.enumerated() { libraryIndex[library.id] = Int32(position) }
    let progress = progress
    try database.streamOriginals { record in
      var flags: ReferenceIndex.Flags = []
      if record.trashed { flags.insert(.trashed) }
      if record.offline { flags.insert(.offline) }
      if record.status == "deleted" { flags.insert(.deletedStatus) }
      if record.pathHashed && record.checksum != PathChecksum.hex(of: record.path) { flags.insert(.pathChecksumMismatch) }
      let path = index.intern(databasePath: record.path, hostPath: mapper.hostPath(record.path).path)
      let name = record.fileName.isEmpty ? -1 : index.addFileName(Array(record.fileName.utf8))
      index.add(.init(
        path: path, kind: .original, flags: flags, library: record.libraryId.flatMap { libraryIndex[$0] } ?? -1,
        expectedSize: record.size ?? -1, rowId: CompactID(record.assetId, overflow: &index.ids),
        ownerId: CompactID(record.ownerId, overflow: &index.ids), fileName: name))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    try database.streamReferencedFiles { file in
      let path = index.intern(databasePath: file.path, hostPath: mapper.hostPath(file.path).path)
      index.add(.init(
        path: path, kind: ReferenceIndex.Kind(file.kind), flags: [], library: -1, expectedSize: -1,
        rowId: CompactID(file.ownerRowId, overflow: &index.ids), ownerId: CompactID(file.ownerId, overflow: &index.ids), fileName: -1))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    return index
  }

  /// Each path's root: the root whose host folder is the longest whole-component prefix (-1: none).
  private func assignRoots(_ index: ReferenceIndex, _ roots: [AuditRoot]) -> [Int32] {
    let order = roots.indices.sorted { roots[$0].host.count > roots[$1].host.count }
    var result = [Int32](repeating: -1, count: index.pathCount)
    index.hostPaths.bytes.withUnsafeBufferPointer { bytes in
      for path in 0..<index.pathCount {
        let range = index.hostPaths.range(path)
        for root in order {
          let prefix = roots[root].host
          guard range.count > prefix.count, bytes[range.lowerBound + prefix.count] == UInt8(ascii: "/") else { continue }
          if prefix.withUnsafeBufferPointer({ memcmp(bytes.baseAddress! + range.lowerBound, $0.baseAddress!, prefix.count) == 0 }) {
            result[path] = Int32(root)
            break
          }
        }
      }
    }
    return result
  }

  /// Paths whose size is compared: an original with a recorded size, unless `--verify none`.
  private func sizeWanted(_ index: ReferenceIndex) -> [Bool] {
    var wanted = [Bool](repeating: false, count: index.pathCount)
    guard options.checkSizes else { return wanted }
    for reference in index.references where reference.kind == .original && reference.expectedSize >= 0 {
      wanted[Int(reference.path)] = true
    }
    return wanted
  }

  // MARK: Disk side

  /// What one root's walk found besides the referenced paths it marked in `PathStates`.
  struct RootWalk: Sendable {
    var status: AuditRoot.Status = .ok
    var marker = false
    var files = 0
    /// Files no reference accounts for: (relative path, kind of finding, size).
    var unmatched: [(relative: [UInt8], kind: FindingKind, size: Int64)] = []
    var problems: [WalkProblem] = []
    var listed: Set<[UInt8]> = []
  }

  private func walkRoots(_ roots: [AuditRoot], index: ReferenceIndex, rootOfPath: [Int32], wantsSize: [Bool], states: PathStates) -> [RootWalk] {
    let results = Mutex<[RootWalk]>(Array(repeating: RootWalk(), count: roots.count))
    let next = Atomic<Int>(0)
    let group = DispatchGroup()
    let rules = roots.map { root in root.kind == .importPath ? ImportPathRules(exclusionPatterns: libraries.first { $0.id == root.libraryId }?.exclusionPatterns ?? []) : nil }
    let libraryOfRoot = roots.map { root in Int32(libraries.firstIndex { $0.id == root.libraryId } ?? -1) }
    let shared = WalkInputs(roots: roots, index: index, rootOfPath: rootOfPath, wantsSize: wantsSize, states: states, rules: rules, libraryOfRoot: libraryOfRoot, progress: progress)
    // Own threads, not the cooperative pool: a walk blocks in syscalls.
    for _ in 0..<min(options.jobs, max(roots.count, 1)) {
      group.enter()
      let thread = Thread {
        while true {
          let root = next.add(1, ordering: .relaxed).oldValue
          guard root < shared.roots.count else { break }
          let walk = shared.walk(root)
          results.withLock { $0[root] = walk }
        }
        group.leave()
      }
      thread.stackSize = 1 << 22
      thread.start()
    }
    group.wait()
    return results.withLock { $0 }
  }
}

/// What the walk threads share (read-only, but for `PathStates`, whose elements are each
/// written by one root's walker only).
private struct WalkInputs: @unchecked Sendable {
  let roots: [AuditRoot]
  let index: ReferenceIndex
  let rootOfPath: [Int32]
  let wantsSize: [Bool]
  let states: PathStates
  let rules: [ImportPathRules?]
  let libraryOfRoot: [Int32]
  let progress: AuditProgress

  static let marker = Array(".immich".utf8)
  static let originalOrSidecar = ReferenceIndex.Kind.original.bit | ReferenceIndex.Kind.sidecar.bit
  static let derivativeSources: UInt16 = [ReferenceIndex.Kind.original, .preview, .thumbnail, .fullsize, .encodedVideo, .personThumbnail].reduce(0) { $0 | $1.bit }

  func walk(_ rootIndex: Int) -> FilesystemAudit.RootWalk {
    let root = roots[rootIndex]
    var result = FilesystemAudit.RootWalk()
    switch FileStatus.of(root.host) {
    case .missing: result.status = .missing; return result
    case .file, .other: result.status = .notADirectory; return result
    case .failed: result.status = .unreadable; return result
    case .directory: break
    }
    if root.kind != .importPath, case .file = FileStatus.of(root.host + [UInt8(ascii: "/")] + Self.marker) { result.marker = true }
    var walker = DirectoryWalker(wantSizes: false)
    switch root.kind {
    case .encodedVideo:
      // HLS session folders: anything more than four levels below encoded-video/.
      walker.shouldDescend = { parent, _ in Self.depth(parent) + 1 < 4 }
    case .importPath:
      // Immich never imports below a hidden folder; referenced files there are stat'ed one by
      // one. Another import path of the same library nested inside this one is its own root,
      // walked once, by itself.
      let nested = Set(roots.enumerated().compactMap { other -> [UInt8]? in
        guard other.offset != rootIndex, other.element.libraryId == root.libraryId,
          other.element.host.count > root.host.count + 1, other.element.host.starts(with: root.host + [UInt8(ascii: "/")])
        else { return nil }
        return Array(other.element.host[(root.host.count + 1)...])
      })
      walker.shouldDescend = { parent, name in
        guard name.first != UInt8(ascii: ".") else { return false }
        return nested.isEmpty || !nested.contains(parent.isEmpty ? name : parent + [UInt8(ascii: "/")] + name)
      }
    default: break
    }
    var listed = Set<[UInt8]>()
    walker.didList = { listed.insert($0) }
    let hostPrefix = root.host + [UInt8(ascii: "/")]
    let containerPrefix = Array(root.container.utf8) + [UInt8(ascii: "/")]
    let library = libraryOfRoot[rootIndex]
    let problems = walker.walk(root.host) { entry in
      progress.filesWalked.add(1, ordering: .relaxed)
      let hostPath = hostPrefix + entry.relativePath
      let path = index.lookup(hostPath)
      if let path, rootOfPath[Int(path)] == Int32(rootIndex) {
        switch entry.kind {
        case .other: states.record(path, .other)
        case .directory: states.record(path, .directory)
        case .file:
          if wantsSize[Int(path)] {
            switch entry.status() {
            case .file(let size): states.record(path, .file, size: size)
            case .directory: states.record(path, .directory)
            case .other: states.record(path, .other)
            case .missing: states.record(path, .missing)
            case .failed(let code): states.record(path, .unreadable, errno: code)
            }
          } else {
            states.record(path, .file)
          }
        }
      }
      guard entry.kind == .file else { return }
      let isMarker = entry.relativePath == Self.marker
      if !isMarker { result.files += 1 }
      var finding: FindingKind?
      let kinds = path.map { index.kindsAt[Int($0)] } ?? 0
      switch root.kind {
      case .upload, .library:
        if !isMarker && kinds & Self.originalOrSidecar == 0 { finding = .untrackedUpload }
      case .thumbs, .encodedVideo:
        if !isMarker && kinds & Self.derivativeSources == 0 { finding = .orphanedDerivative }
      case .profile:
        break
      case .importPath:
        let indexed = path.map { index.isOriginal($0, ofLibrary: library) } ?? false
        if !indexed, let rules = rules[rootIndex], rules.wouldImport(relativePath: entry.relativePath, containerPath: String(decoding: containerPrefix + entry.relativePath, as: UTF8.self)) {
          finding = .unindexedOriginal
        }
      }
      if let finding {
        var size: Int64 = -1
        if case .file(let s) = entry.status() { size = s }
        result.unmatched.append((entry.relativePath, finding, size))
      }
    }
    if problems.contains(where: { $0.relativePath.isEmpty }) {
      result.status = .unreadable
      return result
    }
    result.problems = problems
    result.listed = listed
    if result.files == 0 { result.status = .empty }
    return result
  }

  static func depth(_ relative: [UInt8]) -> Int {
    relative.isEmpty ? 0 : relative.reduce(1) { $0 + ($1 == UInt8(ascii: "/") ? 1 : 0) }
  }
}

/// `sha1("path:" + originalPath)`, the checksum Immich gives path-hashed (external) assets.
public enum PathChecksum {
  public static func hex(of path: [UInt8]) -> String {
    Insecure.SHA1.hash(data: Array("path:".utf8) + path).map { String(format: "%02x", $0) }.joined()
  }
}
