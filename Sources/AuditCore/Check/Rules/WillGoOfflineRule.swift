import CompactStore

/// `will-go-offline` (DESIGN.md § Finding kinds): an external asset that Immich's next library
/// scan takes offline and moves to the trash, because its `originalPath` lies under none of its
/// library's import paths or matches one of the library's exclusion patterns. Immich's scan
/// (`detectOfflineExternalAssets`) does this on the database alone, whether or not the file is
/// there, so the rule reads only the database side: the asset, not trashed and not offline, of
/// a library that is not deleted.
struct WillGoOfflineRule {
  private struct LibraryRules {
    /// Import paths as stored, trailing slashes dropped (they are not significant).
    let importPaths: [[UInt8]]
    let exclusions: [GlobPattern]
  }

  private let libraries: [LibraryRules?]

  init(_ libraries: [DatabaseOverview.Library]) {
    self.libraries = libraries.map { library in
      guard !library.deleted else { return nil }
      return LibraryRules(
        importPaths: library.importPaths.filter { !$0.isEmpty }.map { Array(PathMapper.trimmed($0).utf8) },
        exclusions: library.exclusionPatterns.map(GlobPattern.init))
    }
  }

  func check(_ reference: ReferenceIndex.Reference, _ facts: AuditFacts, into findings: inout [Finding]) {
    // External assets only: path-hashed (`isExternal`); a motion part Immich extracted from an
    // external photo has the library but is content-hashed, and no scan looks at it.
    guard reference.kind == .original, reference.library >= 0,
      !reference.flags.contains(.contentHashed), reference.flags.isDisjoint(with: [.trashed, .offline]),
      let rules = libraries[Int(reference.library)]
    else { return }
    let path = facts.index.databasePath(reference.path)
    let underImportPath = path.withUnsafeBytes { path in
      rules.importPaths.contains { prefix in prefix.withUnsafeBytes { PathMapper.hasComponentPrefix(path, $0) } }
    }
    let detail: String
    if !underImportPath {
      let listed = rules.importPaths.map { String(decoding: $0, as: UTF8.self) }
      detail =
        (listed.isEmpty
          ? "its library has no import path"
          : "under none of its library's import paths (\(listed.joined(separator: ", ")))")
        + ": Immich's next library scan marks it offline and moves it to the trash (purged after the trash period)"
    } else if let pattern = rules.exclusions.first(where: { $0.matches(String(decoding: path, as: UTF8.self)) }) {
      detail =
        "matches its library's exclusion pattern \(pattern.pattern): Immich's next library scan marks it offline "
        + "and moves it to the trash (purged after the trash period)"
    } else {
      return
    }
    findings.append(facts.finding(.willGoOffline, reference, detail))
  }
}
