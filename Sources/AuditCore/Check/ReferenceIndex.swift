import CLinuxCalls
import Foundation
import Synchronization

/// Every file the database references, kept compact enough for millions of rows: each path as
/// its folder's number (`FolderTable`) and a name handle (`NameStore`, or its asset's id), found
/// through one open-addressing table; ids packed into 16 bytes; one small record per reference.
/// Several references may share one path (an original that is also another asset's original);
/// presence is kept per path.
///
/// Built on one thread while the rows stream in; read by the walk threads afterwards, each of
/// which writes the presence of the paths assigned to its own root only (`PathStates`).
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

    var bit: UInt8 { 1 << rawValue }
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
    var path: Int32
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

    init(path: Int32, kind: Kind, flags: Flags, library: Int32, expectedSize: Int64, rowId: CompactID, owner: Int32, fileName: Int32, checksum: Int32 = -1) {
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

  /// The distinct owners (a handful of users), so a reference keeps 4 bytes instead of 16.
  @exclusivity(unchecked) private(set) var owners: [CompactID] = []
  @exclusivity(unchecked) private var ownerIndex: [CompactID: Int32] = [:]

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

  // Every stored property skips Swift's run-time exclusivity checks (about 5% of a large
  // check's instructions): the index is filled by one thread while the rows stream in, and
  // only read, by the walk threads, afterwards.
  /// Host paths, one per distinct path, never stored whole: the folder (every byte up to and
  /// including the last "/"), stored once for all the files in it, and the file name (16 bytes
  /// and a shared suffix for Immich's UUID-named files). A path is found by (folder, name), so
  /// the walk looks a folder up once and then only hashes names. The database's spelling
  /// differs from the host path only in a prefix (the mapping): each path keeps the index of
  /// its (database prefix, host prefix) pair, of which there are a handful.
  @exclusivity(unchecked) private var folders = FolderTable()
  @exclusivity(unchecked) private var folderOf = Column<Int32>()
  @exclusivity(unchecked) private var names = NameStore()
  @exclusivity(unchecked) private var nameOf = Column<UInt32>()
  /// The pair of each path in a byte (there are a handful); 255: the pair is in `widePairOf`.
  @exclusivity(unchecked) private var prefixPairOf = Column<UInt8>()
  @exclusivity(unchecked) private var widePairOf: [Int32: Int32] = [:]
  @exclusivity(unchecked) private var prefixPairs: [(database: [UInt8], host: [UInt8])] = []
  @exclusivity(unchecked) private var prefixPairIndex: [[UInt8]: Int32] = [:]
  /// Path numbers by hash of (folder, name); a slot's path is confirmed by its folder number
  /// and name (no hash kept per path: 8 bytes each at millions of paths).
  @exclusivity(unchecked) private var table = HashSlots(count: 1 << 12)
  /// Which kinds of reference point at each path (bit per `Kind`).
  @exclusivity(unchecked) private(set) var kindsAt = Column<UInt8>()
  /// The library of the first original at each path (-1: none or an upload); more in `extraOriginalLibraries`.
  @exclusivity(unchecked) private(set) var originalLibraryAt = Column<Int16>()
  @exclusivity(unchecked) private(set) var extraOriginalLibraries: [Int32: [Int32]] = [:]
  /// Originals and every other file apart: an original carries a size, a name, a library
  /// and flags that the others do not (40 and 12 bytes each).
  @exclusivity(unchecked) private var originals = Column<OriginalRecord>()
  @exclusivity(unchecked) private var others = Column<FileRecord>()
  /// `checksum` of each original, only while content may be hashed (else empty).
  @exclusivity(unchecked) private var checksumOf: [Int32] = []
  var references: ReferenceList { ReferenceList(index: self) }

  struct OriginalRecord {
    var rowId: CompactID
    var expectedSize: Int64
    var path: Int32
    var fileName: Int32
    var owner: Int32
    /// Libraries number a handful; Int16 keeps the record at 40 bytes.
    var library: Int16
    var flags: Flags
  }

  struct FileRecord {
    var path: Int32
    /// The owner's index shifted left by 3, and the kind in the low 3 bits.
    var ownerAndKind: Int32
    /// The row the file belongs to: an original's number when it is an asset's (its id is
    /// kept there once), else -1 - its index in `otherRowIds` (people, users).
    var row: Int32
  }

  @exclusivity(unchecked) private var otherRowIds: [CompactID] = []
  /// Asset id → number of its original, while the other files stream in (then dropped).
  @exclusivity(unchecked) private var assetNumbers = HashSlots(count: 2)
  @exclusivity(unchecked) private var assetNumbersBuilt = false
  /// The original found last: rows mostly come in the originals' own order.
  @exclusivity(unchecked) private var lastAssetFound = -1

  /// Every reference, originals first, as `Reference` values made on the fly.
  struct ReferenceList: RandomAccessCollection {
    let index: ReferenceIndex
    var startIndex: Int { 0 }
    var endIndex: Int { index.originals.count + index.others.count }

    subscript(position: Int) -> Reference {
      if position < index.originals.count {
        let record = index.originals[position]
        return Reference(
          path: record.path, kind: .original, flags: record.flags, library: Int32(record.library), expectedSize: record.expectedSize,
          rowId: record.rowId, owner: record.owner, fileName: record.fileName,
          checksum: index.checksumOf.isEmpty ? -1 : index.checksumOf[position])
      }
      let record = index.others[position - index.originals.count]
      // asset_file rows carry no owner: an asset's files are its original's owner's.
      let owner = record.ownerAndKind >> 3
      return Reference(
        path: record.path, kind: Kind(rawValue: UInt8(record.ownerAndKind & 7))!, flags: [], library: -1, expectedSize: -1,
        rowId: index.rowId(record.row), owner: owner < 0 && record.row >= 0 ? index.originals[Int(record.row)].owner : owner, fileName: -1)
    }
  }
  @exclusivity(unchecked) private(set) var fileNames = ByteArena()
  /// 20-byte SHA-1s of content-hashed originals, end to end.
  @exclusivity(unchecked) private(set) var checksums: [UInt8] = []
  @exclusivity(unchecked) var ids = CompactID.Overflow()

  var pathCount: Int { folderOf.count }

  /// Room for about `assets` assets (three paths and four references each), so the arrays do
  /// not double (and briefly hold two copies) while millions of rows stream in. Capacity never
  /// touched costs address space, not memory.
  func reserve(assets: Int) {
    let paths = assets * 3
    // The hash table at its final size (at most half full), instead of doubling as rows arrive.
    var slots = table.count
    while slots < paths * 2 { slots *= 2 }
    if slots > table.count { table = HashSlots(count: slots) }
    names.reserve(count: paths)
    nameOf.reserveCapacity(paths)
    folderOf.reserveCapacity(paths)
    prefixPairOf.reserveCapacity(paths)
    kindsAt.reserveCapacity(paths)
    originalLibraryAt.reserveCapacity(paths)
    originals.reserveCapacity(assets)
    others.reserveCapacity(assets * 3)
    fileNames.reserve(count: assets, bytes: assets * 24)
  }

  /// The path's index, added if new. `databasePath` is the stored spelling, `hostPath` where
  /// it is on this machine.
  ///
  /// `namedAfter`: the asset (number of its original) whose id the file name may start with,
  /// as Immich names thumbnails and encoded videos: then the name costs no UUID of its own.
  func intern(databasePath: UnsafeRawBufferPointer, hostPath: [UInt8], namedAfter asset: Int32? = nil) -> Int32 {
    hostPath.withUnsafeBytes { intern(databasePath: databasePath, host: $0, namedAfter: asset) }
  }

  func intern(databasePath: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, namedAfter asset: Int32? = nil) -> Int32 {
    let nameStart = Self.nameStart(host)
    let folder = folders.intern(UnsafeRawBufferPointer(rebasing: host[0..<nameStart]))
    let name = UnsafeRawBufferPointer(rebasing: host[nameStart...])
    let hash = Self.pathHash(folder: folder, name: name)
    if let existing = lookup(folder: folder, name: name, hash: hash) { return existing }
    let index = Int32(folderOf.count)
    let pair = prefixPair(databasePath, host)
    if pair < 255 {
      prefixPairOf.append(UInt8(pair))
    } else {
      widePairOf[index] = pair
      prefixPairOf.append(255)
    }
    folderOf.append(folder)
    nameOf.append(derivedName(name, asset: asset) ?? names.append(name))
    kindsAt.append(0)
    originalLibraryAt.append(-1)
    if folderOf.count * 2 > table.count { grow() } else { table.insert(index, hash: hash) }
    return index
  }

  /// Where path `index` is on this machine.
  func hostPath(_ index: Int32) -> [UInt8] {
    var path = folders[Int(folderOf[Int(index)])]
    appendName(nameOf[Int(index)], to: &path)
    return path
  }

  /// The database's spelling of path `index`.
  func databasePath(_ index: Int32) -> [UInt8] {
    let narrow = prefixPairOf[Int(index)]
    let pair = prefixPairs[narrow < 255 ? Int(narrow) : Int(widePairOf[index]!)]
    return pair.database + hostPath(index).dropFirst(pair.host.count)
  }

  /// For every folder, the first of `candidates` (host folders, longest first) it lies below
  /// (whole components), or -1; a path's is its folder's. A path lies below a candidate exactly
  /// when the candidate plus "/" is its folder or one of that folder's ancestors, all of which
  /// the folder table holds: so it is settled per folder, parents before children, without
  /// rebuilding any path.
  func firstFolder(containing candidates: [[UInt8]]) -> [Int16] {
    let candidateFolders = candidates.map { candidate in (candidate + [UInt8(ascii: "/")]).withUnsafeBytes { folders.find($0) } }
    var best = [Int16](repeating: -1, count: folders.count)
    for folder in 0..<folders.count {
      // A parent is always interned before its children: its answer is known.
      let parent = folders.parent(folder)
      var answer: Int16 = parent >= 0 ? best[Int(parent)] : -1
      for (number, candidate) in candidateFolders.enumerated() where candidate == Int32(folder) {
        if answer < 0 || Int16(number) < answer { answer = Int16(number) }
        break
      }
      best[folder] = answer
    }
    return best
  }

  /// For each of `candidates` (host folders), the sum of `perFolder` over the folders at or
  /// below it (whole components). Children are interned after their parents, so one pass from
  /// the last folder to the first carries each folder's total into its parent's.
  func totalsBelow(_ candidates: [[UInt8]], perFolder: [Int32]) -> [Int] {
    var totals = perFolder
    for folder in stride(from: folders.count - 1, through: 0, by: -1) {
      let parent = folders.parent(folder)
      if parent >= 0 { totals[Int(parent)] += totals[folder] }
    }
    return candidates.map { candidate in
      (candidate + [UInt8(ascii: "/")]).withUnsafeBytes { folders.find($0) }.map { Int(totals[Int($0)]) } ?? 0
    }
  }

  /// How many folders the index holds (numbered from 0, as `folder(_:)` returns them).
  var folderCount: Int { folders.count }

  /// The number of the folder path `path` lies in.
  func folder(ofPath path: Int32) -> Int32 { folderOf[Int(path)] }

  /// The (database prefix, host prefix) pair of two spellings: what precedes their longest
  /// common suffix.
  private func prefixPair(_ database: UnsafeRawBufferPointer, _ host: UnsafeRawBufferPointer) -> Int32 {
    // Consecutive rows almost always share the last pair: check it without searching.
    if lastPair >= 0 {
      let databasePrefix = lastPairDatabase.count
      let hostPrefix = lastPairHost.count
      if database.count - databasePrefix == host.count - hostPrefix, database.count >= databasePrefix, host.count >= hostPrefix,
        databasePrefix == 0 || memcmp(database.baseAddress!, lastPairDatabase.baseAddress!, databasePrefix) == 0,
        hostPrefix == 0 || memcmp(host.baseAddress!, lastPairHost.baseAddress!, hostPrefix) == 0,
        database.count == databasePrefix
          || memcmp(database.baseAddress! + databasePrefix, host.baseAddress! + hostPrefix, database.count - databasePrefix) == 0
      {
        return lastPair
      }
    }
    let pair = searchPrefixPair(database, host)
    if pair != lastPair {
      lastPairDatabase.deallocate()
      lastPairHost.deallocate()
      lastPairDatabase = .allocate(byteCount: prefixPairs[Int(pair)].database.count, alignment: 1)
      lastPairDatabase.copyBytes(from: prefixPairs[Int(pair)].database)
      lastPairHost = .allocate(byteCount: prefixPairs[Int(pair)].host.count, alignment: 1)
      lastPairHost.copyBytes(from: prefixPairs[Int(pair)].host)
      lastPair = pair
    }
    return pair
  }

  /// The last pair's prefixes, as plain buffers: compared on every row without touching the
  /// arrays of `prefixPairs` (whose reference counting cost more than the comparison).
  @exclusivity(unchecked) private var lastPair: Int32 = -1
  @exclusivity(unchecked) private var lastPairDatabase = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)
  @exclusivity(unchecked) private var lastPairHost = UnsafeMutableRawBufferPointer.allocate(byteCount: 0, alignment: 1)

  deinit {
    lastPairDatabase.deallocate()
    lastPairHost.deallocate()
  }

  private func searchPrefixPair(_ database: UnsafeRawBufferPointer, _ host: UnsafeRawBufferPointer) -> Int32 {
    var common = 0
    while common < database.count && common < host.count && database[database.count - 1 - common] == host[host.count - 1 - common] {
      common += 1
    }
    let databasePrefix = Array(database[0..<(database.count - common)])
    let hostPrefix = Array(host[0..<(host.count - common)])
    let key = databasePrefix + [0] + hostPrefix
    if let known = prefixPairIndex[key] { return known }
    prefixPairs.append((databasePrefix, hostPrefix))
    prefixPairIndex[key] = Int32(prefixPairs.count - 1)
    return Int32(prefixPairs.count - 1)
  }

  /// The id of a `FileRecord.row`.
  func rowId(_ row: Int32) -> CompactID {
    row >= 0 ? originals[Int(row)].rowId : otherRowIds[Int(-1 - row)]
  }

  /// The number of the original of asset `id` (once every original is in), if there is one.
  func assetNumber(_ id: CompactID) -> Int32? {
    // A file row is looked up twice in a row (its name, then its record).
    if let last = lastAssetLookup, last.id == id { return last.number }
    let number = findAssetNumber(id)
    lastAssetLookup = (id, number)
    return number
  }

  @exclusivity(unchecked) private var lastAssetLookup: (id: CompactID, number: Int32?)?

  private func findAssetNumber(_ id: CompactID) -> Int32? {
    // Immich fills asset, asset_exif and asset_file as assets arrive, and a scan returns them
    // mostly in that order: the original after the last one found is tried first, which reads
    // the originals in order instead of at random.
    let next = lastAssetFound + 1
    if next < originals.count && originals[next].rowId == id {
      lastAssetFound = next
      return Int32(next)
    }
    if !assetNumbersBuilt {
      guard !originals.isEmpty else { return nil }
      var slots = 16
      while slots < originals.count * 2 { slots *= 2 }
      assetNumbers = HashSlots(count: slots)
      for number in originals.indices { assetNumbers.insert(Int32(number), hash: Self.idHash(originals[number].rowId)) }
      assetNumbersBuilt = true
    }
    let found = assetNumbers.find(Self.idHash(id)) { originals[Int($0)].rowId == id }
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

  private static func idHash(_ id: CompactID) -> UInt64 {
    // Each half mixed on its own first: ids whose halves are related (as in the benchmark's
    // synthetic ones) must not cancel out.
    var mixed = id.high &* 0x9E37_79B9_7F4A_7C15
    mixed ^= mixed >> 32
    mixed = (mixed ^ id.low) &* 0xBF58_476D_1CE4_E5B9
    return mixed ^ (mixed >> 29)
  }

  private func row(of id: CompactID) -> Int32 {
    if let number = assetNumber(id) { return number }
    otherRowIds.append(id)
    return -Int32(otherRowIds.count)
  }

  func add(_ reference: Reference) {
    let path = Int(reference.path)
    if reference.kind == .original {
      if kindsAt[path] & Kind.original.bit == 0 {
        originalLibraryAt[path] = Int16(clamping: reference.library)
      } else if originalLibraryAt[path] != Int16(clamping: reference.library) {
        extraOriginalLibraries[reference.path, default: []].append(reference.library)
      }
      // Asset numbers are looked up once every original is in; one more makes the table stale.
      if assetNumbersBuilt { finishReading() }
      // One checksum per original once the first is kept (the originals before it: -1); none
      // kept, no array at all.
      if reference.checksum >= 0 && checksumOf.count < originals.count { checksumOf = Array(repeating: -1, count: originals.count) }
      if reference.checksum >= 0 || !checksumOf.isEmpty { checksumOf.append(reference.checksum) }
      originals.append(OriginalRecord(
        rowId: reference.rowId, expectedSize: reference.expectedSize, path: reference.path, fileName: reference.fileName,
        owner: reference.owner, library: Int16(clamping: reference.library), flags: reference.flags))
    } else {
      others.append(FileRecord(path: reference.path, ownerAndKind: reference.owner << 3 | Int32(reference.kind.rawValue), row: row(of: reference.rowId)))
    }
    kindsAt[path] |= reference.kind.bit
  }

  /// Stores a hex SHA-1 (libpq's text); nil if it is not one.
  func addChecksum(hex: UnsafeRawBufferPointer?) -> Int32? {
    guard let hex, Self.decodeSHA1(hex, into: &checksums) else { return nil }
    return Int32(checksums.count / 20 - 1)
  }

  /// Appends the 20 bytes of a 40-digit hex SHA-1; false (nothing appended) if it is not one.
  static func decodeSHA1(_ hex: UnsafeRawBufferPointer, into output: inout [UInt8]) -> Bool {
    guard hex.count == 40 else { return false }
    let start = output.count
    for pair in stride(from: 0, to: 40, by: 2) {
      guard let high = hexValue(hex[pair]), let low = hexValue(hex[pair + 1]) else {
        output.removeSubrange(start...)
        return false
      }
      output.append(high << 4 | low)
    }
    return true
  }

  func checksum(_ index: Int32) -> ArraySlice<UInt8> {
    checksums[Int(index) * 20..<Int(index) * 20 + 20]
  }

  static func hexValue(_ digit: UInt8) -> UInt8? {
    switch digit {
    case 48...57: return digit - 48
    case 97...102: return digit - 87
    case 65...70: return digit - 55
    default: return nil
    }
  }

  func addFileName(_ name: UnsafeRawBufferPointer) -> Int32 {
    fileNames.append(name)
    return Int32(fileNames.count - 1)
  }

  /// The path index of a host path, if the database references it.
  func lookup(_ hostPath: [UInt8]) -> Int32? {
    hostPath.withUnsafeBytes { host in
      let nameStart = Self.nameStart(host)
      guard let folder = folder(UnsafeRawBufferPointer(rebasing: host[0..<nameStart])) else { return nil }
      return lookup(folder: folder, name: UnsafeRawBufferPointer(rebasing: host[nameStart...]))
    }
  }

  /// The number of a host folder (ending in "/") that holds referenced files (or one of whose
  /// subfolders does), if it is known.
  func folder(_ hostFolder: UnsafeRawBufferPointer) -> Int32? {
    folders.find(hostFolder)
  }

  /// The path index of file `name` in `folder` (from `folder(_:)`).
  func lookup(folder: Int32, name: UnsafeRawBufferPointer) -> Int32? {
    lookup(folder: folder, name: name, hash: Self.pathHash(folder: folder, name: name))
  }

  /// Looks names `0..<count` of one folder (from `folder(_:)`) up and calls `found` with the
  /// position and path of each referenced one. At a million assets the index is larger than
  /// the caches and one lookup misses them three times in a row (its slot; the path's folder
  /// and name handle; the name's bytes): a batch issues each step's loads for all of its names
  /// before it needs them, so that their misses overlap instead of following one another.
  func lookup(folder: Int32, count: Int, name: (Int) -> UnsafeRawBufferPointer, found: (Int, Int32) -> Void) {
    let batch = 16
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: batch) { hashes in
      // The path in each name's first slot, if its tag is the name's (-1: none).
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: batch) { likely in
        var start = 0
        while start < count {
          let end = min(start + batch, count)
          for position in start..<end {
            let hash = Self.pathHash(folder: folder, name: name(position))
            hashes[position - start] = hash
            clinux_prefetch(table.address(hash))
          }
          for position in start..<end {
            let index = table.likely(hashes[position - start]) ?? -1
            likely[position - start] = index
            guard index >= 0 else { continue }
            clinux_prefetch(folderOf.address(Int(index)))
            clinux_prefetch(nameOf.address(Int(index)))
          }
          for position in start..<end {
            let index = Int(likely[position - start])
            guard index >= 0, folderOf[index] == folder else { continue }
            let handle = nameOf[index]
            if handle & Self.derivedTag == Self.derivedTag {
              clinux_prefetch(originals.address(Int(handle & 0x3F_FFFF)))
            } else {
              names.prefetch(handle)
            }
          }
          for position in start..<end {
            if let path = lookup(folder: folder, name: name(position), hash: hashes[position - start]) { found(position, path) }
          }
          start = end
        }
      }
    }
  }

  /// Whether an original of library `library` (-1: uploads) lies at `path`.
  func isOriginal(_ path: Int32, ofLibrary library: Int32) -> Bool {
    guard kindsAt[Int(path)] & Kind.original.bit != 0 else { return false }
    return originalLibraryAt[Int(path)] == Int16(clamping: library) || extraOriginalLibraries[path]?.contains(library) == true
  }

  private func lookup(folder: Int32, name: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
    table.find(hash) { index in folderOf[Int(index)] == folder && nameEquals(nameOf[Int(index)], name) }
  }

  private func nameEquals(_ handle: UInt32, _ name: UnsafeRawBufferPointer) -> Bool {
    guard handle & Self.derivedTag == Self.derivedTag else { return names.equals(handle, name) }
    return names.matches(name, id: originals[Int(handle & 0x3F_FFFF)].rowId, suffix: Int(handle >> 22 & 0xFF))
  }

  // A name handle with both top bits set: an asset's id (bits 0-21: its original's number)
  // and a suffix (bits 22-29: its number in `names`). Anything that does not fit is stored
  // by `NameStore` instead.
  private static let derivedTag: UInt32 = 0b11 << 30

  private func derivedName(_ name: UnsafeRawBufferPointer, asset: Int32?) -> UInt32? {
    guard let asset, asset < 1 << 22, let id = CompactID.parseLowercase(name), id == originals[Int(asset)].rowId,
      let suffix = names.suffixNumber(UnsafeRawBufferPointer(rebasing: name[36...])), suffix < 256
    else { return nil }
    return Self.derivedTag | UInt32(suffix) << 22 | UInt32(asset)
  }

  private func appendName(_ handle: UInt32, to output: inout [UInt8]) {
    guard handle & Self.derivedTag == Self.derivedTag else { return names.appendBytes(handle, to: &output) }
    names.append(id: originals[Int(handle & 0x3F_FFFF)].rowId, suffix: Int(handle >> 22 & 0xFF), to: &output)
  }

  /// Where the file name starts: after the last "/" (memrchr; the generic `lastIndex` cost a
  /// few hundred instructions a path, a plain loop one per byte of the name).
  static func nameStart(_ path: UnsafeRawBufferPointer) -> Int {
    guard let base = path.baseAddress else { return 0 }
    return clinux_name_start(base, path.count)
  }

  static func pathHash(folder: Int32, name: UnsafeRawBufferPointer) -> UInt64 {
    let mixed = (hash(name) ^ UInt64(UInt32(bitPattern: folder))) &* 0x9E37_79B9_7F4A_7C15
    return mixed ^ (mixed >> 29)
  }

  private func grow() {
    table = HashSlots(count: table.count * 2)
    var name: [UInt8] = []
    for index in folderOf.indices {
      name.removeAll(keepingCapacity: true)
      appendName(nameOf[index], to: &name)
      let hash = name.withUnsafeBytes { Self.pathHash(folder: folderOf[index], name: $0) }
      table.insert(Int32(index), hash: hash)
    }
  }

  /// A 64-bit hash of bytes, eight at a time (multiply and fold); collisions are resolved by
  /// comparing the bytes. Called for every row and every file walked, so it avoids the
  /// byte-at-a-time loop of FNV.
  static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
    if let hash = bytes.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) { return hash }
    return Array(bytes).withUnsafeBytes { hash($0) }
  }

  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    let multiplier: UInt64 = 0x9E37_79B9_7F4A_7C15
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(bytes.count)
    var position = 0
    while position + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)
      hash = (hash ^ word) &* multiplier
      hash ^= hash >> 29
      position += 8
    }
    var tail: UInt64 = 0
    var shift: UInt64 = 0
    while position < bytes.count {
      tail |= UInt64(bytes[position]) << shift
      shift += 8
      position += 1
    }
    hash = (hash ^ tail) &* multiplier
    hash ^= hash >> 32
    return hash &* 0xBF58_476D_1CE4_E5B9 ^ (hash >> 31)
  }
}

