import CompactStore

/// Immich's generated files: previews, thumbnails, full-size renditions and encoded videos
/// whose file is gone (`missing-derivative`: regenerable), and files in the thumbnail and
/// encoded-video folders that nothing references (`orphaned-derivative`).
enum DerivativeRule {
  static func check(
    _ reference: ReferenceIndex.Reference, _ state: PathStates.State, _ facts: AuditFacts,
    into findings: inout [Finding]
  ) {
    guard state == .missing || state == .unseen else { return }
    switch reference.kind {
    case .preview, .thumbnail, .fullsize, .encodedVideo:
      findings.append(facts.finding(.missingDerivative, reference, missingDetail(reference.kind)))
    case .original, .sidecar, .personThumbnail, .profileImage:
      return
    }
  }

  static func missingDetail(_ kind: ReferenceIndex.Kind) -> String {
    switch kind {
    case .preview: return "preview absent (regenerable)"
    case .thumbnail: return "thumbnail absent (regenerable)"
    case .fullsize: return "full-size rendition absent (regenerable)"
    case .encodedVideo: return "encoded video absent (regenerable)"
    case .original, .sidecar, .personThumbnail, .profileImage: return "absent"
    }
  }

  /// References that account for a file in the thumbnail or encoded-video folders: any
  /// derivative, and an original or face thumbnail stored there.
  static let sources: ReferenceIndex.Kinds = [
    .init(.original), .init(.preview), .init(.thumbnail), .init(.fullsize), .init(.encodedVideo),
    .init(.personThumbnail),
  ]

  /// Whether a file in a derivative folder, with these references at its path, is orphaned.
  static func isOrphaned(_ kinds: ReferenceIndex.Kinds) -> Bool { kinds.isDisjoint(with: sources) }

  static let orphanedDetail = "nothing references it (regenerable files are recreated, this one is not used)"
}
