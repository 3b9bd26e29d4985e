import CompactStore
import Foundation

/// Every file the database references, kept compact enough for millions of rows: the paths in
/// a `PathTable` (CompactStore), and one small record per reference. Several references may
/// share one path (an original that is also another asset's original); presence is kept per
/// path (`PathStates`).
///
/// Built on one thread while the rows stream in; read by the walk threads afterwards, each of
/// which writes the presence of the paths assigned to its own root only.
final class ReferenceIndex: @unchecked Sendable {
  enum Kind: UInt8, CaseIterable {
    case original, preview, thumbnail, fullsize, sidecar, encodedVideo, personThumbnail, profileImage

    init(_ kind: ReferencedFile.Kind) {
      switch kind {
      case .preview: self = .preview
      case .thumbnail: self = .thumbnail
      case .fullsize: self = .fullsize
      case .sidecar: self = .sidecar
      case .encodedVideo: self = .encodedVideo
      case .personThumbnail: self = .personThumbnail
      case .profileImage: self = .profileImage
      }
    }
  }

  /// A set of kinds, a bit per `Kind`: which kinds of reference point at a path.
  struct Kinds: OptionSet {
    let rawValue: UInt8
    init(rawValue: UInt8) { self.rawValue = rawValue }
    init(_ kind: Kind) { rawValue = 1 << kind.rawValue }
    static let original = Kinds(.original)
  }

  struct Flags: OptionSet {
    let rawValue: UInt8
    static let trashed = Flags(rawValue: 1)
    static let offline = Flags(rawValue: 2)
    /// `status = 'deleted'`: queued for Immich's delete job.
    static let deletedStatus = Flags(rawValue: 4)
    static let pathChecksumMismatch = Flags(rawValue: 8)
    /// `checksum` is the SHA-1 of the content (uploads; `checksumAlgorithm = 'sha1'`).
    static let contentHashed = Flags(rawValue: 16)
  }

  /// One reference, as the index hands it out (stored as an `OriginalRecord` or `FileRecord`).
  struct Reference {
    /// `fileSizeInByte`, -1 when unknown (no size check).
    var expectedSize: Int64
    /// The asset (person, user) the file belongs to.
    var rowId: CompactID
    var path: PathID
    /// Index into `libraries`, -1 for none.
    var library: Int32
    /// Index into the index's `owners`, -1 for none (an asset's other files: its original's).
    var owner: Int32
    /// Index into `fileNames` (originals only), -1 for none.
    var fileName: Int32
    /// Index into `checksums` (content-hashed originals only), -1 for none.
    var checksum: Int32
    var kind: Kind
    var flags: Flags

    init(
      path: PathID, kind: Kind, flags: Flags, library: Int32, expectedSize: Int64, rowId: CompactID, owner: Int32,
      fileName: Int32, checksum: Int32 = -1
    ) {
      self.expectedSize = expectedSize
      self.rowId = rowId
      self.path = path
      self.library = library
      self.owner = owner
      self.fileName = fileName
      self.checksum = checksum
      self.kind = kind
      self.flags = flags
    }
  }

  /// An original: a size, a name, a library and flags that the other files do not have. Its
  /// asset's id is the path table's stem of the same number (thumbnails are named after it).
  struct OriginalRecord {
    var expectedSize: Int64
    var path: PathID
    var fileName: Int32
    var owner: Int32
    /// Libraries number a handful; Int16 keeps the record at 24 bytes.
    var library: Int16
    var flags: Flags
  }

  /// Any other file, in 12 bytes.
  struct FileRecord {
    var path: PathID
    /// The owner's index and the kind, packed: `kindBits` low bits of kind.
    private var ownerAndKind: Int32
    /// The row the file belongs to: an original's number when it is an asset's (its id is
    /// kept there once), else -1 - its index in `otherRowIds` (people, users).
    var row: Int32

    private static let kindBits: Int32 = 3
    private static let kindMask: Int32 = 1 << kindBits - 1

    init(path: PathID, owner: Int32, kind: Kind, row: Int32) {
      self.path = path
      ownerAndKind = owner << Self.kindBits | Int32(kind.rawValue)
      self.row = row
    }

    var owner: Int32 { ownerAndKind >> Self.kindBits }
    var kind: Kind { Kind(rawValue: UInt8(ownerAndKind & Self.kindMask))! }
  }

