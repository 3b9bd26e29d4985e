import CompactStore
import FileScan

/// What one check knows, shared by the walk, the rules and likely-moved: the index of
/// referenced files, what the walk saw at each path, the roots and each path's root, and each
/// root's walk. Filled in stages by `FilesystemAudit.run` (walks after the walk, root statuses
/// by `RootRules.decide`); the rules only read it.
final class AuditFacts: @unchecked Sendable {
  let index: ReferenceIndex
  let libraries: [DatabaseOverview.Library]
  // The stages run one after another on one thread and the rules only read, for every path:
  // the variables skip Swift's run-time exclusivity checks, as the index's do.
  /// The roots; their statuses and figures once `RootRules.decide` ran.
  @exclusivity(unchecked) var roots: [AuditRoot]
  let rootOf: RootAssignment
  /// What the walk found at each referenced path (written by the walk threads).
  let states: PathStates
  /// The index's folders that the walk of their own root listed in full.
  let listed: FolderMarks
  /// Each root's walk, once it is over.
  @exclusivity(unchecked) var walks: [RootWalk] = []
  /// Paths inside a folder the walk could not read, with that folder's number among its root's
  /// walk problems: the folder's one `unreadable` finding covers them.
  @exclusivity(unchecked) var covered: [PathID: Int] = [:]
  /// `--verify`: whether sizes are compared at all.
  let checkSizes: Bool
  /// Each owner's id as text by the index's owner number, made once: a million findings
  /// share a few owners.
  private let ownerIds: [String?]

  init(
    index: ReferenceIndex, libraries: [DatabaseOverview.Library], roots: [AuditRoot], rootOf: RootAssignment,
    checkSizes: Bool
  ) {
    self.index = index
    self.libraries = libraries
    self.roots = roots
    self.rootOf = rootOf
    self.checkSizes = checkSizes
    ownerIds = index.owners.map { $0.string(index.ids) }
    states = PathStates(count: index.pathCount)
    listed = FolderMarks(count: index.folderCount)
  }

  /// The root `path` belongs to (the longest holding it by whole components), if any.
  func root(of path: PathID) -> Int? {
    let root = rootOf[path]
    return root >= 0 ? Int(root) : nil
  }

  /// Whether `path` lies under a root the mount guard found offline: nothing is reported of
  /// it but the root's own finding.
  func isOffline(_ path: PathID) -> Bool {
    root(of: path).map { roots[$0].offline } ?? false
  }

  /// A finding about `reference`'s file.
  func finding(_ kind: FindingKind, _ reference: ReferenceIndex.Reference, _ detail: String? = nil) -> Finding {
    // Person thumbnails and profile images belong to a person or a user, not an asset.
    let belongsToAsset = reference.kind != .personThumbnail && reference.kind != .profileImage
    return Finding(
      kind: kind, path: index.databasePath(reference.path), hostPath: index.hostPath(reference.path),
      assetId: belongsToAsset ? reference.rowId.string(index.ids) : nil,
      libraryId: reference.library >= 0 ? libraries[Int(reference.library)].id : nil,
      ownerId: reference.owner >= 0 ? ownerIds[Int(reference.owner)] : nil,
      detail: detail)
  }

  /// A folder or file below root `root`: its container path and host path.
  func paths(root: Int, _ relative: [UInt8]) -> (path: [UInt8], hostPath: [UInt8]) {
    func join(_ base: [UInt8]) -> [UInt8] { relative.isEmpty ? base : base + [UInt8(ascii: "/")] + relative }
    return (join(Array(roots[root].container.utf8)), join(roots[root].host))
  }

  /// Settles every path the walk did not see: missing when its folder was listed in full, or
  /// covered by an unreadable folder. Returns the rest, to be stat'ed one by one: paths outside
  /// every root, or below a hidden or HLS folder that the walk does not enter. Paths of a root
  /// that is offline by its status stay unseen (the mount guard counts them).
  func settleUnseen() -> [PathID] {
    var loose: [PathID] = []
    for path in (0..<index.pathCount).lazy.map(PathID.init) where states[path] == .unseen {
      if let root = root(of: path) {
        let walk = walks[root]
        if walk.status != .ok && walk.status != .empty { continue }
        // The host path only when the walk met problems: a root restored empty leaves millions unseen.
        if !walk.problems.isEmpty {
          let host = index.hostPath(path)
          let relative = host[(host.startIndex + roots[root].host.count + 1)...]
          if let problem = walk.problems.firstIndex(where: { PathMapper.hasComponentPrefix(relative, $0.relativePath) })
          {
            covered[path] = problem
            continue
          }
        }
        if listed.contains(index.paths.folder(of: path)) {
          states.record(path, .missing)
          continue
        }
      }
      loose.append(path)
    }
    return loose
  }
}
