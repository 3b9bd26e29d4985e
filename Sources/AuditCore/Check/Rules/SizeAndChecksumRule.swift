import CompactStore
import Foundation

/// Originals that are there but are not the file the database describes: a size other than
/// `fileSizeInByte` (`size-mismatch`), content whose SHA-1 is not the asset's checksum
/// (`checksum-mismatch`, only what `--verify` hashed; a size mismatch is not hashed: one
/// finding per fact), and an external file whose checksum is not the hash of its path
/// (`path-checksum-mismatch`: the path was edited after import).
struct SizeAndChecksumRule {
  /// Content SHA-1s of the referenced paths whose content differs from their checksum.
  let mismatched: [PathID: [UInt8]]

  func check(
    _ reference: ReferenceIndex.Reference, _ state: PathStates.State, _ facts: AuditFacts,
    into findings: inout [Finding]
  ) {
    guard reference.kind == .original else { return }
    if reference.flags.contains(.pathChecksumMismatch) && !reference.flags.contains(.deletedStatus) {
      findings.append(
        facts.finding(
          .pathChecksumMismatch, reference,
          "checksum is not sha1(\"path:\" + originalPath): the path was changed after import"))
    }
    // An offline asset whose file is back is `offline-present` (MissingFileRule), not compared.
    guard state == .file, !reference.flags.contains(.offline) else { return }
    let size = facts.states.size(reference.path)
    if facts.checkSizes && reference.expectedSize >= 0 && size >= 0 && size != reference.expectedSize {
      findings.append(
        facts.finding(.sizeMismatch, reference, "\(size) bytes on disk, \(reference.expectedSize) in the database"))
    } else if let digest = mismatched[reference.path], reference.checksum >= 0 {
      let recorded = facts.index.checksum(reference.checksum)
      findings.append(
        facts.finding(
          .checksumMismatch, reference,
          "content SHA-1 \(Self.hex(digest)), the database has \(Self.hex(recorded)): the file changed or is another "
            + "file"
        ))
    }
  }

  static func hex(_ bytes: some Collection<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }
}