/// Distinct folders (byte strings ending in "/", or empty), each stored once as its parent
/// folder's number and its last component: a million folders below one deep root cost their
/// last components, not their whole paths. Found by a hash of the whole string.
struct FolderTable: ~Copyable {
  /// One folder: its parent, its whole length (its last component is what the parent's
  /// length leaves), where that component starts in `components`, and the low 32 bits of
  /// its hash (to place it again when the table grows). In one 16-byte record, so that
  /// comparing a folder misses the caches once for it, not once per array.
  private struct Record {
    var parent: Int32
    var length: Int32
    var componentStart: UInt32
    var tag: UInt32
  }

  private var records = Column<Record>()
  private var components = Column<UInt8>()
  /// Folder numbers by their 32-bit tags: the low bits choose the slot, the ones above tell
  /// folders apart in it (`HashSlots`), so most probes end there without reading a record.
  private var table = HashSlots(count: 1 << 10)
  private var last: Int32 = -1
  /// The last folder interned, whole: consecutive rows mostly share one.
  private var lastBytes = Column<UInt8>()

  var count: Int { records.count }

  /// The folder one component up (-1 for a first component).
  func parent(_ index: Int) -> Int32 { records[index].parent }

  /// Folder `index`'s last component: its bytes and where they end in the whole folder.
  private func component(_ index: Int) -> (bytes: UnsafeRawBufferPointer, end: Int) {
    let record = records[index]
    let start = record.parent >= 0 ? Int(records[Int(record.parent)].length) : 0
    let length = Int(record.length) - start
    return (components.bytes(Int(record.componentStart)..<Int(record.componentStart) + length), Int(record.length))
  }

