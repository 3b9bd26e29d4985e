import CompactStore
import Testing

/// The path table keeps paths in pieces (folder, UUID-shaped names as 16 bytes and a suffix,
/// names spelled after a stem); what comes out must be byte for byte what went in, and lookups
/// must find exactly those paths.
@Suite("path table: paths in pieces, found and spelled back exactly")
struct PathTableTests {
  static let id = "0b1c2d3e-4f50-4617-8899-aabbccddeeff"

  func intern(_ table: PathTable, _ source: String, _ host: String, stem: Int32? = nil) -> PathID {
    Array(source.utf8).withUnsafeBytes { source in
      Array(host.utf8).withUnsafeBytes { table.intern(source: source, host: $0, stem: stem) }
    }
  }

  func host(_ table: PathTable, _ path: PathID) -> String { String(decoding: table.hostPath(path), as: UTF8.self) }
  func source(_ table: PathTable, _ path: PathID) -> String { String(decoding: table.sourcePath(path), as: UTF8.self) }
  func lookup(_ table: PathTable, _ host: String) -> PathID? { table.lookup(Array(host.utf8)) }

  @Test("UUID-named and other names round-trip; near misses are different paths")
  func roundTrip() {
    let table = PathTable()
    let names = [
      "\(Self.id).jpg", "\(Self.id)_preview.jpeg", Self.id, Self.id.uppercased() + ".jpg", "\(Self.id.dropLast()).jpg",
      "IMG_0001.JPG", "", "\(Self.id)\u{0}x", "0b1c2d3e-4f50-4617-8899-aabbccddeefg.jpg",
      "0b1c2d3e+4f50-4617-8899-aabbccddeeff.jpg",
    ]
    let paths = names.map { intern(table, "/data/upload/u/0b/1c/" + $0, "/mnt/photos/upload/u/0b/1c/" + $0) }
    #expect(Set(paths).count == names.count)
    #expect(table.count == names.count)
    for (name, path) in zip(names, paths) {
      #expect(host(table, path) == "/mnt/photos/upload/u/0b/1c/" + name)
      #expect(source(table, path) == "/data/upload/u/0b/1c/" + name)
      #expect(lookup(table, "/mnt/photos/upload/u/0b/1c/" + name) == path)
    }
    #expect(lookup(table, "/mnt/photos/upload/u/0b/1c/\(Self.id).JPG") == nil)
    #expect(lookup(table, "/mnt/photos/upload/u/0b/1d/\(Self.id).jpg") == nil)
    #expect(lookup(table, "/mnt/photos/upload/u/0b/1c/\(Self.id).jpgx") == nil)
    // Interning the same host path again gives the same number.
    #expect(
      intern(table, "/data/upload/u/0b/1c/\(Self.id).jpg", "/mnt/photos/upload/u/0b/1c/\(Self.id).jpg") == paths[0])
  }

  @Test("past 256 distinct suffixes, names are stored whole and still round-trip")
  func manySuffixes() {
    let table = PathTable()
    let paths = (0..<300).map { intern(table, "upload/\(Self.id).x\($0)", "/h/upload/\(Self.id).x\($0)") }
    for (k, path) in paths.enumerated() {
      #expect(host(table, path) == "/h/upload/\(Self.id).x\(k)")
      #expect(source(table, path) == "upload/\(Self.id).x\(k)")
      #expect(lookup(table, "/h/upload/\(Self.id).x\(k)") == path)
    }
  }

  @Test("paths with different source spellings keep each its own (prefix pairs)")
  func prefixPairs() {
    let table = PathTable()
    let a = intern(table, "upload/a/x.jpg", "/srv/immich/upload/a/x.jpg")
    let b = intern(table, "/usr/src/app/upload/a/y.jpg", "/srv/immich/upload/a/y.jpg")
    let c = intern(table, "upload/a/z.jpg", "/srv/immich/upload/a/z.jpg")
    #expect(source(table, a) == "upload/a/x.jpg")
    #expect(source(table, b) == "/usr/src/app/upload/a/y.jpg")
    #expect(source(table, c) == "upload/a/z.jpg")
    #expect(Array("/srv/immich/upload/a/".utf8).withUnsafeBytes { table.folder($0) } != nil)
    #expect(Array("/srv/immich/uploads/".utf8).withUnsafeBytes { table.folder($0) } == nil)
    #expect(lookup(table, "/srv/immich/upload/x.jpg") == nil)
  }

  @Test("a path in parts (source folder, id and suffix or the name's bytes) is the whole source spelling")
  func sourceParts() {
    let table = PathTable()
    let paths = [
      intern(table, "upload/a/\(Self.id).JPG", "/srv/immich/upload/a/\(Self.id).JPG"),
      intern(table, "/usr/src/app/upload/a/Caf\u{e9}.jpg", "/srv/immich/upload/a/Caf\u{e9}.jpg"),
      intern(table, "/mnt/nas", "/volume1/nas"),
    ]
    for path in paths {
      var name: [UInt8] = []
      let parts = table.sourceParts(path, name: &name)
      if let (id, suffix) = parts.idName {
        #expect(name.isEmpty)
        id.appendLowercase(to: &name)
        name += table.nameSuffix(suffix)
      }
      let folder = table.sourceFolder(parts.folder, pair: parts.pair)
      #expect(String(decoding: (folder ?? []) + name, as: UTF8.self) == source(table, path))
    }
    var scratch: [UInt8] = []
    #expect(table.sourceParts(paths[0], name: &scratch).idName != nil)
    #expect(table.sourceParts(paths[1], name: &scratch).idName == nil)
  }

  @Test("hundreds of source spellings (prefix pairs past the 255 kept in a byte) each spelled back")
  func manyPrefixPairs() {
    let table = PathTable()
    let paths = (0..<300).map { intern(table, "/p\($0)/a/x\($0).jpg", "/h/a/x\($0).jpg") }
    for (k, path) in paths.enumerated() {
      #expect(source(table, path) == "/p\(k)/a/x\(k).jpg")
      #expect(host(table, path) == "/h/a/x\(k).jpg")
    }
  }

  @Test("names spelled after a stem come back from it; a near miss, an unknown stem's id and other names as they are")
  func stems() {
    let table = PathTable()
    var overflow = CompactID.Overflow()
    let stem = table.addStem(CompactID(Self.id, overflow: &overflow))
    #expect(stem == 0 && table.stemCount == 1 && table.stem(0).string(overflow) == Self.id)
    let names = [
      "\(Self.id)_preview.jpeg", "\(Self.id)-thumbnail.webp", "\(Self.id).mp4", Self.id,
      "0b1c2d3e-4f50-4617-8899-aabbccddeef0_preview.jpeg", "other.jpeg", Self.id.uppercased() + ".mp4",
    ]
    let paths = names.map { intern(table, "/data/thumbs/u/0b/1c/" + $0, "/m/thumbs/u/0b/1c/" + $0, stem: stem) }
    #expect(Set(paths).count == names.count)
    for (name, path) in zip(names, paths) {
      #expect(host(table, path) == "/m/thumbs/u/0b/1c/" + name)
      #expect(source(table, path) == "/data/thumbs/u/0b/1c/" + name)
      #expect(lookup(table, "/m/thumbs/u/0b/1c/" + name) == path)
    }
    #expect(lookup(table, "/m/thumbs/u/0b/1c/0b1c2d3e-4f50-4617-8899-aabbccddeef1_preview.jpeg") == nil)
    #expect(lookup(table, "/m/thumbs/u/0b/1c/\(Self.id)_preview.jpg") == nil)
  }

  @Test("thousands of folders, nested, doubled slashes, relative and at the top: each found and spelled back")
  func manyFolders() {
    let table = PathTable()
    var spellings = ["noslash.jpg", "/top.jpg", "rel/a.jpg", "/", "//x.jpg"]
    spellings += (0..<5000).map { "/r/\($0 % 7)/\($0 % 13)//x\($0)/f.jpg" }
    let paths = spellings.map { intern(table, $0, $0) }
    #expect(Set(paths).count == spellings.count)
    for (spelling, path) in zip(spellings, paths) {
      #expect(host(table, path) == spelling)
      #expect(lookup(table, spelling) == path)
    }
    #expect(lookup(table, "/r/1/1//x1/g.jpg") == nil)
  }

  @Test("each path's root: the longest that holds it by whole components, none for a sibling prefix; totals below each")
  func folderTree() {
    let table = PathTable()
    let cases: [(String, Int16)] = [
      ("/a/b/c/f.jpg", 0), ("/a/bb/f.jpg", 1), ("/a/f.jpg", 1), ("/ab/f.jpg", -1), ("/a", -1), ("/a/b", 1),
      ("/x/y.jpg", 2), ("/x", -1),
      ("rel/x.jpg", -1),
    ]
    let paths = cases.map { intern(table, $0.0, $0.0) }
    let candidates = [Array("/a/b".utf8), Array("/a".utf8), Array("/x".utf8)]
    let roots = table.firstFolder(containing: candidates)
    for ((spelling, expected), path) in zip(cases, paths) {
      #expect(roots[table.folder(of: path).index] == expected, "\(spelling)")
    }
    // One per path, summed below each candidate: /a/b holds 1, /a 4 (with /a/b's), /x 1.
    var perFolder = [Int32](repeating: 0, count: table.folderCount)
    for path in paths { perFolder[table.folder(of: path).index] += 1 }
    #expect(table.totalsBelow(candidates + [Array("/nowhere".utf8)], perFolder: perFolder) == [1, 4, 1, 0])
  }

  @Test("a folder's names looked up in batches give what one-by-one lookups give")
  func batchLookup() {
    let table = PathTable()
    for k in 0..<40 where k % 3 != 0 {
      _ = intern(table, "/d/a/f\(k).jpg", "/h/a/f\(k).jpg")
      _ = intern(table, "/d/b/g\(k).jpg", "/h/b/g\(k).jpg")
    }
    let folder = Array("/h/a/".utf8).withUnsafeBytes { table.folder($0) }!
    // Stored names, unknown ones and names of the other folder, more than one batch of them.
    let names = (0..<40).flatMap { ["f\($0).jpg", "g\($0).jpg"] }.map { Array($0.utf8) }
    // The names end to end in one buffer, read through pointers valid for the whole lookup.
    let ends = names.reduce(into: [0]) { $0.append($0.last! + $1.count) }
    var found: [Int: PathID] = [:]
    Array(names.joined()).withUnsafeBytes { all in
      table.lookup(
        folder: folder, count: names.count, name: { UnsafeRawBufferPointer(rebasing: all[ends[$0]..<ends[$0 + 1]]) }
      ) {
        position, path in
        #expect(found[position] == nil)
        found[position] = path
      }
    }
    for (position, name) in names.enumerated() {
      #expect(found[position] == table.lookup(Array("/h/a/".utf8) + name), "\(String(decoding: name, as: UTF8.self))")
    }
    #expect(found.count == 26)
  }

  @Test("two folders whose 32-bit tags collide keep their same-named files apart, found by folder and name")
  func foldersWithOneTag() throws {
    // Folder names until two share a tag (the hash a path's slot is chosen by): a birthday
    // search over 32 bits, a few hundred thousand names.
    var seen: [UInt32: String] = [:]
    var pair: (String, String)?
    for number in 0..<2_000_000 {
      let folder = "/h/\(number)/"
      let tag = Array(folder.utf8).withUnsafeBytes { FolderTable.tag($0) }
      if let other = seen[tag] {
        pair = (other, folder)
        break
      }
      seen[tag] = folder
    }
    let (first, second) = try #require(pair)
    let table = PathTable()
    let a = intern(table, first + "IMG_1.jpg", first + "IMG_1.jpg")
    let b = intern(table, second + "IMG_1.jpg", second + "IMG_1.jpg")
    #expect(a != b)
    #expect(lookup(table, first + "IMG_1.jpg") == a)
    #expect(lookup(table, second + "IMG_1.jpg") == b)
    #expect(intern(table, second + "IMG_1.jpg", second + "IMG_1.jpg") == b)
    #expect(String(decoding: table.hostPath(b), as: UTF8.self) == second + "IMG_1.jpg")
    #expect(lookup(table, first + "IMG_2.jpg") == nil)
  }

  @Test("the table grows past its first size and every path is still found")
  func growth() {
    let table = PathTable()
    let paths = (0..<20_000).map { intern(table, "/d/\($0 % 50)/\($0).jpg", "/h/\($0 % 50)/\($0).jpg") }
    #expect(paths.map(\.index) == Array(0..<20_000))
    #expect((0..<20_000).allSatisfy { lookup(table, "/h/\($0 % 50)/\($0).jpg") == PathID($0) })
  }
}