  // Every stored property skips Swift's run-time exclusivity checks (measured: BENCHMARKS.md,
  // "Measured choices in the code"): the index is filled by one thread while the rows stream
  // in, and only read, by the walk threads, afterwards.
  let paths = PathTable()
  /// Which kinds of reference point at each path.
  @exclusivity(unchecked) private(set) var kindsAt = Column<UInt8>()
  /// The library of the first original at each path (-1: none or an upload); more in `extraOriginalLibraries`.
  @exclusivity(unchecked) private var originalLibraryAt = Column<Int16>()
  @exclusivity(unchecked) private var extraOriginalLibraries: [PathID: [Int32]] = [:]
  @exclusivity(unchecked) private var originals = Column<OriginalRecord>()
  @exclusivity(unchecked) private var others = Column<FileRecord>()
  /// `checksum` of each original, only while content may be hashed (else empty).
  @exclusivity(unchecked) private var checksumOf: [Int32] = []
  @exclusivity(unchecked) private var otherRowIds: [CompactID] = []
  /// The newest uploads not in the trash, for restore-skew.
  var newestUploads = NewestUploads()
  /// The distinct owners (a handful of users), so a reference keeps 4 bytes instead of 16.
  @exclusivity(unchecked) private(set) var owners: [CompactID] = []
  @exclusivity(unchecked) private var ownerIndex: [CompactID: Int32] = [:]
  @exclusivity(unchecked) private(set) var fileNames = ByteArena()
  /// 20-byte SHA-1s of content-hashed originals, end to end.
  @exclusivity(unchecked) private(set) var checksums: [UInt8] = []
  @exclusivity(unchecked) var ids = CompactID.Overflow()
  /// Asset id → number of its original, while the other files stream in (then dropped).
  @exclusivity(unchecked) private var assetNumbers = HashSlots(count: 2)
  @exclusivity(unchecked) private var assetNumbersBuilt = false
  /// The original found last: rows mostly come in the originals' own order.
  @exclusivity(unchecked) private var lastAssetFound = -1
  @exclusivity(unchecked) private var lastAssetLookup: (id: CompactID, number: Int32?)?

  var pathCount: Int { paths.count }
  var folderCount: Int { paths.folderCount }
  var references: ReferenceList { ReferenceList(index: self) }

  /// Every reference, originals first, as `Reference` values made on the fly.
  struct ReferenceList: RandomAccessCollection {
    let index: ReferenceIndex
    var startIndex: Int { 0 }
    var endIndex: Int { index.originals.count + index.others.count }

    subscript(position: Int) -> Reference {
      if position < index.originals.count {
        let record = index.originals[position]
        return Reference(
          path: record.path, kind: .original, flags: record.flags, library: Int32(record.library),
          expectedSize: record.expectedSize, rowId: index.paths.stem(Int32(position)), owner: record.owner,
          fileName: record.fileName, checksum: index.checksumOf.isEmpty ? -1 : index.checksumOf[position])
      }
      let record = index.others[position - index.originals.count]
      // asset_file rows carry no owner: an asset's files are its original's owner's.
      let owner = record.owner < 0 && record.row >= 0 ? index.originals[Int(record.row)].owner : record.owner
      return Reference(
        path: record.path, kind: record.kind, flags: [], library: -1, expectedSize: -1,
        rowId: index.rowId(record.row), owner: owner, fileName: -1)
    }
  }

  /// Room for about `assets` assets (three paths and four references each), so the arrays do
  /// not double (and briefly hold two copies) while millions of rows stream in.
  func reserve(assets: Int) {
    let pathCount = assets * 3
    paths.reserve(paths: pathCount, stems: assets)
    kindsAt.reserveCapacity(pathCount)
    originalLibraryAt.reserveCapacity(pathCount)
    originals.reserveCapacity(assets)
    others.reserveCapacity(assets * 3)
    fileNames.reserve(count: assets, bytes: assets * 24)
  }

  // MARK: Paths

  /// The path's number, added if new. `databasePath` is the stored spelling, `host` where it
  /// is on this machine; `namedAfter`: the asset (number of its original) whose id the file
  /// name may start with, as Immich names thumbnails and encoded videos: then the name costs
  /// no UUID of its own.
  func intern(databasePath: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, namedAfter asset: Int32? = nil)
    -> PathID
  {
    let path = paths.intern(source: databasePath, host: host, stem: asset)
    if path.index == kindsAt.count {
      kindsAt.append(0)
      originalLibraryAt.append(-1)
    }
    return path
  }

  func hostPath(_ path: PathID) -> [UInt8] { paths.hostPath(path) }
  /// The database's spelling of `path`.
  func databasePath(_ path: PathID) -> [UInt8] { paths.sourcePath(path) }
  func kinds(at path: PathID) -> Kinds { Kinds(rawValue: kindsAt[path.index]) }

  /// Whether an original of library `library` (-1: uploads) lies at `path`.
  func isOriginal(_ path: PathID, ofLibrary library: Int32) -> Bool {
    guard kinds(at: path).contains(.original) else { return false }
    return originalLibraryAt[path.index] == Int16(clamping: library)
      || extraOriginalLibraries[path]?.contains(library) == true
  }

