import CompactStore

/// Files on disk that no reference accounts for: media under an import path that the next
/// library scan would import as new assets (`unindexed-original`, by Immich's own rules:
/// extensions, exclusion patterns, hidden folders), files in the upload folders no asset
/// references (`untracked-upload`), and, for the derivative folders, `DerivativeRule`'s
/// orphans. The walk asks `kind` of every file; `DiskFindings` makes the findings of what it kept.
/// A class: the walk asks `kind` of every file, and a struct's fields would be retained and
/// released on each call.
final class UnreferencedFileRule {
  private let index: ReferenceIndex
  private let rootKinds: [AuditRoot.Kind]
  /// Per import-path root, Immich's rules (read-only; `GlobPattern`'s regexes are not mutated).
  let importRules: [ImportPathRules?]
  /// Per root, the number of its library in the facts' `libraries` (-1: none).
  let libraryOfRoot: [Int32]
  private let containerPrefixes: [[UInt8]]

  static let originalOrSidecar: ReferenceIndex.Kinds = [.init(.original), .init(.sidecar)]

  init(facts: AuditFacts) {
    index = facts.index
    rootKinds = facts.roots.map(\.kind)
    let libraries = facts.libraries
    importRules = facts.roots.map { root in
      root.kind == .importPath
        ? ImportPathRules(exclusionPatterns: libraries.first { $0.id == root.libraryId }?.exclusionPatterns ?? []) : nil
    }
    libraryOfRoot = facts.roots.map { root in Int32(libraries.firstIndex { $0.id == root.libraryId } ?? -1) }
    containerPrefixes = facts.roots.map { Array($0.container.utf8) + [UInt8(ascii: "/")] }
  }

  /// What a regular file below root `root` is reported as if no reference accounts for it
  /// (nil: nothing). `path`: the referenced path it is, if any; `isMarker`: the root's own
  /// `.immich` file.
  func kind(root: Int, path: PathID?, isMarker: Bool, relativePath: () -> [UInt8]) -> FindingKind? {
    let kinds = path.map { index.kinds(at: $0) } ?? []
    switch rootKinds[root] {
    case .upload, .library:
      return !isMarker && kinds.isDisjoint(with: Self.originalOrSidecar) ? .untrackedUpload : nil
    case .thumbs, .encodedVideo:
      return !isMarker && DerivativeRule.isOrphaned(kinds) ? .orphanedDerivative : nil
    case .profile:
      return nil
    case .importPath:
      if let path, index.isOriginal(path, ofLibrary: libraryOfRoot[root]) { return nil }
      guard let rules = importRules[root] else { return nil }
      let relative = relativePath()
      let container = String(decoding: containerPrefixes[root] + relative, as: UTF8.self)
      return rules.wouldImport(relativePath: relative, containerPath: container) ? .unindexedOriginal : nil
    }
  }
}
