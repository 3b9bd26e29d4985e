import CompactStore
import Testing

@testable import AuditCore

/// The index's own part (the paths are CompactStore's, tested there): references of every kind
/// stored compactly and handed back whole, assets found by id, names spelled after assets.
@Suite("reference index: Immich's references over the path table")
struct ReferenceIndexTests {
  static let id = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"

  func intern(_ index: ReferenceIndex, _ database: String, _ host: String) -> PathID {
    Array(database.utf8).withUnsafeBytes { index.intern(databasePath: $0, hostPath: Array(host.utf8)) }
  }

  @Test("files named after their asset's id are spelled back from the asset; others as they are")
  func namedAfterAsset() {
    let index = ReferenceIndex()
    var overflow = CompactID.Overflow()
    let asset = CompactID(Self.id, overflow: &overflow)
    let original = intern(index, "/data/upload/u/x.jpg", "/m/upload/u/x.jpg")
    index.add(
      .init(
        path: original, kind: .original, flags: [], library: -1, expectedSize: 1, rowId: asset, owner: -1, fileName: -1)
    )
    let number = index.assetNumber(asset)
    #expect(number == 0)
    let names = [
      "\(Self.id)_preview.jpeg", "\(Self.id)-thumbnail.webp", "\(Self.id).mp4",
      "0b1c2d3e-4f50-4617-8899-aabbccddeef0_preview.jpeg", "other.jpeg",
    ]
    var paths: [PathID] = []
    for name in names {
      let path = Array(("/data/thumbs/u/0b/1c/" + name).utf8).withUnsafeBytes {
        index.intern(databasePath: $0, hostPath: Array(("/m/thumbs/u/0b/1c/" + name).utf8), namedAfter: number)
      }
      index.add(
        .init(
          path: path, kind: .preview, flags: [], library: -1, expectedSize: -1, rowId: asset, owner: -1, fileName: -1))
      paths.append(path)
    }
    index.finishReading()
    for (name, path) in zip(names, paths) {
      #expect(String(decoding: index.hostPath(path), as: UTF8.self) == "/m/thumbs/u/0b/1c/" + name)
      #expect(String(decoding: index.databasePath(path), as: UTF8.self) == "/data/thumbs/u/0b/1c/" + name)
      #expect(index.lookup(Array(("/m/thumbs/u/0b/1c/" + name).utf8)) == path)
    }
    #expect(index.lookup(Array("/m/thumbs/u/0b/1c/0b1c2d3e-4f50-4617-8899-aabbccddeef1_preview.jpeg".utf8)) == nil)
    #expect(index.references.filter { $0.kind == .preview }.allSatisfy { $0.rowId == asset })
  }

  @Test("every kind of reference comes back with its path, owner, row and flags; files of an asset take its owner")
  func references() {
    let index = ReferenceIndex()
    let owners = (0..<3).map { CompactID(high: 7, low: UInt64($0)) }
    let asset = CompactID(high: 1, low: 1)
    let person = CompactID(high: 2, low: 2)
    let original = intern(index, "/d/o.jpg", "/h/o.jpg")
    index.add(
      .init(
        path: original, kind: .original, flags: [.trashed, .contentHashed], library: 3, expectedSize: 5 << 32,
        rowId: asset,
        owner: index.internOwner(owners[2]), fileName: 0))
    var expected: [(ReferenceIndex.Kind, PathID, CompactID, CompactID?)] = [(.original, original, asset, owners[2])]
    for kind in ReferenceIndex.Kind.allCases where kind != .original {
      let path = intern(index, "/d/\(kind).jpg", "/h/\(kind).jpg")
      // Asset files carry no owner of their own (their original's is theirs); people's do.
      let ofAsset = kind != .personThumbnail && kind != .profileImage
      let owner = ofAsset ? -1 : index.internOwner(owners[1])
      index.add(
        .init(
          path: path, kind: kind, flags: [], library: -1, expectedSize: -1, rowId: ofAsset ? asset : person,
          owner: owner, fileName: -1))
      expected.append((kind, path, ofAsset ? asset : person, ofAsset ? owners[2] : owners[1]))
    }
    index.finishReading()
    #expect(index.references.count == ReferenceIndex.Kind.allCases.count)
    for (reference, (kind, path, row, owner)) in zip(index.references, expected) {
      #expect(
        reference.kind == kind && reference.path == path && reference.rowId == row
          && index.ownerId(of: reference) == owner, "\(kind)")
    }
    let first = index.references[0]
    #expect(
      first.flags == [.trashed, .contentHashed] && first.library == 3 && first.expectedSize == 5 << 32
        && first.fileName == 0)
    #expect(
      index.kinds(at: original) == .original && index.isOriginal(original, ofLibrary: 3)
        && !index.isOriginal(original, ofLibrary: -1))
  }

  /// A UUID for asset `k` whose halves vary like random ones.
  static func assetId(_ k: Int) -> CompactID {
    CompactID(high: UInt64(k) &* 0x9E37_79B9_7F4A_7C15 | 1, low: UInt64(k) &* 0xC2B2_AE3D_27D4_EB4F)
  }

  @Test("asset numbers: found in the originals' order, out of it and at random; unknown ids are none")
  func assetNumbers() {
    let index = ReferenceIndex()
    let count = 5000
    for k in 0..<count {
      let path = intern(index, "/data/upload/\(k).jpg", "/m/upload/\(k).jpg")
      index.add(
        .init(
          path: path, kind: .original, flags: [], library: -1, expectedSize: -1, rowId: Self.assetId(k), owner: -1,
          fileName: -1))
    }
    var generator = SystemRandomNumberGenerator()
    let orders = [
      Array(0..<count), Array((0..<count).reversed()), (0..<count).shuffled(using: &generator),
      (0..<count).map { ($0 * 7) % count },
    ]
    for order in orders {
      for k in order { #expect(index.assetNumber(Self.assetId(k)) == Int32(k)) }
    }
    #expect(index.assetNumber(Self.assetId(count)) == nil)
    #expect(index.assetNumber(CompactID(high: 1, low: 2)) == nil)
    // One more original after the lookups: the next lookup finds it too.
    let path = intern(index, "/data/upload/late.jpg", "/m/upload/late.jpg")
    index.add(
      .init(
        path: path, kind: .original, flags: [], library: -1, expectedSize: -1, rowId: Self.assetId(count), owner: -1,
        fileName: -1))
    #expect(index.assetNumber(Self.assetId(count)) == Int32(count))
    #expect(index.assetNumber(Self.assetId(17)) == 17)
  }

  @Test("a sidecar candidate's name ends in .xmp exactly, as Immich looks it up")
  func xmpNames() {
    func isXMP(_ name: String) -> Bool { Array(name.utf8).withUnsafeBytes { AuditVisitor.isXMP($0) } }
    #expect(isXMP("photo.jpg.xmp"))
    #expect(isXMP("a.xmp"))
    #expect(!isXMP(".xmp"))  // a hidden file with no name before the suffix
    #expect(!isXMP("photo.XMP"))
    #expect(!isXMP("photo.xmpz"))
    #expect(!isXMP("photo.jpg"))
    #expect(!isXMP("xmp"))
    #expect(!isXMP(""))
  }
}
