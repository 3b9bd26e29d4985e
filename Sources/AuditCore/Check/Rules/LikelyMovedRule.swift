import CompactStore

/// Pairs each missing original with unindexed or untracked files that look like the same photo:
/// the same file name (the stored path's, or the name at upload) and the size in
/// `fileSizeInByte` (no content read, so in every tier); and, where content was hashed, a file
/// whose SHA-1 is a content-hashed asset's checksum (renamed, not only moved). At most three
/// candidates, nearest folder first.
enum LikelyMovedRule {
  static let maximumCandidates = 3

  /// `disk`: the unreferenced files found (`UnreferencedFileRule`); `digests`: the SHA-1s of
  /// those that were hashed, by position.
  static func findings(_ facts: AuditFacts, candidates disk: [Finding], digests: [Int: [UInt8]] = [:]) -> [Finding] {
    let index = facts.index
    var byDigest: [[UInt8]: [Int]] = [:]
    for (position, digest) in digests { byDigest[digest, default: []].append(position) }
    var byName: [ArraySlice<UInt8>: [Int]] = [:]
    for (position, file) in disk.enumerated()
    where (file.kind == .unindexedOriginal || file.kind == .untrackedUpload) && file.diskSize >= 0 {
      byName[fileName(file.path[...]), default: []].append(position)
    }
    guard !byName.isEmpty || !byDigest.isEmpty else { return [] }
    var findings: [Finding] = []
    for reference in index.references where reference.kind == .original {
      let path = reference.path
      guard facts.states[path] == .missing, !facts.isOffline(path), !reference.flags.contains(.deletedStatus) else {
        continue
      }
      let databasePath = index.databasePath(path)
      var names = [fileName(databasePath[...])]
      if reference.fileName >= 0 {
        let uploaded = index.fileNames[Int(reference.fileName)]
        if uploaded != names[0] { names.append(uploaded) }
      }
      // One file is one candidate, however many roots found it (two libraries on one share
      // each report it as unindexed).
      var matches: [Int] = []
      var matchedFiles = Set<[UInt8]>()
      if reference.expectedSize >= 0 {
        for name in names {
          for position in byName[name] ?? []
          where disk[position].diskSize == reference.expectedSize
            && matchedFiles.insert(disk[position].hostPath).inserted
          {
            matches.append(position)
          }
        }
      }
      var sameContent = false
      if reference.checksum >= 0 {
        for position in byDigest[Array(index.checksum(reference.checksum))] ?? []
        where matchedFiles.insert(disk[position].hostPath).inserted {
          matches.append(position)
          sameContent = true
        }
      }
      guard !matches.isEmpty else { continue }
      let home = folderComponents(databasePath)
      let ranked = matches.map { position in (position, distance(home, folderComponents(disk[position].path))) }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : disk[$0.0].path.lexicographicallyPrecedes(disk[$1.0].path) }
        .prefix(maximumCandidates)
      let candidates = ranked.map { Finding.Candidate(path: disk[$0.0].path, hostPath: disk[$0.0].hostPath) }
      let first = candidates[0]
      let more = matches.count > 1 ? " and \(matches.count - 1) more" : ""
      let detail =
        "\(sameContent ? "same content" : "same name and size") found at \(String(decoding: first.path, as: UTF8.self))"
        + "\(more): move it back before the next library scan to keep its albums and faces"
      var finding = facts.finding(.likelyMoved, reference, detail)
      finding.candidates = candidates
      findings.append(finding)
    }
    return findings
  }

  static func fileName(_ path: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
    guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return path[(slash + 1)...]
  }

  static func folderComponents(_ path: [UInt8]) -> [ArraySlice<UInt8>] {
    var components = path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true)
    if !components.isEmpty { components.removeLast() }
    return components
  }

  /// Steps from one folder to the other through their deepest common folder.
  static func distance(_ a: [ArraySlice<UInt8>], _ b: [ArraySlice<UInt8>]) -> Int {
    var common = 0
    while common < a.count && common < b.count && a[common] == b[common] { common += 1 }
    return (a.count - common) + (b.count - common)
  }
}
