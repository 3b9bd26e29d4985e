import Glibc
import Synchronization

/// One entry of a directory listing as the walk hands it to its visitor.
public struct ListedEntry: Sendable {
  public let name: [UInt8]
  public internal(set) var kind: EntryKind
  /// Read when the visitor asked for it (`wantsSize`) or a `stat` was needed anyway.
  public internal(set) var size: Int64?
  /// The visitor's own notes from `plan` (e.g. the index of a known path, what the entry is
  /// to it), handed back in `visit`.
  public var token: Int32 = -1
  public var mark: Int8 = -1
  /// Set in `plan` for a regular file whose size is wanted.
  public var wantsSize = false
  /// `d_type` did not tell (DT_UNKNOWN, or a symbolic link, which is followed).
  var needsStat: Bool
}

/// What a walk reports, from many threads at once: implementations must be thread-safe.
public protocol WalkVisitor: Sendable {
  /// Before any `stat`: look at a directory's names, note tokens, say which sizes are wanted.
  func plan(root: Int, directory: [UInt8], entries: inout [ListedEntry])
  /// Entries of one directory with their kinds settled (in one or several calls).
  func visit(root: Int, directory: [UInt8], entries: [ListedEntry])
  func shouldDescend(root: Int, directory: [UInt8], name: [UInt8]) -> Bool
  /// A directory whose listing was read in full ([] is the root).
  func listed(root: Int, directory: [UInt8])
  /// A directory that could not be opened or read, or an entry that could not be stat'ed.
  func problem(root: Int, path: [UInt8], errno: Int32)
}

/// Walks several roots at once on a `WorkPool`, a task per directory and, where `stat` calls
/// are needed, a task per batch of entries, so that many calls are in flight on network and
/// FUSE filesystems while a local walk stays depth-first. Every directory is opened read-only
/// with `O_NOATIME`; symbolic links are followed; a directory reached twice (same device and
/// inode) is walked once.
public final class ParallelWalker: Sendable {
  public let roots: [[UInt8]]
  let pool: WorkPool
  let visitor: any WalkVisitor
  /// Entries stat'ed per task: small where each call is a network round trip.
  let statBatch: Int
  private let visited = Mutex<Set<DeviceInode>>([])

  public init(roots: [[UInt8]], pool: WorkPool, visitor: any WalkVisitor, statBatch: Int = 64) {
    self.roots = roots
    self.pool = pool
    self.visitor = visitor
    self.statBatch = statBatch
  }

  /// Queues the walk of root `index` (in the pool's group `index`).
  public func start(root index: Int) {
    pool.submit(group: index) { [self] in list(root: index, directory: []) }
  }

  private func list(root: Int, directory: [UInt8]) {
    let path = directory.isEmpty ? roots[root] : roots[root] + [UInt8(ascii: "/")] + directory
    let fd = Directories.open(AT_FDCWD, path)
    guard fd >= 0 else {
      visitor.problem(root: root, path: directory, errno: -fd)
      return
    }
    let handle = DirectoryHandle(fd)
    var s = Glibc.stat()
    if fstat(fd, &s) == 0 {
      guard visited.withLock({ $0.insert(DeviceInode(s)).inserted }) else { return }
    }
    guard let (entries, readError) = handle.read() else {
      visitor.problem(root: root, path: directory, errno: errno)
      return
    }
    var planned = entries
    visitor.plan(root: root, directory: directory, entries: &planned)
    var ready: [ListedEntry] = []
    var toStat: [ListedEntry] = []
    for entry in planned {
      if entry.needsStat || (entry.kind == .file && entry.wantsSize) { toStat.append(entry) } else { ready.append(entry) }
    }
    // Spread the stat calls over the pool when there are many; a few are cheaper here.
    var start = toStat.count <= statBatch ? toStat.count : 0
    if start > 0 {
      ready += statEntries(toStat, in: handle, root: root, directory: directory)
    }
    while start < toStat.count {
      let batch = Array(toStat[start..<min(start + statBatch, toStat.count)])
      start += statBatch
      pool.submit(group: root) { [self] in
        let done = statEntries(batch, in: handle, root: root, directory: directory)
        deliver(done, root: root, directory: directory)
      }
    }
    deliver(ready, root: root, directory: directory)
    if let readError {
      visitor.problem(root: root, path: directory, errno: readError)
    } else {
      visitor.listed(root: root, directory: directory)
    }
  }

  /// Hands entries to the visitor and queues their subdirectories.
  private func deliver(_ entries: [ListedEntry], root: Int, directory: [UInt8]) {
    guard !entries.isEmpty else { return }
    visitor.visit(root: root, directory: directory, entries: entries)
    for entry in entries where entry.kind == .directory && visitor.shouldDescend(root: root, directory: directory, name: entry.name) {
      let child = directory.isEmpty ? entry.name : directory + [UInt8(ascii: "/")] + entry.name
      pool.submit(group: root) { [self] in list(root: root, directory: child) }
    }
  }