  /// The whole folder.
  subscript(index: Int) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Int(records[index].length))
    var folder = index
    while folder >= 0 {
      let (component, end) = component(folder)
      bytes.replaceSubrange((end - component.count)..<end, with: component)
      folder = Int(records[folder].parent)
    }
    return bytes
  }

  private func equals(_ index: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard Int(records[Int(index)].length) == bytes.count else { return false }
    var folder = Int(index)
    while folder >= 0 {
      let (component, end) = component(folder)
      guard bytesEqual(component, UnsafeRawBufferPointer(rebasing: bytes[(end - component.count)..<end])) else { return false }
      folder = Int(records[folder].parent)
    }
    return true
  }

  /// The folder's number, if it is stored.
  func find(_ bytes: UnsafeRawBufferPointer) -> Int32? {
    find(bytes, tag: UInt32(truncatingIfNeeded: ReferenceIndex.hash(bytes)))
  }

  private func find(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Int32? {
    table.find(Self.slotHash(tag)) { equals($0, bytes) }
  }

  /// The table's hash of a folder: its 32 bits in both halves (`HashSlots` takes the slot
  /// from the low half and its tag from the high half's upper bits: different bits of them).
  private static func slotHash(_ tag: UInt32) -> UInt64 { UInt64(tag) << 32 | UInt64(tag) }

  private mutating func place(_ folder: Int32) {
    table.insert(folder, hash: Self.slotHash(records[Int(folder)].tag))
  }

  mutating func intern(_ bytes: UnsafeRawBufferPointer) -> Int32 {
    if last >= 0 && bytesEqual(lastBytes.bytes(0..<lastBytes.count), bytes) { return last }
    let index = intern(bytes, tag: UInt32(truncatingIfNeeded: ReferenceIndex.hash(bytes)))
    last = index
    lastBytes.removeAll()
    lastBytes.append(contentsOf: bytes)
    return index
  }

  private mutating func intern(_ bytes: UnsafeRawBufferPointer, tag: UInt32) -> Int32 {
    if let known = find(bytes, tag: tag) { return known }
    // The parent: everything up to the "/" before the last one (none for a first component).
    var cut = bytes.count - 1
    while cut > 0 && bytes[cut - 1] != UInt8(ascii: "/") { cut -= 1 }
    var parent: Int32 = -1
    if cut > 0 {
      let head = UnsafeRawBufferPointer(rebasing: bytes[0..<cut])
      parent = intern(head, tag: UInt32(truncatingIfNeeded: ReferenceIndex.hash(head)))
    }
    let index = Int32(records.count)
    records.append(Record(parent: parent, length: Int32(bytes.count), componentStart: UInt32(components.count), tag: tag))
    components.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[max(cut, 0)...]))
    if records.count * 2 > table.count {
      table = HashSlots(count: table.count * 2)
      for folder in 0..<Int32(records.count) { place(folder) }
    } else {
      place(index)
    }
    return index
  }
}