  // MARK: References

  func internOwner(_ id: CompactID) -> Int32 {
    if id == .none { return -1 }
    if let last = owners.last, last == id { return Int32(owners.count - 1) }
    if let known = ownerIndex[id] { return known }
    owners.append(id)
    ownerIndex[id] = Int32(owners.count - 1)
    return Int32(owners.count - 1)
  }

  /// A reference's owner, nil for none.
  func ownerId(of reference: Reference) -> CompactID? {
    reference.owner >= 0 ? owners[Int(reference.owner)] : nil
  }

  func add(_ reference: Reference) {
    let path = reference.path
    if reference.kind == .original {
      if !kinds(at: path).contains(.original) {
        originalLibraryAt[path.index] = Int16(clamping: reference.library)
      } else if originalLibraryAt[path.index] != Int16(clamping: reference.library) {
        extraOriginalLibraries[path, default: []].append(reference.library)
      }
      // Asset numbers are looked up once every original is in; one more makes the table stale.
      if assetNumbersBuilt { finishReading() }
      // One checksum per original once the first is kept (the originals before it: -1); none
      // kept, no array at all.
      if reference.checksum >= 0 && checksumOf.count < originals.count {
        checksumOf = Array(repeating: -1, count: originals.count)
      }
      if reference.checksum >= 0 || !checksumOf.isEmpty { checksumOf.append(reference.checksum) }
      // The original's number is its stem's: thumbnails named after the asset find its id there.
      let stem = paths.addStem(reference.rowId)
      precondition(Int(stem) == originals.count, "an original's stem is its number")
      originals.append(
        OriginalRecord(
          expectedSize: reference.expectedSize, path: path, fileName: reference.fileName, owner: reference.owner,
          library: Int16(clamping: reference.library), flags: reference.flags))
    } else {
      others.append(FileRecord(path: path, owner: reference.owner, kind: reference.kind, row: row(of: reference.rowId)))
    }
    kindsAt[path.index] |= Kinds(reference.kind).rawValue
  }

  /// The id of a `FileRecord.row`.
  func rowId(_ row: Int32) -> CompactID {
    row >= 0 ? paths.stem(row) : otherRowIds[Int(-1 - row)]
  }

  private func row(of id: CompactID) -> Int32 {
    if let number = assetNumber(id) { return number }
    otherRowIds.append(id)
    return -Int32(otherRowIds.count)
  }

  /// The number of the original of asset `id` (once every original is in), if there is one.
  func assetNumber(_ id: CompactID) -> Int32? {
    // A file row is looked up twice in a row (its name, then its record).
    if let last = lastAssetLookup, last.id == id { return last.number }
    let number = findAssetNumber(id)
    lastAssetLookup = (id, number)
    return number
  }

  private func findAssetNumber(_ id: CompactID) -> Int32? {
    // Immich fills asset, asset_exif and asset_file as assets arrive, and a scan returns them
    // mostly in that order: the original after the last one found is tried first, which reads
    // the originals in order instead of at random.
    let next = lastAssetFound + 1
    if next < originals.count && paths.stem(Int32(next)) == id {
      lastAssetFound = next
      return Int32(next)
    }
    if !assetNumbersBuilt {
      guard !originals.isEmpty else { return nil }
      assetNumbers = HashSlots(count: HashSlots.slotCount(for: originals.count))
      for number in originals.indices { assetNumbers.insert(Int32(number), hash: paths.stem(Int32(number)).slotHash) }
      assetNumbersBuilt = true
    }
    let found = assetNumbers.find(id.slotHash) { paths.stem($0) == id }
    if let found { lastAssetFound = Int(found) }
    return found
  }

  /// The size `fileSizeInByte` records for the original of asset number `asset`.
  func setExpectedSize(_ size: Int64, ofAsset asset: Int32) {
    originals[Int(asset)].expectedSize = size
  }

  /// Every row has been read: the asset-number table is not needed any more.
  func finishReading() {
    assetNumbers = HashSlots(count: 2)
    assetNumbersBuilt = false
    lastAssetLookup = nil
    lastAssetFound = -1
  }

  /// A content checksum as stored (a SHA-1: 20 bytes); nil for none or any other length.
  func addChecksum(_ stored: UnsafeRawBufferPointer?) -> Int32? {
    guard let stored, stored.count == 20 else { return nil }
    checksums.append(contentsOf: stored)
    return Int32(checksums.count / 20 - 1)
  }

  func checksum(_ index: Int32) -> ArraySlice<UInt8> {
    checksums[Int(index) * 20..<Int(index) * 20 + 20]
  }

  func addFileName(_ name: UnsafeRawBufferPointer) -> Int32 {
    fileNames.append(name)
    return Int32(fileNames.count - 1)
  }
}