  private func statEntries(_ entries: [ListedEntry], in handle: DirectoryHandle, root: Int, directory: [UInt8]) -> [ListedEntry] {
    var result: [ListedEntry] = []
    result.reserveCapacity(entries.count)
    for var entry in entries {
      let status = entry.name.withUnsafeBufferPointer { buffer in
        withNulTerminated(buffer) { FileStatus.at(handle.fd, $0) }
      }
      switch status {
      case .file(let size): entry.kind = .file; entry.size = size
      case .directory: entry.kind = .directory
      case .other: entry.kind = .other
      // A dangling link, or a name that vanished since the listing: not there on this walk.
      case .missing: continue
      case .failed(let code):
        if code == ELOOP { continue }
        visitor.problem(root: root, path: directory.isEmpty ? entry.name : directory + [UInt8(ascii: "/")] + entry.name, errno: code)
        continue
      }
      entry.needsStat = false
      result.append(entry)
    }
    return result
  }
}

/// An open directory, closed when the last task using it lets go.
final class DirectoryHandle: @unchecked Sendable {
  let fd: Int32

  init(_ fd: Int32) { self.fd = fd }

  deinit { close(fd) }

  /// Every entry but `.` and `..`, and the errno if reading stopped early; nil if the
  /// directory could not be opened for reading.
  func read() -> ([ListedEntry], Int32?)? {
    // readdir on a duplicate, so closing the DIR leaves `fd` open for the stat tasks.
    let copy = dup(fd)
    guard copy >= 0, let dir = fdopendir(copy) else { return nil }
    defer { closedir(dir) }
    var entries: [ListedEntry] = []
    while true {
      errno = 0
      guard let entry = readdir(dir) else {
        return (entries, errno == 0 ? nil : errno)
      }
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
      if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
      let type = Int32(entry.pointee.d_type)
      let kind: EntryKind
      var needsStat = false
      switch type {
      case Int32(DT_DIR): kind = .directory
      case Int32(DT_REG): kind = .file
      case Int32(DT_LNK), Int32(DT_UNKNOWN): kind = .other; needsStat = true
      default: kind = .other
      }
      entries.append(ListedEntry(name: name, kind: kind, size: nil, needsStat: needsStat))
    }
  }
}

struct DeviceInode: Hashable {
  let device: UInt
  let inode: UInt
  init(_ s: stat) {
    device = UInt(s.st_dev)
    inode = UInt(s.st_ino)
  }
}

extension ParallelWalker {
  /// Everything below one folder, for small jobs: entries with relative paths (sizes of regular
  /// files when `sizes`), and the problems met. A root that cannot be opened is the only problem,
  /// with an empty relative path.
  public static func collect(
    _ root: [UInt8], threads: Int = 2, sizes: Bool = true, timeout: Double? = nil,
    shouldDescend: @escaping @Sendable (_ directory: [UInt8], _ name: [UInt8]) -> Bool = { _, _ in true }
  ) -> (entries: [WalkEntry], problems: [WalkProblem], timedOut: Bool) {
    let pool = WorkPool(groups: 1, threads: threads, timeout: timeout)
    let visitor = CollectingVisitor(sizes: sizes, shouldDescend: shouldDescend)
    ParallelWalker(roots: [root], pool: pool, visitor: visitor).start(root: 0)
    let timedOut = pool.wait()[0]
    return visitor.state.withLock { ($0.entries, $0.problems, timedOut) }
  }
}

private final class CollectingVisitor: WalkVisitor {
  let sizes: Bool
  let descend: @Sendable ([UInt8], [UInt8]) -> Bool
  let state = Mutex<(entries: [WalkEntry], problems: [WalkProblem])>(([], []))

  init(sizes: Bool, shouldDescend: @escaping @Sendable ([UInt8], [UInt8]) -> Bool) {
    self.sizes = sizes
    descend = shouldDescend
  }

  func plan(root: Int, directory: [UInt8], entries: inout [ListedEntry]) {
    for index in entries.indices { entries[index].wantsSize = sizes }
  }

  func visit(root: Int, directory: [UInt8], entries: [ListedEntry]) {
    let walked = entries.map { entry in
      WalkEntry(relativePath: directory.isEmpty ? entry.name : directory + [UInt8(ascii: "/")] + entry.name, kind: entry.kind, size: entry.size)
    }
    state.withLock { $0.entries += walked }
  }

  func shouldDescend(root: Int, directory: [UInt8], name: [UInt8]) -> Bool { descend(directory, name) }

  func listed(root: Int, directory: [UInt8]) {}

  func problem(root: Int, path: [UInt8], errno: Int32) {
    state.withLock { $0.problems.append(WalkProblem(relativePath: path, errno: errno)) }
  }
}
