@testable import AuditCore
import Testing

/// The index keeps paths in pieces (folder, UUID-shaped names as 16 bytes and a suffix); what
/// comes out must be byte for byte what went in, and lookups must find exactly those paths.
@Suite("reference index: paths in pieces, found and spelled back exactly")
struct ReferenceIndexTests {
  static let id = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"

  func intern(_ index: ReferenceIndex, _ database: String, _ host: String) -> Int32 {
    Array(database.utf8).withUnsafeBytes { index.intern(databasePath: $0, hostPath: Array(host.utf8)) }
  }

  @Test("UUID-named and other names round-trip; near misses are different paths")
  func roundTrip() {
    let index = ReferenceIndex()
    let names = [
      "\(Self.id).jpg", "\(Self.id)_preview.jpeg", Self.id, Self.id.uppercased() + ".jpg", "\(Self.id.dropLast()).jpg",
      "IMG_0001.JPG", "", "\(Self.id)\u{0}x", "0b1c2d3e-4f50-4617-8899-aabbccddeefg.jpg", "0b1c2d3e+4f50-4617-8899-aabbccddeeff.jpg",
    ]
    var numbers: [Int32] = []
    for name in names {
      numbers.append(intern(index, "/data/upload/u/0b/1c/" + name, "/mnt/photos/upload/u/0b/1c/" + name))
    }
    #expect(Set(numbers).count == names.count)
    for (name, number) in zip(names, numbers) {
      #expect(String(decoding: index.hostPath(number), as: UTF8.self) == "/mnt/photos/upload/u/0b/1c/" + name)
      #expect(String(decoding: index.databasePath(number), as: UTF8.self) == "/data/upload/u/0b/1c/" + name)
      #expect(index.lookup(Array(("/mnt/photos/upload/u/0b/1c/" + name).utf8)) == number)
    }
    #expect(index.lookup(Array("/mnt/photos/upload/u/0b/1c/\(Self.id).JPG".utf8)) == nil)
    #expect(index.lookup(Array("/mnt/photos/upload/u/0b/1d/\(Self.id).jpg".utf8)) == nil)
    #expect(index.lookup(Array("/mnt/photos/upload/u/0b/1c/\(Self.id).jpgx".utf8)) == nil)
    // Interning the same host path again gives the same number.
    #expect(intern(index, "/data/upload/u/0b/1c/\(Self.id).jpg", "/mnt/photos/upload/u/0b/1c/\(Self.id).jpg") == numbers[0])
  }

  @Test("past 256 distinct suffixes, names are stored whole and still round-trip")
  func manySuffixes() {
    let index = ReferenceIndex()
    let numbers = (0..<300).map { intern(index, "upload/\(Self.id).x\($0)", "/h/upload/\(Self.id).x\($0)") }
    for (k, number) in numbers.enumerated() {
      #expect(String(decoding: index.hostPath(number), as: UTF8.self) == "/h/upload/\(Self.id).x\(k)")
      #expect(String(decoding: index.databasePath(number), as: UTF8.self) == "upload/\(Self.id).x\(k)")
      #expect(index.lookup(Array("/h/upload/\(Self.id).x\(k)".utf8)) == number)
    }
  }

  @Test("paths with different database spellings keep each its own (prefix pairs)")
  func prefixPairs() {
    let index = ReferenceIndex()
    let a = intern(index, "upload/a/x.jpg", "/srv/immich/upload/a/x.jpg")
    let b = intern(index, "/usr/src/app/upload/a/y.jpg", "/srv/immich/upload/a/y.jpg")
    let c = intern(index, "upload/a/z.jpg", "/srv/immich/upload/a/z.jpg")
    #expect(String(decoding: index.databasePath(a), as: UTF8.self) == "upload/a/x.jpg")
    #expect(String(decoding: index.databasePath(b), as: UTF8.self) == "/usr/src/app/upload/a/y.jpg")
    #expect(String(decoding: index.databasePath(c), as: UTF8.self) == "upload/a/z.jpg")
    #expect(Array("/srv/immich/upload/a/".utf8).withUnsafeBytes { index.folder($0) } != nil)
    #expect(Array("/srv/immich/uploads/".utf8).withUnsafeBytes { index.folder($0) } == nil)
    #expect(index.lookup(Array("/srv/immich/upload/x.jpg".utf8)) == nil)
  }