/// File names, most of them Immich's: a UUID (an upload's own id, or the asset's for its
/// derivatives) and a suffix (`.jpg`, `_preview.jpeg`) shared by many. Those are kept as 16
/// bytes and the suffix's number; any other name as its bytes. A handle's top bit says which.
struct NameStore: ~Copyable {
  private var other = ByteArena()
  private var uuids = Column<CompactID>()
  private var suffixOf = Column<UInt16>()
  private var suffixes: [[UInt8]] = []
  private var lastSuffix = -1
  /// Top bits 10: a UUID name; 00: other bytes (11 is the index's own, see `derivedTag`).
  private static let uuidTag: UInt32 = 1 << 31
  /// Past this many distinct suffixes names are stored whole (the search for one is linear).
  private static let maximumSuffixes = 256

  mutating func reserve(count: Int) {
    uuids.reserveCapacity(count)
    suffixOf.reserveCapacity(count)
  }

  mutating func append(_ name: UnsafeRawBufferPointer) -> UInt32 {
    if let id = CompactID.parseLowercase(name), let suffix = suffixNumber(UnsafeRawBufferPointer(rebasing: name[36...])) {
      uuids.append(id)
      suffixOf.append(suffix)
      return UInt32(uuids.count - 1) | Self.uuidTag
    }
    other.append(name)
    return UInt32(other.count - 1)
  }

