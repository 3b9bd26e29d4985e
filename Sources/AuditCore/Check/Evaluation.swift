import CompactStore
import FileScan
import Foundation

/// Turns what the walk saw into root statuses and findings, by DESIGN.md's edge-case rules.
struct Evaluation {
  let index: ReferenceIndex
  private(set) var roots: [AuditRoot]
  let rootOf: RootAssignment
  private(set) var walks: [RootWalk]
  /// The folders each root's walk listed in full.
  let listed: FolderMarks
  let states: PathStates
  let libraries: [DatabaseOverview.Library]
  let checkSizes: Bool
  /// Paths inside a folder the walk could not read: the folder's one `unreadable` finding covers them.
  private var covered: [PathID: Int] = [:]

  init(index: ReferenceIndex, roots: [AuditRoot], rootOf: RootAssignment, walks: [RootWalk], listed: FolderMarks, states: PathStates,
       libraries: [DatabaseOverview.Library], checkSizes: Bool) {
    self.index = index
    self.roots = roots
    self.rootOf = rootOf
    self.walks = walks
    self.listed = listed
    self.states = states
    self.libraries = libraries
    self.checkSizes = checkSizes
  }

  private static let slash = UInt8(ascii: "/")

  /// Settles every path the walk did not see: missing when its folder was listed in full, or
  /// covered by an unreadable folder. Returns the rest, to be stat'ed one by one: paths outside
  /// every root, or below a hidden or HLS folder that the walk does not enter. Paths of a root
  /// that is offline by its status stay unseen (the mount guard counts them).
  mutating func resolveUnseen() -> [PathID] {
    var loose: [PathID] = []
    for path in (0..<index.pathCount).lazy.map(PathID.init) where states[path] == .unseen {
      let root = Int(rootOf[path])
      if root >= 0 {
        let walk = walks[root]
        if walk.status != .ok && walk.status != .empty { continue }
        let host = index.hostPath(path)
        let relative = host[(host.startIndex + roots[root].host.count + 1)...]
        if let problem = walk.problems.firstIndex(where: { PathMapper.hasComponentPrefix(relative, $0.relativePath) }) {
          covered[path] = problem
          continue
        }
        if listed.contains(index.paths.folder(of: path)) {
          states.record(path, .missing)
          continue
        }
      }
      loose.append(path)
    }
    return loose
  }

  func isUnderOfflineRoot(_ path: PathID) -> Bool {
    let root = Int(rootOf[path])
    return root >= 0 && roots[root].offline
  }

