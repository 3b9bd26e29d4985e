import CompactStore
import Crypto
import PostgresClient
import Synchronization

/// The database side of a check: every referenced path streamed into a `ReferenceIndex`.
extension FilesystemAudit {
  /// Streams every referenced path into the index, reading each value straight from libpq's
  /// buffer: no `String` or array per row but the host path's reused one.
  func readReferences(_ database: ImmichDatabase) throws(AuditError) -> ReferenceIndex {
    typealias C = ImmichDatabase.OriginalColumn
    let index = ReferenceIndex()
    if let assets = options.expectedAssets { index.reserve(assets: assets) }
    var libraryIndex: [CompactID: Int32] = [:]
    for (position, library) in libraries.enumerated() {
      libraryIndex[CompactID(library.id, overflow: &index.ids)] = Int32(position)
    }
    let progress = progress
    let keepChecksums = options.verify.hashesContent
    var host = Column<UInt8>()
    var absolute = Column<UInt8>()
    host.reserveCapacity(4096)
    absolute.reserveCapacity(4096)
    try database.streamOriginalRows { row in
      var flags: ReferenceIndex.Flags = []
      if row.bool(C.trashed) { flags.insert(.trashed) }
      if row.bool(C.offline) { flags.insert(.offline) }
      if row.bool(C.deletedStatus) { flags.insert(.deletedStatus) }
      let pathHashed = row.bool(C.pathHashed)
      let path = row.withBytes(C.path) { raw -> PathID in
        let raw = raw ?? UnsafeRawBufferPointer(start: nil, count: 0)
        mapper.hostPath(raw, into: &host, absolute: &absolute)
        if pathHashed {
          // Immich's checksum of an external file: sha1("path:" + originalPath).
          var hasher = Insecure.SHA1()
          hasher.update(data: Array("path:".utf8))
          hasher.update(bufferPointer: raw)
          let digest = hasher.finalize()
          let matches = row.withBytes(C.checksum) { stored in stored.map { digest.elementsEqual($0) } ?? false }
          if !matches { flags.insert(.pathChecksumMismatch) }
        }
        return index.intern(databasePath: raw, host: host.bytes(0..<host.count))
      }
      var checksum: Int32 = -1
      if !pathHashed {
        flags.insert(.contentHashed)
        // The content checksum is kept only when content may be hashed.
        if keepChecksums { checksum = row.withBytes(C.checksum) { index.addChecksum($0) } ?? -1 }
      }
      let name = row.withBytes(C.fileName) { raw -> Int32 in
        guard let raw, !raw.isEmpty else { return -1 }
        return index.addFileName(raw)
      }
      let libraryId = Self.compactID(row, C.libraryId, &index.ids)
      let library = libraryId == .none ? -1 : libraryIndex[libraryId] ?? -1
      let (assetId, ownerId) = (Self.compactID(row, C.assetId, &index.ids), Self.compactID(row, C.ownerId, &index.ids))
      if !flags.contains(.trashed) && !row.bool(C.external) {
        index.newestUploads.offer(createdAt: row.microsecondsSince2000(C.createdAt), id: assetId, owner: ownerId)
      }
      index.add(
        .init(
          path: path, kind: .original, flags: flags, library: library, expectedSize: -1, rowId: assetId,
          owner: index.internOwner(ownerId), fileName: name, checksum: checksum))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    // Sizes come apart from the originals (a join cost the server more than both scans).
    try database.streamSizeRows { row in
      guard let size = row.int64(1), size >= 0, let asset = index.assetNumber(Self.compactID(row, 0, &index.ids)) else {
        return
      }
      index.setExpectedSize(size, ofAsset: asset)
    }
    try database.streamReferencedFileRows { kind, row, pathColumn in
      let rowId = Self.compactID(row, 0, &index.ids)
      // Thumbnails and encoded videos are named after their asset's id: kept without a UUID of their own.
      let asset = kind == .personThumbnail || kind == .profileImage ? nil : index.assetNumber(rowId)
      let path = row.withBytes(pathColumn) { raw -> PathID in
        let raw = raw ?? UnsafeRawBufferPointer(start: nil, count: 0)
        mapper.hostPath(raw, into: &host, absolute: &absolute)
        return index.intern(databasePath: raw, host: host.bytes(0..<host.count), namedAfter: asset)
      }
      index.add(
        .init(
          path: path, kind: ReferenceIndex.Kind(kind), flags: [], library: -1, expectedSize: -1, rowId: rowId,
          owner: index.internOwner(Self.compactID(row, 1, &index.ids)), fileName: -1))
      progress.rowsRead.add(1, ordering: .relaxed)
    }
    index.finishReading()
    return index
  }

  /// A uuid column (binary, or text), or whatever else is there kept in the overflow list;
  /// NULL: `.none`.
  static func compactID(_ row: RowView, _ column: Int, _ overflow: inout CompactID.Overflow) -> CompactID {
    if let (high, low) = row.uuid(column) {
      if high != CompactID.overflowMarker { return CompactID(high: high, low: low) }
      // The one id whose first half marks the overflow list: kept there as its text.
      return CompactID(row.string(column), overflow: &overflow)
    }
    return row.withBytes(column) { CompactID($0, overflow: &overflow) }
  }
}