  mutating func suffixNumber(_ suffix: UnsafeRawBufferPointer) -> UInt16? {
    func same(_ stored: [UInt8]) -> Bool { stored.withUnsafeBytes { bytesEqual($0, suffix) } }
    if lastSuffix >= 0 && same(suffixes[lastSuffix]) { return UInt16(lastSuffix) }
    if let known = suffixes.firstIndex(where: same) {
      lastSuffix = known
      return UInt16(known)
    }
    guard suffixes.count < Self.maximumSuffixes else { return nil }
    suffixes.append(Array(suffix))
    lastSuffix = suffixes.count - 1
    return UInt16(lastSuffix)
  }

  func appendBytes(_ handle: UInt32, to output: inout [UInt8]) {
    if handle & Self.uuidTag == 0 {
      output += other.bytes(Int(handle))
    } else {
      let position = Int(handle & ~Self.uuidTag)
      append(id: uuids[position], suffix: Int(suffixOf[position]), to: &output)
    }
  }

  /// Starts loading what `equals` will read of a UUID name (see `ReferenceIndex.lookup`).
  func prefetch(_ handle: UInt32) {
    guard handle & Self.uuidTag != 0 else { return }
    let position = Int(handle & ~Self.uuidTag)
    clinux_prefetch(uuids.address(position))
    clinux_prefetch(suffixOf.address(position))
  }

