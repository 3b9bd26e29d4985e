import CompactStore
import Foundation

/// `path-alias` (DESIGN.md § Finding kinds): assets of one owner, not trashed, whose
/// `originalPath`s differ only in letter case or Unicode normalization (NFC/NFD). On a
/// case-insensitive or normalizing share (SMB, macOS, some NAS file systems) they are one file,
/// so restoring the files there loses all but one of them.
///
/// Each original's path is folded (ASCII letters lowered in place; any other path through NFC,
/// lowercase, NFC) and hashed with its owner; only paths whose hashes meet are compared in full.
struct PathAliasRule {
  /// (hash of owner and folded path, the original's position in the index's references).
  private var keys: [(hash: UInt64, reference: Int)] = []
  private var scratch: [UInt8] = []

  mutating func note(_ reference: ReferenceIndex.Reference, at position: Int, _ facts: AuditFacts) {
    guard reference.kind == .original, reference.owner >= 0, !reference.flags.contains(.trashed) else { return }
    Self.fold(facts.index.databasePath(reference.path), into: &scratch)
    let hash =
      scratch.withUnsafeBytes { Bytes.hash($0) }
      ^ (UInt64(UInt32(bitPattern: reference.owner)) &* 0x9E37_79B9_7F4A_7C15)
    keys.append((hash, position))
  }

  /// One finding per group of two or more different paths that fold alike.
  func findings(_ facts: AuditFacts) -> [Finding] {
    var byHash: [UInt64: [Int]] = [:]
    var firstWith: [UInt64: Int] = Dictionary(minimumCapacity: keys.count)
    for (hash, position) in keys {
      if let first = firstWith[hash] {
        byHash[hash, default: [first]].append(position)
      } else {
        firstWith[hash] = position
      }
    }
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
        groups[folded + Self.ownerBytes(reference.owner), default: []].append(reference)
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

  private static func ownerBytes(_ owner: Int32) -> [UInt8] { withUnsafeBytes(of: owner) { Array($0) } }

  /// The path as letter case and normalization do not distinguish it.
  static func fold(_ path: [UInt8], into folded: inout [UInt8]) {
    folded.removeAll(keepingCapacity: true)
    if path.allSatisfy({ $0 < 0x80 }) {
      for byte in path { folded.append(byte >= 65 && byte <= 90 ? byte + 32 : byte) }
      return
    }
    let text = String(decoding: path, as: UTF8.self)
    folded.append(
      contentsOf: text.precomposedStringWithCanonicalMapping.lowercased().precomposedStringWithCanonicalMapping.utf8)
  }
}
