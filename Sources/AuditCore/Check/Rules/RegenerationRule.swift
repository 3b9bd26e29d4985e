import CompactStore

/// The regeneration plan (DESIGN.md § What hangs on a finding): which Immich job rebuilds which
/// missing derivatives, for how many assets (or people), and what no job rebuilds. `ReferenceRules`
/// hands it the references it finds missing (those `DerivativeRule` and `MissingFileRule`
/// report) and those under an offline `thumbs` or `encoded-video` folder (not listed one by
/// one, but every one of them has to be rebuilt).
///
/// Job names are those of Immich's administration page (Jobs), the same from v1.106 to v3.1.
/// Its "Missing" mode picks assets whose derivative the *database* lacks (no row or an empty
/// path): a restore whose rows name files that are gone needs "All", which the notes say.
struct RegenerationRule {
  private var thumbnailAssets = Set<CompactID>()
  private var thumbnailKinds = Set<ReferenceIndex.Kind>()
  private var videoAssets = Set<CompactID>()
  private var people = Set<CompactID>()

  /// A reference whose file is missing (or under an offline root); only derivatives and face
  /// thumbnails count.
  mutating func note(_ reference: ReferenceIndex.Reference) {
    switch reference.kind {
    case .preview, .thumbnail, .fullsize:
      thumbnailAssets.insert(reference.rowId)
      thumbnailKinds.insert(reference.kind)
    case .encodedVideo: videoAssets.insert(reference.rowId)
    case .personThumbnail: people.insert(reference.rowId)
    case .original, .sidecar, .profileImage: return
    }
  }

  /// One step per job that must run; none when nothing is missing.
  var plan: [RegenerationStep] {
    var steps: [RegenerationStep] = []
    if !thumbnailAssets.isEmpty {
      let names: [(ReferenceIndex.Kind, String)] = [
        (.preview, "preview"), (.thumbnail, "thumbnail"), (.fullsize, "fullsize"),
      ]
      steps.append(
        RegenerationStep(
          job: "Generate Thumbnails", mode: "missing",
          derivatives: names.filter { thumbnailKinds.contains($0.0) }.map(\.1), assets: thumbnailAssets.count,
          people: nil,
          note:
            "Administration > Jobs > Generate Thumbnails rebuilds previews, thumbnails and full-size renditions "
            + "(edited versions included) from the originals. \"Missing\" picks assets whose rows lack them; where the "
            + "rows name files that are gone (a restore without thumbs/), run \"All\", which rebuilds every asset's"))
    }
    if !videoAssets.isEmpty {
      steps.append(
        RegenerationStep(
          job: "Transcode Videos", mode: "missing", derivatives: ["encoded-video"], assets: videoAssets.count,
          people: nil,
          note:
            "Administration > Jobs > Transcode Videos re-encodes the videos from their originals. \"Missing\" picks "
            + "videos whose rows lack an encoded version; where the rows name files that are gone, run \"All\""))
    }
    if !people.isEmpty {
      steps.append(
        RegenerationStep(
          job: nil, mode: nil, derivatives: ["person-thumbnail"], assets: nil, people: people.count,
          note:
            "no job rebuilds a face thumbnail whose path is set but whose file is gone: \"Generate Thumbnails\" in "
            + "\"Missing\" mode only makes those of people without a path, and \"All\" rebuilds every thumbnail of "
            + "every asset and person. Restore thumbs/ from the backup, or run \"All\""))
    }
    return steps
  }
}

/// One Immich job of the regeneration plan.
public struct RegenerationStep: Sendable, Equatable {
  /// As Immich's administration page names it; nil where no job rebuilds the files.
  public var job: String?
  /// "missing", or nil where no job applies.
  public var mode: String?
  /// What it rebuilds: `preview`, `thumbnail`, `fullsize`, `encoded-video`, `person-thumbnail`.
  public var derivatives: [String]
  /// Distinct assets (edited variants count for their asset), or, for face thumbnails, people.
  public var assets: Int?
  public var people: Int?
  public var note: String
}