  @Test("files named after their asset's id are spelled back from the asset; others as they are")
  func namedAfterAsset() {
    let index = ReferenceIndex()
    var overflow = CompactID.Overflow()
    let asset = CompactID(Self.id, overflow: &overflow)
    let original = intern(index, "/data/upload/u/x.jpg", "/m/upload/u/x.jpg")
    index.add(.init(path: original, kind: .original, flags: [], library: -1, expectedSize: 1, rowId: asset, owner: -1, fileName: -1))
    let number = index.assetNumber(asset)
    #expect(number == 0)
    let names = ["\(Self.id)_preview.jpeg", "\(Self.id)-thumbnail.webp", "\(Self.id).mp4", "0b1c2d3e-4f50-4617-8899-aabbccddeef0_preview.jpeg", "other.jpeg"]
    var paths: [Int32] = []
    for name in names {
      let path = Array(("/data/thumbs/u/0b/1c/" + name).utf8).withUnsafeBytes {
        index.intern(databasePath: $0, hostPath: Array(("/m/thumbs/u/0b/1c/" + name).utf8), namedAfter: number)
      }
      index.add(.init(path: path, kind: .preview, flags: [], library: -1, expectedSize: -1, rowId: asset, owner: -1, fileName: -1))
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

  @Test("thousands of folders, nested, doubled slashes, relative and at the top: each found and spelled back")
  func manyFolders() {
    let index = ReferenceIndex()
    var paths = ["noslash.jpg", "/top.jpg", "rel/a.jpg", "/", "//x.jpg"]
    paths += (0..<5000).map { "/r/\($0 % 7)/\($0 % 13)//x\($0)/f.jpg" }
    let numbers = paths.map { intern(index, $0, $0) }
    #expect(Set(numbers).count == paths.count)
    for (path, number) in zip(paths, numbers) {
      #expect(String(decoding: index.hostPath(number), as: UTF8.self) == path)
      #expect(index.lookup(Array(path.utf8)) == number)
    }
    #expect(index.lookup(Array("/r/1/1//x1/g.jpg".utf8)) == nil)
  }

  @Test("sizes of 4 GiB and more, and unknown ones, come back exactly")
  func sizes() {
    let states = PathStates(count: 5)
    let sizes: [Int64] = [0, 4_294_967_293, 4_294_967_294, 5 * 1 << 30, -1]
    for (path, size) in sizes.enumerated() { states.record(Int32(path), .file, size: size) }
    #expect((0..<5).map { states.size(Int32($0)) } == sizes)
    #expect(states[2] == .file)
  }

  @Test("hundreds of database spellings (prefix pairs past the 255 kept in a byte) each spelled back")
  func manyPrefixPairs() {
    let index = ReferenceIndex()
    let numbers = (0..<300).map { intern(index, "/p\($0)/a/x\($0).jpg", "/h/a/x\($0).jpg") }
    for (k, number) in numbers.enumerated() {
      #expect(String(decoding: index.databasePath(number), as: UTF8.self) == "/p\(k)/a/x\(k).jpg")
      #expect(String(decoding: index.hostPath(number), as: UTF8.self) == "/h/a/x\(k).jpg")
    }
  }

  @Test("each path's root: the longest that holds it by whole components, none for a sibling prefix")
  func roots() {
    let index = ReferenceIndex()
    let cases: [(String, Int16)] = [
      ("/a/b/c/f.jpg", 0), ("/a/bb/f.jpg", 1), ("/a/f.jpg", 1), ("/ab/f.jpg", -1), ("/a", -1), ("/a/b", 1), ("/x/y.jpg", 2), ("/x", -1), ("rel/x.jpg", -1),
    ]
    let numbers = cases.map { intern(index, $0.0, $0.0) }
    let roots = index.firstFolder(containing: [Array("/a/b".utf8), Array("/a".utf8), Array("/x".utf8)])
    for ((path, expected), number) in zip(cases, numbers) {
      #expect(roots[Int(index.folder(ofPath: number))] == expected, "\(path)")
    }
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
      index.add(.init(path: path, kind: .original, flags: [], library: -1, expectedSize: -1, rowId: Self.assetId(k), owner: -1, fileName: -1))
    }
    var generator = SystemRandomNumberGenerator()
    let orders = [Array(0..<count), Array((0..<count).reversed()), (0..<count).shuffled(using: &generator), (0..<count).map { ($0 * 7) % count }]
    for order in orders {
      for k in order { #expect(index.assetNumber(Self.assetId(k)) == Int32(k)) }
    }
    #expect(index.assetNumber(Self.assetId(count)) == nil)
    #expect(index.assetNumber(CompactID(high: 1, low: 2)) == nil)
    // One more original after the lookups: the next lookup finds it too.
    let path = intern(index, "/data/upload/late.jpg", "/m/upload/late.jpg")
    index.add(.init(path: path, kind: .original, flags: [], library: -1, expectedSize: -1, rowId: Self.assetId(count), owner: -1, fileName: -1))
    #expect(index.assetNumber(Self.assetId(count)) == Int32(count))
    #expect(index.assetNumber(Self.assetId(17)) == 17)
  }

  @Test("a folder's names looked up in batches give what one-by-one lookups give")
  func batchLookup() {
    let index = ReferenceIndex()
    for k in 0..<40 where k % 3 != 0 {
      _ = intern(index, "/d/a/f\(k).jpg", "/h/a/f\(k).jpg")
      _ = intern(index, "/d/b/g\(k).jpg", "/h/b/g\(k).jpg")
    }
    let folder = Array("/h/a/".utf8).withUnsafeBytes { index.folder($0) }!
    // Referenced names, unknown ones and names of the other folder, more than one batch of them.
    let names = (0..<40).flatMap { ["f\($0).jpg", "g\($0).jpg"] }.map { Array($0.utf8) }
    // The names end to end in one buffer, read through pointers valid for the whole lookup.
    let ends = names.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    var found: [Int: Int32] = [:]
    Array(names.joined()).withUnsafeBytes { all in
      index.lookup(folder: folder, count: names.count, name: { UnsafeRawBufferPointer(rebasing: all[ends[$0]..<ends[$0 + 1]]) }) { position, path in
        #expect(found[position] == nil)
        found[position] = path
      }
    }
    for (position, name) in names.enumerated() {
      #expect(found[position] == index.lookup(Array("/h/a/".utf8) + name), "\(String(decoding: name, as: UTF8.self))")
    }
    #expect(found.count == 26)
  }

  @Test("hash slots: numbers that share a first slot are each found; other tags are skipped unread")
  func hashSlots() {
    var slots = HashSlots(count: 1 << 10)
    // Every hash starts at slot 5; the high halves differ, so the tags mostly do.
    let hashes = (0..<400).map { UInt64($0 &* 0x9E37_79B9) << 32 | 5 }
    for (number, hash) in hashes.enumerated() { slots.insert(Int32(number), hash: hash) }
    var examined = 0
    for (number, hash) in hashes.enumerated() {
      let result = slots.find(hash) { candidate in
        examined += 1
        return candidate == Int32(number)
      }
      #expect(result == Int32(number))
    }
    // Without tags each search would examine every number before its own: 80,200 in all.
    #expect(examined < 2 * hashes.count)
    #expect(slots.find(UInt64(0xDEAD_BEEF) << 32 | 5) { _ in false } == nil)
    // Number 1 sits in slot 6 (slot 5 was taken): a probe starting there with its tag finds it.
    #expect(slots.find(hashes[1] + 1) { $0 == 1 } == 1)
  }

  @Test("columns keep every value across growth; byte ranges read back")
  func columns() {
    var column = Column<Int64>()
    for k in 0..<100_000 { column.append(Int64(k) * 3) }
    #expect(column.count == 100_000)
    #expect((0..<100_000).allSatisfy { column[$0] == Int64($0) * 3 })
    column[7] = -1
    #expect(column[7] == -1 && column[column.count - 1] == 299_997)
    var bytes = Column<UInt8>()
    for chunk in ["abc", "", "defgh"] { Array(chunk.utf8).withUnsafeBytes { bytes.append(contentsOf: $0) } }
    #expect(Array(bytes.bytes(2..<6)) == Array("cdef".utf8))
    let filled = Column<Int32>(repeating: -1, count: 3)
    #expect(filled.count == 3 && filled[2] == -1 && !filled.isEmpty)
  }

  @Test("a path's name starts after its last slash (none: the whole path)")
  func nameStarts() {
    func start(_ path: [UInt8]) -> Int { path.withUnsafeBytes { ReferenceIndex.nameStart($0) } }
    #expect(start([]) == 0)
    #expect(start(Array("photo.jpg".utf8)) == 0)
    #expect(start(Array("/".utf8)) == 1)
    #expect(start(Array("/a".utf8)) == 1)
    #expect(start(Array("a/b/".utf8)) == 4)
    #expect(start(Array("/data/upload/u/0b/1c/\(Self.id).jpg".utf8)) == 21)
    // A long name (past memrchr's 32-byte steps) with bytes that are no UTF-8.
    #expect(start(Array("/m/".utf8) + [UInt8](repeating: 0xFF, count: 100)) == 3)
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

  /// The plain reading of a lowercase 8-4-4-4-12 UUID, a digit at a time: what the word-at-a-
  /// time parser must agree with.
  static func referenceParse(_ text: [UInt8]) -> (UInt64, UInt64)? {
    guard text.count >= 36 else { return nil }
    var digits: [UInt64] = []
    for (position, byte) in text.prefix(36).enumerated() {
      if [8, 13, 18, 23].contains(position) {
        guard byte == UInt8(ascii: "-") else { return nil }
        continue
      }
      switch byte {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.append(UInt64(byte - UInt8(ascii: "0")))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digits.append(UInt64(byte - UInt8(ascii: "a") + 10))
      default: return nil
      }
    }
    let high = digits[0..<16].reduce(0) { $0 << 4 | $1 }
    let low = digits[16..<32].reduce(0) { $0 << 4 | $1 }
    return high == CompactID.overflowMarker ? nil : (high, low)
  }

  @Test("UUID names parsed eight digits at a time agree with a digit at a time: every byte of every position, and random text")
  func uuidParsing() {
    func parsed(_ text: [UInt8]) -> (UInt64, UInt64)? {
      text.withUnsafeBytes { CompactID.parseLowercase($0) }.map { ($0.high, $0.low) }
    }
    let valid = Array("\(Self.id)_preview.jpeg".utf8)
    #expect(parsed(valid).map { $0.0 == 0x0b1c_2d3e_4f50_4617 && $0.1 == 0x8899_aabb_ccdd_eeff } == true)
    #expect(parsed(Array("ffffffff-ffff-ffff-ffff-ffffffffffff".utf8)) == nil)  // the overflow marker
    #expect(parsed(Array(Self.id.dropLast().utf8)) == nil)
    var checked = 0
    for position in 0..<36 {
      for byte in 0...255 {
        var text = valid
        text[position] = UInt8(byte)
        let expected = Self.referenceParse(text)
        let got = parsed(text)
        #expect(got?.0 == expected?.0 && got?.1 == expected?.1, "byte \(byte) at \(position)")
        checked += 1
      }
    }
    // Random text from an alphabet around the digits' edges ("/" and ":" beside "0"-"9", "`" and "g" beside "a"-"f"), dashes mostly in place.
    let alphabet = Array("0123456789abcdefABCDEF/:`gG-\u{7F}".utf8) + [0x80, 0xB0, 0xE6, 0xFF]
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    func next() -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return Int(truncatingIfNeeded: state >> 33)
    }
    var agreedValid = 0
    for _ in 0..<50_000 {
      // Mostly digits, so that many texts are valid UUIDs and the rest miss by a byte or two.
      var text = (0..<36).map { _ in alphabet[next() % (next() % 64 == 0 ? alphabet.count : 16)] }
      for dash in [8, 13, 18, 23] where next() % 8 != 0 { text[dash] = UInt8(ascii: "-") }
      let expected = Self.referenceParse(text)
      let got = parsed(text)
      #expect(got?.0 == expected?.0 && got?.1 == expected?.1, "\(text)")
      if expected != nil { agreedValid += 1 }
    }
    #expect(checked == 36 * 256)
    // The random cases include valid UUIDs, not only rejections.
    #expect(agreedValid > 5000)
  }
}
