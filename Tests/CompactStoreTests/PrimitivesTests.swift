import CompactStore
import Testing
import UUIDText

@Suite("store primitives: hash slots, columns, byte helpers, per-path states")
struct PrimitivesTests {
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
    #expect(HashSlots.slotCount(for: 1000) == 2048 && HashSlots.slotCount(for: 3, minimum: 4096) == 4096)
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

  @Test("a byte arena hands back each string as appended, empty ones too")
  func byteArena() {
    var arena = ByteArena()
    let strings = ["IMG_0001.JPG", "", "ü", String(repeating: "x", count: 5000)]
    for string in strings { Array(string.utf8).withUnsafeBytes { arena.append($0) } }
    #expect(arena.count == strings.count)
    for (number, string) in strings.enumerated() {
      #expect(Array(arena[number]) == Array(string.utf8))
      #expect(Array(string.utf8).withUnsafeBytes { arena.equals(number, $0) })
    }
    #expect(!Array("IMG_0001.JPg".utf8).withUnsafeBytes { arena.equals(0, $0) })
  }

  @Test("a path's name starts after its last slash (none: the whole path)")
  func nameStarts() {
    func start(_ path: [UInt8]) -> Int { path.withUnsafeBytes { Bytes.nameStart($0) } }
    #expect(start([]) == 0)
    #expect(start(Array("photo.jpg".utf8)) == 0)
    #expect(start(Array("/".utf8)) == 1)
    #expect(start(Array("/a".utf8)) == 1)
    #expect(start(Array("a/b/".utf8)) == 4)
    #expect(start(Array("/data/upload/u/0b/1c/0b1c2d3e-4f50-4617-8899-aabbccddeeff.jpg".utf8)) == 21)
    // A long name (past memrchr's 32-byte steps) with bytes that are no UTF-8.
    #expect(start(Array("/m/".utf8) + [UInt8](repeating: 0xFF, count: 100)) == 3)
  }

  @Test("a four-byte suffix matches only after at least one byte of name")
  func suffixes() {
    let xmp = Bytes.FourBytes(".xmp")
    func test(_ name: String) -> Bool { Array(name.utf8).withUnsafeBytes { Bytes.hasSuffix($0, xmp) } }
    #expect(test("photo.jpg.xmp") && test("a.xmp"))
    #expect(!test(".xmp") && !test("photo.XMP") && !test("photo.xmpz") && !test("xmp") && !test(""))
  }

  @Test("the walk's states and sizes per path: 4 GiB and more, and unknown ones, come back exactly")
  func pathStates() {
    let states = PathStates(count: 6)
    let sizes: [Int64] = [0, 4_294_967_293, 4_294_967_294, 5 * 1 << 30, -1]
    for (path, size) in sizes.enumerated() { states.record(PathID(path), .file, size: size) }
    states.record(PathID(5), .unreadable, errno: 13)
    #expect((0..<5).map { states.size(PathID($0)) } == sizes)
    #expect(states[PathID(2)] == .file && states[PathID(5)] == .unreadable)
    #expect(states.errno(PathID(5)) == 13 && states.errno(PathID(0)) == 0)
    let marks = FolderMarks(count: 3)
    marks.mark(FolderID(1))
    #expect(!marks.contains(FolderID(0)) && marks.contains(FolderID(1)))
  }

  @Test("a wanted size shares its path's state byte: the state still reads unseen, and recording clears the want")
  func sizeWanted() {
    let states = PathStates(count: 4)
    states.markSizeWanted(PathID(1))
    states.markSizeWanted(PathID(2))
    #expect((0..<4).map { states.sizeWanted(PathID($0)) } == [false, true, true, false])
    #expect((0..<4).map { states[PathID($0)] } == [.unseen, .unseen, .unseen, .unseen])
    states.record(PathID(1), .file, size: 7)
    states.record(PathID(3), .missing)
    #expect((0..<4).map { states.sizeWanted(PathID($0)) } == [false, false, true, false])
    #expect((0..<4).map { states[PathID($0)] } == [.unseen, .file, .unseen, .missing])
    #expect(states.size(PathID(1)) == 7)
  }
}