  func equals(_ handle: UInt32, _ name: UnsafeRawBufferPointer) -> Bool {
    if handle & Self.uuidTag == 0 { return other.equals(Int(handle), name) }
    let position = Int(handle & ~Self.uuidTag)
    return matches(name, id: uuids[position], suffix: Int(suffixOf[position]))
  }

  /// Appends a UUID name: the id in lowercase and suffix number `suffix` (also for the index's
  /// names that are their asset's id).
  func append(id: CompactID, suffix: Int, to output: inout [UInt8]) {
    id.appendLowercase(to: &output)
    output += suffixes[suffix]
  }

  /// Whether `name` is the lowercase `id` followed by suffix number `suffix`.
  func matches(_ name: UnsafeRawBufferPointer, id: CompactID, suffix: Int) -> Bool {
    let tail = suffixes[suffix]
    guard name.count == 36 + tail.count, CompactID.parseLowercase(name) == id else { return false }
    return tail.withUnsafeBytes { bytesEqual($0, UnsafeRawBufferPointer(rebasing: name[36...])) }
  }
}

/// Whether two byte ranges hold the same bytes (memcmp: the generic `elementsEqual` costs
/// several instructions a byte on the paths and names compared per row and per file).
func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  a.count == b.count && (a.isEmpty || memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0)
}

