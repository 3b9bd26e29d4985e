import CompactStore

/// Pairs each missing original with unindexed or untracked files that look like the same photo:
/// the same file name (the stored path's, or the name at upload) and the size in
/// `fileSizeInByte` (no content read, so in every tier); and, where content was hashed, a file
/// whose SHA-1 is a content-hashed asset's checksum (renamed, not only moved). At most three
/// candidates, nearest folder first.
enum LikelyMovedRule {
  static let maximumCandidates = 3

  /// The disk-found files that could be a moved original: unindexed and untracked ones.
  static func candidates(_ disk: DiskFindings) -> [Int] {
    (0..<disk.count).filter { isCandidate(disk.kind(at: $0)) }
  }

  private static func isCandidate(_ kind: FindingKind) -> Bool {
    kind == .unindexedOriginal || kind == .untrackedUpload
  }

  /// `disk`: the unreferenced files found; `digests`: the SHA-1s of those that were hashed,
  /// by position. The missing originals are few beside the files on disk (200,000 new files
  /// on a share): they are keyed by name, and the files looked up one by one.
  static func findings(_ facts: AuditFacts, candidates disk: DiskFindings, digests: [Int: [UInt8]] = [:]) -> [Finding] {
    let index = facts.index
    // The missing originals that can be paired, each with the names it may have on disk.
    var eligible: [(reference: ReferenceIndex.Reference, names: [ArraySlice<UInt8>])] = []
    for reference in index.references where reference.kind == .original {
      let path = reference.path
      guard facts.states[path] == .missing, !facts.isOffline(path), !reference.flags.contains(.deletedStatus) else {
        continue
      }
      var names = [fileName(index.databasePath(path)[...])]
      if reference.fileName >= 0 {
        let uploaded = index.fileNames[Int(reference.fileName)]
        if uploaded != names[0] { names.append(uploaded) }
      }
      eligible.append((reference, names))
    }
    guard !eligible.isEmpty, disk.count > 0 else { return [] }
    var byName: [ArraySlice<UInt8>: [Int]] = [:]
    for (number, item) in eligible.enumerated() where item.reference.expectedSize >= 0 {
      for name in item.names { byName[name, default: []].append(number) }
    }
    // Per eligible original, the files of its name and size, by position (in walk order).
    var sameName: [Int: [Int]] = [:]
    if !byName.isEmpty {
      for position in 0..<disk.count where isCandidate(disk.kind(at: position)) {
        let size = disk.size(at: position)
        guard size >= 0, let numbers = byName[fileName(disk.path(at: position)[...])] else { continue }
        for number in numbers where eligible[number].reference.expectedSize == size {
          sameName[number, default: []].append(position)
        }
      }
    }
    var byDigest: [[UInt8]: [Int]] = [:]
    for (position, digest) in digests.sorted(by: { $0.key < $1.key }) { byDigest[digest, default: []].append(position) }
    var findings: [Finding] = []
    for (number, item) in eligible.enumerated() {
      let reference = item.reference
      // One file is one candidate, however many roots found it (two libraries on one share
      // each report it as unindexed).
      var matches: [Int] = []
      var matchedFiles = Set<[UInt8]>()
      for position in sameName[number] ?? [] where matchedFiles.insert(disk.hostPath(at: position)).inserted {
        matches.append(position)
      }
      var sameContent = false
      if reference.checksum >= 0 {
        for position in byDigest[Array(index.checksum(reference.checksum))] ?? []
        where matchedFiles.insert(disk.hostPath(at: position)).inserted {
          matches.append(position)
          sameContent = true
        }
      }
      guard !matches.isEmpty else { continue }
      let home = folderComponents(index.databasePath(reference.path))
      let ranked = matches.map { position in (position, disk.path(at: position)) }
        .map { ($0.0, $0.1, distance(home, folderComponents($0.1))) }
        .sorted { $0.2 != $1.2 ? $0.2 < $1.2 : $0.1.lexicographicallyPrecedes($1.1) }
        .prefix(maximumCandidates)
      let candidates = ranked.map { Finding.Candidate(path: $0.1, hostPath: disk.hostPath(at: $0.0)) }
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