  static func hex(_ bytes: some Collection<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  /// Root statuses, figures and the mount guard's verdict.
  mutating func decideRoots() {
    // Counted per folder, then summed below each root's folder: a root's figures hold every
    // path under it, also those a root inside it walks (two libraries on one share each
    // expect the files there).
    var expectedIn = [Int32](repeating: 0, count: index.folderCount)
    var presentIn = [Int32](repeating: 0, count: index.folderCount)
    for path in (0..<index.pathCount).lazy.map(PathID.init) {
      let folder = index.paths.folder(of: path)
      let root = Int(rootOf.folder(folder))
      guard root >= 0 else { continue }
      expectedIn[folder.index] += 1
      // A timed-out root's stuck thread may still write its paths: not read.
      if walks[root].status == .timedOut { continue }
      switch states[path] {
      case .file, .directory, .other, .unreadable: presentIn[folder.index] += 1
      case .unseen: if covered[path] != nil { presentIn[folder.index] += 1 }
      case .missing: break
      }
    }
    let expected = index.paths.totalsBelow(roots.map(\.host), perFolder: expectedIn)
    let present = index.paths.totalsBelow(roots.map(\.host), perFolder: presentIn)
    for root in roots.indices {
      let walk = walks[root]
      roots[root].status = walk.status
      roots[root].marker = walk.marker
      roots[root].expectedFiles = expected[root]
      roots[root].presentFiles = present[root]
      switch walk.status {
      case .missing, .notADirectory, .unreadable, .timedOut: roots[root].offline = true
      case .ok, .empty: roots[root].offline = expected[root] > 0 && present[root] == 0
      }
    }
  }

  /// Every finding: the mount guard's, unreadable folders, the database side, the disk side
  /// (`disk`, from `diskFindings`), likely-moved; checksum mismatches from `verification`.
  func findings(disk: [Finding], verification: VerificationOutcome) -> [Finding] {
    var findings: [Finding] = []
    for root in roots where root.offline {
      findings.append(Finding(
        kind: .rootOffline, severity: root.kind.offlineSeverity, path: Array(root.container.utf8), hostPath: root.host,
        libraryId: root.libraryId, detail: Self.offlineDetail(root)))
    }
    // Folders (or files) the walk could not read: one finding each, with the paths they hide.
    var hidden: [Int: [Int: Int]] = [:]
    for (path, problem) in covered { hidden[Int(rootOf[path]), default: [:]][problem, default: 0] += 1 }
    for (rootIndex, walk) in walks.enumerated() where !roots[rootIndex].offline {
      for (number, problem) in walk.problems.enumerated() {
        let count = hidden[rootIndex]?[number] ?? 0
        findings.append(Finding(
          kind: .unreadable, path: join(roots[rootIndex].container, problem.relativePath), hostPath: join(roots[rootIndex].host, problem.relativePath),
          libraryId: roots[rootIndex].libraryId,
          detail: "\(Self.reason(problem.errno)); \(count) database path\(count == 1 ? "" : "s") below it not checked"))
      }
    }
    findings += referenceFindings(verification)
    findings += disk
    findings += LikelyMoved(index: index, states: states, rootOf: rootOf, roots: roots, libraries: libraries)
      .findings(candidates: disk, digests: verification.candidateDigests)
    return findings
  }

  private func referenceFindings(_ verification: VerificationOutcome) -> [Finding] {
    var findings: [Finding] = []
    var reportedPaths = Set<PathID>()
    for reference in index.references {
      let path = reference.path
      let root = Int(rootOf[path])
      if root >= 0 && roots[root].offline { continue }
      if covered[path] != nil { continue }
      let state = states[path]
      let deleted = reference.flags.contains(.deletedStatus)
      // A row queued for Immich's delete job whose file is still there gives nothing.
      if deleted && state != .missing { continue }
      // Person thumbnails and profile images belong to a person or a user, not an asset.
      let belongsToAsset = reference.kind != .personThumbnail && reference.kind != .profileImage
      func finding(_ kind: FindingKind, _ detail: String? = nil) -> Finding {
        return Finding(
          kind: kind, path: index.databasePath(path), hostPath: index.hostPath(path),
          assetId: belongsToAsset ? reference.rowId.string(index.ids) : nil,
          libraryId: reference.library >= 0 ? libraries[Int(reference.library)].id : nil,
          ownerId: index.ownerId(of: reference)?.string(index.ids),
          detail: detail)
      }
      if reference.kind == .original && reference.flags.contains(.pathChecksumMismatch) && !deleted {
        findings.append(finding(.pathChecksumMismatch, "checksum is not sha1(\"path:\" + originalPath): the path was changed after import"))
      }
      switch state {
      case .missing, .unseen:
        var detail = Self.missingDetail(reference)
        if reference.kind == .personThumbnail, let person = reference.rowId.string(index.ids) { detail += " (person \(person))" }
        if reference.kind == .sidecar, root >= 0, let other = Self.otherSidecarCandidate(index.hostPath(path)),
          walks[root].xmpFiles.contains(RootWalk.folderKey(other[(roots[root].host.count + 1)...])) {
          detail += "; Immich's other sidecar name \(String(decoding: LikelyMoved.fileName(other[...]), as: UTF8.self)) exists and is picked up by the next metadata refresh"
        }
        findings.append(finding(Self.missingKind(reference), detail))
      case .directory, .other:
        if reportedPaths.insert(path).inserted {
          findings.append(finding(.notAFile, state == .directory ? "a directory, not a file" : "not a regular file (device, socket or FIFO)"))
        }
      case .unreadable:
        if reportedPaths.insert(path).inserted {
          findings.append(finding(.unreadable, Self.reason(states.errno(path))))
        }
      case .file:
        guard reference.kind == .original else { continue }
        if reference.flags.contains(.offline) {
          findings.append(finding(.offlinePresent, "marked offline, but the file is there again: a library scan brings it back"))
        } else if checkSizes && reference.expectedSize >= 0 && states.size(path) >= 0 && states.size(path) != reference.expectedSize {
          findings.append(finding(.sizeMismatch, "\(states.size(path)) bytes on disk, \(reference.expectedSize) in the database"))
        } else if let digest = verification.mismatched[path], reference.checksum >= 0 {
          findings.append(finding(.checksumMismatch, "content SHA-1 \(Self.hex(digest)), the database has \(Self.hex(index.checksum(reference.checksum))): the file changed or is another file"))
        }
      }
    }
    return findings
  }

  static func missingKind(_ reference: ReferenceIndex.Reference) -> FindingKind {
    switch reference.kind {
    case .original:
      return reference.flags.contains(.trashed) || reference.flags.contains(.offline) ? .missingOriginalTrashed : .missingOriginal
    case .sidecar: return .missingSidecar
    case .preview, .thumbnail, .fullsize, .encodedVideo: return .missingDerivative
    case .personThumbnail: return .missingPersonThumbnail
    case .profileImage: return .missingProfileImage
    }
  }

  static func missingDetail(_ reference: ReferenceIndex.Reference) -> String {
    switch reference.kind {
    case .original:
      if reference.flags.contains(.deletedStatus) { return "queued for deletion (status deleted)" }
      if reference.flags.contains(.offline) { return "offline asset (in the trash until Immich purges it)" }
      if reference.flags.contains(.trashed) { return "asset in the trash" }
      return "original file absent"
    case .preview: return "preview absent (regenerable)"
    case .thumbnail: return "thumbnail absent (regenerable)"
    case .fullsize: return "full-size rendition absent (regenerable)"
    case .encodedVideo: return "encoded video absent (regenerable)"
    case .sidecar: return "XMP sidecar absent"
    case .personThumbnail: return "face thumbnail absent (regenerable)"
    case .profileImage: return "profile image absent"
    }
  }

  /// Files found on disk that no reference accounts for (under online roots).
  /// Each walk's unmatched files become findings here and are let go (at 200,000 new files
  /// they held 20 MB beside the findings made of them).
  mutating func diskFindings() -> [Finding] {
    defer { for index in walks.indices { walks[index].unmatched = [] } }
    var findings: [Finding] = []
    for (rootIndex, walk) in walks.enumerated() where !roots[rootIndex].offline {
      let root = roots[rootIndex]
      let ownerId = root.libraryId.flatMap { id in libraries.first { $0.id == id }?.ownerId }
      for file in walk.unmatched {
        var detail: String
        switch file.kind {
        case .unindexedOriginal:
          detail = "no asset of this library references it: the next library scan imports it as a new asset"
          // Seen by the walk, not stat'ed again: a slow mount answers each stat in a round trip.
          if let sidecar = Self.sidecarCandidates(file.relative).first(where: { walk.xmpFiles.contains(RootWalk.folderKey($0)) }) {
            detail += " (with its sidecar \(String(decoding: LikelyMoved.fileName(sidecar[...]), as: UTF8.self)))"
          }
        case .untrackedUpload: detail = "no asset references it"
        default: detail = "nothing references it (regenerable files are recreated, this one is not used)"
        }
        var finding = Finding(
          kind: file.kind, path: join(root.container, file.relative), hostPath: join(root.host, file.relative),
          libraryId: root.libraryId, ownerId: ownerId, detail: detail)
        finding.diskSize = file.size
        findings.append(finding)
      }
    }
    return findings
  }

  private func join(_ base: String, _ relative: [UInt8]) -> [UInt8] {
    join(Array(base.utf8), relative)
  }

  private func join(_ base: [UInt8], _ relative: [UInt8]) -> [UInt8] {
    relative.isEmpty ? base : base + [Self.slash] + relative
  }

  /// Where Immich looks for an original's XMP sidecar, in its order: `photo.jpg.xmp`, then
  /// `photo.xmp` (`MetadataService.getSidecarCandidates`).
  static func sidecarCandidates(_ original: [UInt8]) -> [[UInt8]] {
    let xmp = Array(".xmp".utf8)
    var candidates = [original + xmp]
    let name = LikelyMoved.fileName(original[...])
    if let dot = name.lastIndex(of: UInt8(ascii: ".")), dot > name.startIndex {
      candidates.append(Array(original[..<dot]) + xmp)
    }
    return candidates
  }

  /// For a recorded sidecar `photo.jpg.xmp`, the other name Immich would accept: `photo.xmp`.
  static func otherSidecarCandidate(_ sidecar: [UInt8]) -> [UInt8]? {
    let xmp = Array(".xmp".utf8)
    guard sidecar.count > xmp.count, Array(sidecar.suffix(xmp.count)) == xmp else { return nil }
    let original = Array(sidecar.dropLast(xmp.count))
    let candidates = sidecarCandidates(original)
    return candidates.count > 1 ? candidates[1] : nil
  }

  static func offlineDetail(_ root: AuditRoot) -> String {
    let figures = "the database expects \(root.expectedFiles) file\(root.expectedFiles == 1 ? "" : "s") under it, \(root.presentFiles) present"
    let what: String
    switch root.status {
    case .missing: what = "folder missing (not mounted, or mapped to the wrong host path?)"
    case .notADirectory: what = "not a directory"
    case .unreadable: what = "folder cannot be read"
    case .timedOut: what = "folder did not answer in time"
    case .empty: what = "folder is empty (not mounted?)"
    case .ok: what = "none of the expected files is there (mapped to the wrong host path?)"
    }
    return "\(what); \(figures)"
  }

  static func reason(_ code: Int32) -> String { SystemError.sentence(code) }
}
