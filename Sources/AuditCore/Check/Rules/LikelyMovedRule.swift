import CompactStore

/// Pairs each missing original with unindexed or untracked files that look like the same photo:
/// the same file name (the stored path's, or the name at upload) and the size in
/// `fileSizeInByte` (no content read, so in every tier); and, where content was hashed, a file
/// whose SHA-1 is a content-hashed asset's checksum (renamed, not only moved). At most three
/// candidates, nearest folder first.
enum LikelyMovedRule {
  static let maximumCandidates = 3

  /// The disk-found files that could be a moved original (unindexed and untracked ones):
  /// container and host paths.
  static func candidates(_ disk: DiskFindings) -> [(path: [UInt8], hostPath: [UInt8])] {
    disk.files().filter { isCandidate($0.file.kind) }.map { disk.paths($0.root, $0.file) }
  }

  private static func isCandidate(_ kind: FindingKind) -> Bool {
    kind == .unindexedOriginal || kind == .untrackedUpload
  }

  /// `disk`: the unreferenced files found; `digests`: the SHA-1s of those that were hashed.
  /// The missing originals are few beside the files on disk (200,000 new files on a share):
  /// they are keyed by name, and the files read once, in report order.
  static func findings(
    _ facts: AuditFacts, candidates disk: DiskFindings,
    digests: [(path: [UInt8], hostPath: [UInt8], digest: [UInt8])] = []
  ) -> [Finding] {
    // No file on disk to pair with (a restore that brought no files back): no path made for
    // each of a million missing originals.
    guard disk.count > 0 else { return [] }
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
    guard !eligible.isEmpty else { return [] }
    var byName: [ArraySlice<UInt8>: [Int]] = [:]
    for (number, item) in eligible.enumerated() where item.reference.expectedSize >= 0 {
      for name in item.names { byName[name, default: []].append(number) }
    }
    typealias Paths = (path: [UInt8], hostPath: [UInt8])
    // Per eligible original, the files of its name and size.
    var sameName: [Int: [Paths]] = [:]
    if !byName.isEmpty {
      for (root, file) in disk.files() where isCandidate(file.kind) && file.size >= 0 {
        guard let numbers = byName[fileName(file.relative[...])] else { continue }
        for number in numbers where eligible[number].reference.expectedSize == file.size {
          sameName[number, default: []].append(disk.paths(root, file))
        }
      }
    }
    var byDigest: [[UInt8]: [Paths]] = [:]
    for candidate in digests { byDigest[candidate.digest, default: []].append((candidate.path, candidate.hostPath)) }
    var findings: [Finding] = []
    for (number, item) in eligible.enumerated() {
      let reference = item.reference
      // One file is one candidate, however many roots found it (two libraries on one share
      // each report it as unindexed).
      var matches: [Paths] = []
      var matchedFiles = Set<[UInt8]>()
      for file in sameName[number] ?? [] where matchedFiles.insert(file.hostPath).inserted {
        matches.append(file)
      }
      var sameContent = false
      if reference.checksum >= 0 {
        for file in byDigest[Array(index.checksum(reference.checksum))] ?? []
        where matchedFiles.insert(file.hostPath).inserted {
          matches.append(file)
          sameContent = true
        }
      }
      guard !matches.isEmpty else { continue }
      let home = folderComponents(index.databasePath(reference.path))
      let ranked = matches.map { ($0, distance(home, folderComponents($0.path))) }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0.path.lexicographicallyPrecedes($1.0.path) }
        .prefix(maximumCandidates)
      let candidates = ranked.map { Finding.Candidate(path: $0.0.path, hostPath: $0.0.hostPath) }
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