/// Byte strings appended end to end, addressed by index.
struct ByteArena: ~Copyable {
  private var storage = Column<UInt8>()
  private var ends = Column<Int>()

  var count: Int { ends.count }

  mutating func append(_ item: UnsafeRawBufferPointer) {
    storage.append(contentsOf: item)
    ends.append(storage.count)
  }

  mutating func reserve(count: Int, bytes byteCount: Int) {
    storage.reserveCapacity(byteCount)
    ends.reserveCapacity(count)
  }

  /// String `index`, valid until the next `append`.
  func bytes(_ index: Int) -> UnsafeRawBufferPointer {
    storage.bytes((index == 0 ? 0 : ends[index - 1])..<ends[index])
  }

  subscript(index: Int) -> ArraySlice<UInt8> { ArraySlice(bytes(index)) }

  func equals(_ index: Int, _ other: UnsafeRawBufferPointer) -> Bool {
    bytesEqual(bytes(index), other)
  }
}

/// A UUID in 16 bytes; anything else (never seen in Immich) goes to an overflow list.
struct CompactID: Hashable {
  var high: UInt64
  var low: UInt64

  static let none = CompactID(high: 0, low: 0)
  static let overflowMarker: UInt64 = 0xFFFF_FFFF_FFFF_FFFF

  struct Overflow {
    var values: [String] = []
  }

