/// The path mappings of a run, built in one place for `explain` and `check`, so the preflight
/// shows exactly what the audit will use: the mapper, the media location's prefix style, and
/// every mapping in force with, as `identity`, each root folder used as it is.
public struct RunMappings: Sendable {
  public let mapper: PathMapper
  /// The media location's container prefix as the database writes it (`upload`, `/data`, …).
  public let style: String
  public let mappings: [PathMapper.Mapping]

  public init(overview: DatabaseOverview, configuration: MappingConfiguration) {
    let internalPrefixes = overview.pathPrefixes.filter { !$0.external }.map(\.prefix)
    let locations = PathMapper.mediaLocations(mediaLocation: overview.mediaLocation, pathPrefixes: internalPrefixes)
    style = PathMapper.mediaLocationStyle(mediaLocation: overview.mediaLocation, pathPrefixes: internalPrefixes)
    mapper = configuration.mapper(mediaLocations: locations.isEmpty ? [PathMapper.normalized(style)] : locations)
    var mappings = mapper.mappings
    for container in [style] + overview.libraries.filter({ !$0.deleted }).flatMap(\.importPaths)
    where !container.isEmpty {
      guard mapper.hostPath(Array(container.utf8)).mapping == nil else { continue }
      let identity = PathMapper.Mapping(container: container, host: container, source: .identity)
      if !mappings.contains(where: { $0.container == identity.container }) { mappings.append(identity) }
    }
    self.mappings = mappings
  }

  /// For each missing root, the flag that maps it: one sentence for the media folders (they
  /// share one mapping), one per import path. Said whenever a root is missing, not only when
  /// most paths are: a share that is not mapped is the commonest mistake.
  public func advice(for roots: [AuditRoot], libraries: [DatabaseOverview.Library]) -> [String] {
    var sentences: [String] = []
    let media = roots.filter { $0.kind != .importPath && $0.status == .missing }
    if !media.isEmpty {
      let names = media.map(\.container).joined(separator: ", ")
      if let mapping = mapper.hostPath(Array(style.utf8)).mapping {
        sentences.append(
          "media folder\(media.count == 1 ? "" : "s") \(names) missing under \(mapping.host) (mapped by "
            + "\(mapping.source.rawValue)): check that it is the folder Immich's UPLOAD_LOCATION names, or give the "
            + "right one with --media-root DIR"
        )
      } else {
        sentences.append(
          "media folder\(media.count == 1 ? "" : "s") \(names) not found as they are: give the host folder of "
            + "Immich's media location (UPLOAD_LOCATION) with --media-root DIR, or --immich-env/--compose with "
            + "Immich's .env and docker-compose.yml"
        )
      }
    }
    for root in roots where root.kind == .importPath && root.status == .missing {
      let library = libraries.first { $0.id == root.libraryId }.map { " of library \($0.name)" } ?? ""
      if let mapping = mapper.hostPath(Array(root.container.utf8)).mapping {
        sentences.append(
          "import path \(root.container)\(library) missing at \(root.hostString) (mapped by "
            + "\(mapping.source.rawValue)): mount the share there, or correct the mapping (--map "
            + "\(mapping.container)=HOST)"
        )
      } else {
        sentences.append(
          "import path \(root.container)\(library) not found as it is: map it with --map \(root.container)=HOST (the "
            + "folder it is mounted from), or --compose with Immich's docker-compose.yml"
        )
      }
    }
    return sentences
  }
}
