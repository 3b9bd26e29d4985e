import CompactStore
import FileScan

/// Referenced files that are not there as files: `missing-original` (`-trashed` for an asset in
/// the trash or offline), `missing-sidecar`, `missing-person-thumbnail`, `missing-profile-image`;
/// a path that is a directory or a device (`not-a-file`) or cannot be read (`unreadable`), once
/// per path; and an offline asset whose file is back (`offline-present`). Missing derivatives
/// are `DerivativeRule`'s.
struct MissingFileRule {
  /// Paths already reported as not a file or unreadable (several rows may share one).
  private var reported = Set<PathID>()

  mutating func check(
    _ reference: ReferenceIndex.Reference, _ state: PathStates.State, _ facts: AuditFacts,
    into findings: inout [Finding]
  ) {
    switch state {
    case .missing, .unseen:
      guard let kind = Self.missingKind(reference) else { return }
      var detail = Self.missingDetail(reference)
      if reference.kind == .personThumbnail, let person = reference.rowId.string(facts.index.ids) {
        detail += " (person \(person))"
      }
      if reference.kind == .sidecar, let root = facts.root(of: reference.path),
        let other = Self.otherSidecarCandidate(facts.index.hostPath(reference.path)),
        facts.walks[root].xmpFiles.contains(RootWalk.folderKey(other[(facts.roots[root].host.count + 1)...]))
      {
        detail +=
          "; Immich's other sidecar name \(String(decoding: LikelyMovedRule.fileName(other[...]), as: UTF8.self)) "
          + "exists and is picked up by the next metadata refresh"
      }
      findings.append(facts.finding(kind, reference, detail))
    case .directory, .other:
      if reported.insert(reference.path).inserted {
        findings.append(
          facts.finding(
            .notAFile, reference,
            state == .directory ? "a directory, not a file" : "not a regular file (device, socket or FIFO)"))
      }
    case .unreadable:
      if reported.insert(reference.path).inserted {
        findings.append(facts.finding(.unreadable, reference, SystemError.sentence(facts.states.errno(reference.path))))
      }
    case .file:
      if reference.kind == .original && reference.flags.contains(.offline) {
        findings.append(
          facts.finding(
            .offlinePresent, reference, "marked offline, but the file is there again: a library scan brings it back"))
      }
    }
  }

  /// The kind a missing file of `reference` is, nil for derivatives (`DerivativeRule`).
  static func missingKind(_ reference: ReferenceIndex.Reference) -> FindingKind? {
    switch reference.kind {
    case .original:
      return reference.flags.contains(.trashed) || reference.flags.contains(.offline)
        ? .missingOriginalTrashed : .missingOriginal
    case .sidecar: return .missingSidecar
    case .personThumbnail: return .missingPersonThumbnail
    case .profileImage: return .missingProfileImage
    case .preview, .thumbnail, .fullsize, .encodedVideo: return nil
    }
  }

  static func missingDetail(_ reference: ReferenceIndex.Reference) -> String {
    switch reference.kind {
    case .original:
      if reference.flags.contains(.deletedStatus) { return "queued for deletion (status deleted)" }
      if reference.flags.contains(.offline) { return "offline asset (in the trash until Immich purges it)" }
      if reference.flags.contains(.trashed) { return "asset in the trash" }
      return "original file absent"
    case .sidecar: return "XMP sidecar absent"
    case .personThumbnail: return "face thumbnail absent (regenerable)"
    case .profileImage: return "profile image absent"
    case .preview, .thumbnail, .fullsize, .encodedVideo: return DerivativeRule.missingDetail(reference.kind)
    }
  }

  /// Where Immich looks for an original's XMP sidecar, in its order: `photo.jpg.xmp`, then
  /// `photo.xmp` (`MetadataService.getSidecarCandidates`).
  static func sidecarCandidates(_ original: [UInt8]) -> [[UInt8]] {
    let xmp = Array(".xmp".utf8)
    var candidates = [original + xmp]
    let name = LikelyMovedRule.fileName(original[...])
    if let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex {
      candidates.append(Array(original[..<dot]) + xmp)
    }
    return candidates
  }

  /// For a recorded sidecar `photo.jpg.xmp`, the other name Immich would accept: `photo.xmp`.
  static func otherSidecarCandidate(_ sidecar: [UInt8]) -> [UInt8]? {
    let xmp = Array(".xmp".utf8)
    guard sidecar.count > xmp.count, Array(sidecar.suffix(xmp.count)) == xmp else { return nil }
    let candidates = sidecarCandidates(Array(sidecar.dropLast(xmp.count)))
    return candidates.count > 1 ? candidates[1] : nil
  }
}