  init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  /// The UUID spelled in lowercase in the first 36 bytes (8-4-4-4-12 digits), as Immich and
  /// PostgreSQL write them; nil for anything else (uppercase too, so the spelling round-trips).
  /// Every upload's and thumbnail's name goes through here: eight digits at a time (a digit
  /// at a time was 9% of the database phase's instructions).
  static func parseLowercase(_ text: UnsafeRawBufferPointer) -> CompactID? {
    guard text.count >= 36 else { return nil }
    let dash = UInt8(ascii: "-")
    guard text[8] == dash, text[13] == dash, text[18] == dash, text[23] == dash else { return nil }
    func eight(_ offset: Int) -> UInt64 { UInt64(littleEndian: text.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    // Two groups of four digits side by side.
    func four(_ first: Int, _ second: Int) -> UInt64 {
      UInt64(UInt32(littleEndian: text.loadUnaligned(fromByteOffset: first, as: UInt32.self)))
        | UInt64(UInt32(littleEndian: text.loadUnaligned(fromByteOffset: second, as: UInt32.self))) << 32
    }
    // Digits 0-15: bytes 0-7, 9-12, 14-17; digits 16-31: bytes 19-22, 24-35.
    guard let a = hexWord(eight(0)), let b = hexWord(four(9, 14)), let c = hexWord(four(19, 24)), let d = hexWord(eight(28)) else {
      return nil
    }
    let high = UInt64(a) << 32 | UInt64(b)
    guard high != overflowMarker else { return nil }
    return CompactID(high: high, low: UInt64(c) << 32 | UInt64(d))
  }

  /// Eight ASCII bytes (the first in the lowest byte) that are all lowercase hex digits, as
  /// their 32-bit value (the first digit highest); nil if any is not one. All eight at once:
  /// with every byte below 0x80, adding 0x80 - k to a byte sets its top bit exactly when the
  /// byte is at least k, and no carry crosses into the next byte.
  @inline(__always)
  static func hexWord(_ bytes: UInt64) -> UInt32? {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let tops: UInt64 = 0x8080_8080_8080_8080
    guard bytes & tops == 0 else { return nil }
    let digits = (bytes &+ (0x80 - 0x30) &* ones) & ~(bytes &+ (0x80 - 0x3A) &* ones) & tops  // "0"..."9"
    let letters = (bytes &+ (0x80 - 0x61) &* ones) & ~(bytes &+ (0x80 - 0x67) &* ones) & tops  // "a"..."f"
    guard digits | letters == tops else { return nil }
    // Each byte's value (0-15): its low four bits, plus 9 for a letter ("a" is 0x61).
    let values = (bytes & 0x0F0F_0F0F_0F0F_0F0F) &+ (letters >> 7) &* 9
    // Pack the bytes' nibbles, the first byte's highest: pairs into bytes, bytes into 16 bits, into 32.
    var packed = (values << 4 | values >> 8) & 0x00FF_00FF_00FF_00FF
    packed = (packed << 8 | packed >> 16) & 0x0000_FFFF_0000_FFFF
    return UInt32(truncatingIfNeeded: packed << 16 | packed >> 32)
  }

  /// Appends the lowercase 8-4-4-4-12 spelling.
  func appendLowercase(to output: inout [UInt8]) {
    for (index, word) in [high, low].enumerated() {
      for nibble in 0..<16 {
        let position = index * 16 + nibble
        if position == 8 || position == 12 || position == 16 || position == 20 { output.append(UInt8(ascii: "-")) }
        output.append(Self.hexDigits[Int((word >> UInt64(60 - nibble * 4)) & 0xF)])
      }
    }
  }

  /// From libpq's text of a uuid column (nil or empty: none).
  init(_ raw: UnsafeRawBufferPointer?, overflow: inout Overflow) {
    guard let raw, !raw.isEmpty else {
      self = .none
      return
    }
    if raw.count == 36, let id = Self.parseLowercase(raw) {
      self = id
      return
    }
    if raw.count == 36 {
      var words: (UInt64, UInt64) = (0, 0)
      var digits = 0
      var valid = true
      for byte in raw where byte != UInt8(ascii: "-") {
        guard let value = ReferenceIndex.hexValue(byte) else { valid = false; break }
        if digits < 16 { words.0 = words.0 << 4 | UInt64(value) } else { words.1 = words.1 << 4 | UInt64(value) }
        digits += 1
      }
      if valid && digits == 32 && words.0 != Self.overflowMarker {
        high = words.0
        low = words.1
        return
      }
    }
    overflow.values.append(String(decoding: raw, as: UTF8.self))
    high = Self.overflowMarker
    low = UInt64(overflow.values.count - 1)
  }

  init(_ text: String?, overflow: inout Overflow) {
    guard let text, !text.isEmpty else {
      self = .none
      return
    }
    var digits: [UInt64] = []
    digits.reserveCapacity(32)
    for scalar in text.utf8 where scalar != UInt8(ascii: "-") {
      switch scalar {
      case 48...57: digits.append(UInt64(scalar - 48))
      case 97...102: digits.append(UInt64(scalar - 87))
      default: digits.removeAll()
      }
      if digits.isEmpty { break }
    }
    if digits.count == 32 && text.utf8.count == 36 {
      high = digits[0..<16].reduce(0) { $0 << 4 | $1 }
      low = digits[16..<32].reduce(0) { $0 << 4 | $1 }
      if high != Self.overflowMarker { return }
    }
    overflow.values.append(text)
    high = Self.overflowMarker
    low = UInt64(overflow.values.count - 1)
  }

  func string(_ overflow: Overflow) -> String? {
    if self == .none { return nil }
    if high == Self.overflowMarker { return overflow.values[Int(low)] }
    var out: [UInt8] = []
    out.reserveCapacity(36)
    appendLowercase(to: &out)
    return String(decoding: out, as: UTF8.self)
  }
}

/// What the walk found at each referenced path, written by the walk threads: each path belongs
/// to one root, and only that root's walker writes it, so no two threads touch one element.
final class PathStates: @unchecked Sendable {
  enum State: UInt8 {
    case unseen = 0, file, directory, other, unreadable, missing
  }

  private let states: UnsafeMutableBufferPointer<UInt8>
  /// Sizes in 4 bytes: `unknownSize` when not read, `largeSize` for 4 GiB and more (kept in
  /// `largeSizes`: a few videos).
  private let sizes: UnsafeMutableBufferPointer<UInt32>
  private let largeSizes = Mutex<[Int32: Int64]>([:])
  private static let unknownSize = UInt32.max
  private static let largeSize = UInt32.max - 1
  /// Why a path was unreadable: few paths, kept apart.
  private let errnos = Mutex<[Int32: Int32]>([:])

  init(count: Int) {
    states = .allocate(capacity: max(count, 1))
    states.initialize(repeating: 0)
    sizes = .allocate(capacity: max(count, 1))
    sizes.initialize(repeating: Self.unknownSize)
  }

  deinit {
    states.deallocate()
    sizes.deallocate()
  }

  subscript(path: Int32) -> State { State(rawValue: states[Int(path)]) ?? .unseen }
  func size(_ path: Int32) -> Int64 {
    switch sizes[Int(path)] {
    case Self.unknownSize: return -1
    case Self.largeSize: return largeSizes.withLock { $0[path] ?? -1 }
    case let size: return Int64(size)
    }
  }
  func errno(_ path: Int32) -> Int32 { errnos.withLock { $0[path] ?? 0 } }

  func record(_ path: Int32, _ state: State, size: Int64 = -1, errno: Int32 = 0) {
    states[Int(path)] = state.rawValue
    if size < 0 {
      sizes[Int(path)] = Self.unknownSize
    } else if size < Int64(Self.largeSize) {
      sizes[Int(path)] = UInt32(size)
    } else {
      sizes[Int(path)] = Self.largeSize
      largeSizes.withLock { $0[path] = size }
    }
    if errno != 0 { errnos.withLock { $0[path] = errno } }
  }
}
