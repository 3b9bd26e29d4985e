import CompactStore
import Foundation

/// `path-alias` (DESIGN.md § Finding kinds): assets of one owner, not trashed, whose
/// `originalPath`s differ only in letter case or Unicode normalization (NFC/NFD). On a
/// case-insensitive or normalizing share (SMB, macOS, some NAS file systems) they are one file,
/// so restoring the files there loses all but one of them.
///
/// A path is folded (ASCII letters lowered in place; any other path through NFC, lowercase,
/// NFC) and hashed with its owner. Folding preserves "/", so two aliases fold to the same
/// folder and the same name: the folder's part is folded and hashed once per folder, the name
/// per path, and no whole path is built (at a million originals, building each cost more than
/// the rest of the rule). A name that folds to a lowercase UUID and a suffix (most of Immich's
/// names) is hashed as that id and the suffix's folded hash, so a name the store keeps as an
/// id is never spelled out. Only paths whose hashes meet are compared in full.
struct PathAliasRule {
  /// Per original (by position among the references, originals first): the hash of its owner
  /// and folded path; 0 for an original the rule does not look at.
  private var hashes: [UInt64] = []
  /// Folded-folder hashes by folder number, with the prefix pair they were made for (-1: none
  /// yet); a folder's paths nearly always share one pair, another pair is hashed on the spot.
  private var folderHashes: [(pair: Int32, hash: UInt64)] = []
  private var name: [UInt8] = []
  private var folded: [UInt8] = []
  /// Folded-suffix hashes by the store's suffix number.
  private var suffixHashes: [Int: UInt64] = [:]

  mutating func note(_ reference: ReferenceIndex.Reference, at position: Int, _ facts: AuditFacts) {
    guard reference.kind == .original else { return }
    if hashes.count < position { hashes.append(contentsOf: repeatElement(0, count: position - hashes.count)) }
    guard reference.owner >= 0, !reference.flags.contains(.trashed) else {
      hashes.append(0)
      return
    }
    let paths = facts.index.paths
    name.removeAll(keepingCapacity: true)
    let (folder, pair, idName) = paths.sourceParts(reference.path, name: &name)
    if folderHashes.isEmpty { folderHashes = Array(repeating: (-1, 0), count: facts.index.folderCount) }
    var folderHash = folderHashes[folder.index].hash
    if folderHashes[folder.index].pair != pair {
      // A path that is itself a mapped prefix has no folder part of its own: its name alone
      // is hashed, and paths whose hashes meet are compared whole anyway.
      if let source = paths.sourceFolder(folder, pair: pair) {
        Self.fold(source, into: &folded)
        folderHash = folded.withUnsafeBytes { Bytes.hash($0) }
      } else {
        folderHash = 1
      }
      folderHashes[folder.index] = (pair, folderHash)
    }
    let nameHash: UInt64
    if let (id, suffix) = idName {
      if let known = suffixHashes[suffix] {
        nameHash = Self.idHash(id, suffixHash: known)
      } else {
        Self.fold(paths.nameSuffix(suffix), into: &folded)
        let suffixHash = folded.withUnsafeBytes { Bytes.hash($0) }
        suffixHashes[suffix] = suffixHash
        nameHash = Self.idHash(id, suffixHash: suffixHash)
      }
    } else {
      Self.fold(name, into: &folded)
      nameHash = folded.withUnsafeBytes { folded in
        // The same hash as a name stored as an id, when this one folds to one.
        if let id = CompactID.parseLowercase(folded) {
          return Self.idHash(id, suffixHash: Bytes.hash(UnsafeRawBufferPointer(rebasing: folded[36...])))
        }
        return Bytes.hash(folded)
      }
    }
    let owner = UInt64(UInt32(bitPattern: reference.owner))
    let hash = (folderHash &* 0x9E37_79B9_7F4A_7C15 ^ nameHash) &* 0xBF58_476D_1CE4_E5B9 ^ owner
    hashes.append(hash == 0 ? 1 : hash)
  }

  /// One finding per group of two or more different paths that fold alike.
  func findings(_ facts: AuditFacts) -> [Finding] {
    // Hashes seen twice, found without sorting a million of them or keeping them in a
    // dictionary: two bitmaps by 24 bits of the hash (seen; seen again) sift out the few that
    // may repeat, and only those are counted exactly.
    let bits = 1 << 24
    var seen = [UInt64](repeating: 0, count: bits / 64)
    var again = [UInt64](repeating: 0, count: bits / 64)
    for hash in hashes where hash != 0 {
      let bit = Int(truncatingIfNeeded: hash >> 40)
      let mask: UInt64 = 1 << (bit & 63)
      if seen[bit >> 6] & mask != 0 { again[bit >> 6] |= mask } else { seen[bit >> 6] |= mask }
    }
    var byHash: [UInt64: [Int]] = [:]
    for (position, hash) in hashes.enumerated() where hash != 0 {
      let bit = Int(truncatingIfNeeded: hash >> 40)
      if again[bit >> 6] & (1 << (bit & 63)) != 0 { byHash[hash, default: []].append(position) }
    }
    byHash = byHash.filter { $0.value.count > 1 }
    guard !byHash.isEmpty else { return [] }
    let references = facts.index.references
    var findings: [Finding] = []
    var folded: [UInt8] = []
    for positions in byHash.values {
      // A hash collision or another owner: compare the folded paths and owners in full.
      var groups: [[UInt8]: [ReferenceIndex.Reference]] = [:]
      for position in positions {
        let reference = references[position]
        Self.fold(facts.index.databasePath(reference.path), into: &folded)
        groups[folded + withUnsafeBytes(of: reference.owner) { Array($0) }, default: []].append(reference)
      }
      for members in groups.values {
        let sorted = members.map { (facts.index.databasePath($0.path), $0) }.sorted { compareBytes($0.0, $1.0) < 0 }
        guard let first = sorted.first, sorted.contains(where: { $0.0 != first.0 }) else { continue }
        var finding = facts.finding(
          .pathAlias, first.1,
          "\(sorted.count) assets of one owner whose paths differ only in letter case or Unicode normalization: on a "
            + "case-insensitive or normalizing share they are one file")
        var listed: Set<[UInt8]> = [first.0]
        for (path, reference) in sorted.dropFirst() where listed.insert(path).inserted {
          finding.candidates.append(.init(path: path, hostPath: facts.index.hostPath(reference.path)))
        }
        findings.append(finding)
      }
    }
    return findings
  }

  static func idHash(_ id: CompactID, suffixHash: UInt64) -> UInt64 {
    (id.high &* 0xD6E8_FEB8_6659_FD93 ^ id.low) &* 0x9E37_79B9_7F4A_7C15 ^ suffixHash
  }

  /// The bytes as letter case and normalization do not distinguish them.
  static func fold(_ bytes: [UInt8], into folded: inout [UInt8]) {
    folded.removeAll(keepingCapacity: true)
    if bytes.allSatisfy({ $0 < 0x80 }) {
      for byte in bytes { folded.append(byte >= 65 && byte <= 90 ? byte + 32 : byte) }
      return
    }
    let text = String(decoding: bytes, as: UTF8.self)
    folded.append(
      contentsOf: text.precomposedStringWithCanonicalMapping.lowercased().precomposedStringWithCanonicalMapping.utf8)
  }
}
