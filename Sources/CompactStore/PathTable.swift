import CLinuxCalls
import Glibc

/// Distinct paths, kept compact enough for millions: each as its folder's number
/// (`FolderTable`) and a name handle (`NameStore`), found through one open-addressing table.
/// A path has two spellings: where it is on this machine (the host path, which is stored) and
/// how its source spelled it (a database's container path), which differs from the host path
/// only in a prefix: each path keeps the number of its (source prefix, host prefix) pair, of
/// which there are a handful.
///
/// A path is found by (folder, name): a walk looks a folder up once and then only hashes
/// names. Filled by one thread, then read by many: the stored properties skip Swift's run-time
/// exclusivity checks, which cost a measurable share of a large check (BENCHMARKS.md).
public final class PathTable: @unchecked Sendable {
  @exclusivity(unchecked) @usableFromInline var folders = FolderTable()
  @exclusivity(unchecked) @usableFromInline var folderOf = Column<Int32>()
  @exclusivity(unchecked) @usableFromInline var names = NameStore()
  @exclusivity(unchecked) @usableFromInline var nameOf = Column<NameHandle>()
  /// The pair of each path in a byte (there are a handful); `widePair`: the pair is in `widePairOf`.
  @exclusivity(unchecked) @usableFromInline var prefixPairOf = Column<UInt8>()
  @exclusivity(unchecked) @usableFromInline var widePairOf: [Int32: Int32] = [:]
  @exclusivity(unchecked) @usableFromInline var prefixPairs: [(source: [UInt8], host: [UInt8])] = []
  @exclusivity(unchecked) @usableFromInline var prefixPairIndex: [[UInt8]: Int32] = [:]
  @usableFromInline static var widePair: UInt8 { 255 }
  /// Path numbers by hash of (folder, name) (`pathHash`); a slot's path is confirmed by its
  /// folder number and name (no hash kept per path: 8 bytes each at millions of paths).
  @exclusivity(unchecked) @usableFromInline var table = HashSlots(count: 1 << 12)
  /// The last pair's prefixes, as plain buffers: compared on every row without touching the
  /// arrays of `prefixPairs` (whose reference counting cost more than the comparison).
  @exclusivity(unchecked) @usableFromInline var lastPair: Int32 = -1
  @exclusivity(unchecked) @usableFromInline var lastPairSource = UnsafeMutableRawBufferPointer.allocate(
    byteCount: 0, alignment: 1)
  @exclusivity(unchecked) @usableFromInline var lastPairHost = UnsafeMutableRawBufferPointer.allocate(
    byteCount: 0, alignment: 1)

  public init() {}

  deinit {
    lastPairSource.deallocate()
    lastPairHost.deallocate()
  }

  /// How many paths (numbered from 0).
  @inlinable public var count: Int { folderOf.count }
  /// How many folders (numbered from 0, a parent before its children).
  @inlinable public var folderCount: Int { folders.count }

  /// Room for `paths` paths and `stems` stems, so that the columns do not double (and briefly
  /// hold two copies) while millions of rows stream in. Capacity never touched costs address
  /// space, not memory.
  public func reserve(paths: Int, stems: Int) {
    // The hash table at its final size (at most half full), instead of doubling as rows arrive.
    let slots = HashSlots.slotCount(for: paths, minimum: table.count)
    if slots > table.count { table = HashSlots(count: slots) }
    names.reserve(names: paths, stems: stems)
    nameOf.reserveCapacity(paths)
    folderOf.reserveCapacity(paths)
    prefixPairOf.reserveCapacity(paths)
  }

  // MARK: Stems

  /// Registers an id that file names may be spelled after (`<id><suffix>`); its number.
  @inlinable public func addStem(_ id: CompactID) -> Int32 { names.addStem(id) }
  @inlinable public func stem(_ number: Int32) -> CompactID { names.stem(number) }
  @inlinable public var stemCount: Int { names.stemCount }

  // MARK: Adding

  /// The path's number, added if new. `source` is its source's spelling, `host` where it is on
  /// this machine; `stem`: the stem its name may be spelled after (then it costs no bytes).
  @inlinable
  public func intern(source: UnsafeRawBufferPointer, host: UnsafeRawBufferPointer, stem: Int32? = nil) -> PathID {
    let nameStart = Bytes.nameStart(host)
    let folderBytes = UnsafeRawBufferPointer(rebasing: host[0..<nameStart])
    let folderTag = FolderTable.tag(folderBytes)
    let name = UnsafeRawBufferPointer(rebasing: host[nameStart...])
    // The path's slot is known from its bytes alone: its load starts now and overlaps the
    // folder table's own (at millions of paths each is a miss of the caches).
    let hash = Self.pathHash(folderTag: folderTag, name: name)
    clinux_prefetch(table.address(hash))
    let folder = folders.intern(folderBytes, knownTag: folderTag).number
    if let existing = lookup(folder: folder, name: name, hash: hash) { return PathID(existing) }
    let number = Int32(folderOf.count)
    let pair = prefixPair(source, host)
    if pair < Int32(Self.widePair) {
      prefixPairOf.append(UInt8(pair))
    } else {
      widePairOf[number] = pair
      prefixPairOf.append(Self.widePair)
    }
    folderOf.append(folder)
    nameOf.append(names.append(name, stem: stem))
    if folderOf.count * 2 > table.count { grow() } else { table.insert(number, hash: hash) }
    return PathID(number)
  }

  /// The (source prefix, host prefix) pair of two spellings: what precedes their longest
  /// common suffix.
  @inlinable
  func prefixPair(_ source: UnsafeRawBufferPointer, _ host: UnsafeRawBufferPointer) -> Int32 {
    // Consecutive rows almost always share the last pair: check it without searching.
    if lastPair >= 0 {
      let sourcePrefix = lastPairSource.count
      let hostPrefix = lastPairHost.count
      if source.count - sourcePrefix == host.count - hostPrefix, source.count >= sourcePrefix, host.count >= hostPrefix,
        sourcePrefix == 0 || memcmp(source.baseAddress!, lastPairSource.baseAddress!, sourcePrefix) == 0,
        hostPrefix == 0 || memcmp(host.baseAddress!, lastPairHost.baseAddress!, hostPrefix) == 0,
        source.count == sourcePrefix
          || memcmp(source.baseAddress! + sourcePrefix, host.baseAddress! + hostPrefix, source.count - sourcePrefix)
            == 0
      {
        return lastPair
      }
    }
    return newPrefixPair(source, host)
  }

  @usableFromInline
  func newPrefixPair(_ source: UnsafeRawBufferPointer, _ host: UnsafeRawBufferPointer) -> Int32 {
    var common = 0
    while common < source.count && common < host.count
      && source[source.count - 1 - common] == host[host.count - 1 - common]
    {
      common += 1
    }
    let sourcePrefix = Array(source[0..<(source.count - common)])
    let hostPrefix = Array(host[0..<(host.count - common)])
    let key = sourcePrefix + [0] + hostPrefix
    let pair: Int32
    if let known = prefixPairIndex[key] {
      pair = known
    } else {
      prefixPairs.append((sourcePrefix, hostPrefix))
      pair = Int32(prefixPairs.count - 1)
      prefixPairIndex[key] = pair
    }
    if pair != lastPair {
      lastPairSource.deallocate()
      lastPairHost.deallocate()
      lastPairSource = .allocate(byteCount: sourcePrefix.count, alignment: 1)
      lastPairSource.copyBytes(from: sourcePrefix)
      lastPairHost = .allocate(byteCount: hostPrefix.count, alignment: 1)
      lastPairHost.copyBytes(from: hostPrefix)
      lastPair = pair
    }
    return pair
  }

  @usableFromInline
  func grow() {
    table = HashSlots(count: table.count * 2)
    var name: [UInt8] = []
    for index in folderOf.indices {
      name.removeAll(keepingCapacity: true)
      names.appendBytes(nameOf[index], to: &name)
      let tag = folders.tag(of: FolderID(folderOf[index]))
      let hash = name.withUnsafeBytes { Self.pathHash(folderTag: tag, name: $0) }
      table.insert(Int32(index), hash: hash)
    }
  }

  // MARK: Reading

  /// Where path `path` is on this machine.
  public func hostPath(_ path: PathID) -> [UInt8] {
    var bytes = folders[FolderID(folderOf[path.index])]
    names.appendBytes(nameOf[path.index], to: &bytes)
    return bytes
  }

  /// Where folder `folder` is on this machine (ending in "/", or empty).
  public func hostFolder(_ folder: FolderID) -> [UInt8] { folders[folder] }

  /// The source's spelling of path `path`.
  public func sourcePath(_ path: PathID) -> [UInt8] {
    let narrow = prefixPairOf[path.index]
    let pair = prefixPairs[narrow < Self.widePair ? Int(narrow) : Int(widePairOf[path.number]!)]
    return pair.source + hostPath(path).dropFirst(pair.host.count)
  }

  /// The source spelling of `path` in parts, for a pass over millions of paths that should
  /// not build each whole: its folder's key (the folder and the prefix pair: paths with equal
  /// keys share their source folder), and its name as a lowercase id and a suffix's number
  /// where it is stored so, else appended to `name`.
  public func sourceParts(_ path: PathID, name: inout [UInt8]) -> (
    folder: FolderID, pair: Int32, idName: (id: CompactID, suffix: Int)?
  ) {
    let handle = nameOf[path.index]
    let idName = names.idAndSuffix(handle)
    if idName == nil { names.appendBytes(handle, to: &name) }
    let narrow = prefixPairOf[path.index]
    return (
      FolderID(folderOf[path.index]), narrow < Self.widePair ? Int32(narrow) : widePairOf[path.number]!, idName
    )
  }

  /// Suffix number `number` of the names kept as an id and a suffix.
  public func nameSuffix(_ number: Int) -> [UInt8] { names.suffix(number) }

  /// The source spelling of a folder of `sourceParts` (ending in "/", or empty); nil when the
  /// pair's host prefix reaches into the name (a path that is itself a mapped prefix).
  public func sourceFolder(_ folder: FolderID, pair: Int32) -> [UInt8]? {
    let prefixes = prefixPairs[Int(pair)]
    let host = folders[folder]
    guard host.count >= prefixes.host.count else { return nil }
    return prefixes.source + host.dropFirst(prefixes.host.count)
  }

  /// The folder path `path` lies in.
  @inlinable public func folder(of path: PathID) -> FolderID { FolderID(folderOf[path.index]) }

  /// A host folder (ending in "/") that holds paths (or one of whose subfolders does), if known.
  @inlinable public func folder(_ hostFolder: UnsafeRawBufferPointer) -> FolderID? { folders.find(hostFolder) }

  /// The folder one component up (nil for a first component).
  @inlinable public func parent(_ folder: FolderID) -> FolderID? { folders.parent(folder) }

  /// The number of a host path, if it is stored.
  public func lookup(_ hostPath: [UInt8]) -> PathID? {
    hostPath.withUnsafeBytes { host in
      let nameStart = Bytes.nameStart(host)
      guard let folder = folder(UnsafeRawBufferPointer(rebasing: host[0..<nameStart])) else { return nil }
      return lookup(folder: folder, name: UnsafeRawBufferPointer(rebasing: host[nameStart...]))
    }
  }

  /// The number of file `name` in `folder`, if it is stored.
  @inlinable
  public func lookup(folder: FolderID, name: UnsafeRawBufferPointer) -> PathID? {
    lookup(folder: folder.number, name: name, hash: Self.pathHash(folderTag: folders.tag(of: folder), name: name)).map(
      PathID.init)
  }

  /// Looks names `0..<count` of one folder up and calls `found` with the position and path of
  /// each stored one. At a million paths the table is larger than the caches and one lookup
  /// misses them three times in a row (its slot; the path's folder and name handle; the
  /// name's bytes): a batch issues each step's loads for all of its names before it needs
  /// them, so that their misses overlap instead of following one another.
  @inlinable
  public func lookup(
    folder id: FolderID, count: Int, name: (Int) -> UnsafeRawBufferPointer, found: (Int, PathID) -> Void
  ) {
    let folder = id.number
    let folderTag = folders.tag(of: id)
    let batch = 16
    withUnsafeTemporaryAllocation(of: UInt64.self, capacity: batch) { hashes in
      // The path in each name's first slot, if its tag is the name's (-1: none).
      withUnsafeTemporaryAllocation(of: Int32.self, capacity: batch) { likely in
        var start = 0
        while start < count {
          let end = min(start + batch, count)
          for position in start..<end {
            let hash = Self.pathHash(folderTag: folderTag, name: name(position))
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
            names.prefetch(nameOf[index])
          }
          for position in start..<end {
            if let path = lookup(folder: folder, name: name(position), hash: hashes[position - start]) {
              found(position, PathID(path))
            }
          }
          start = end
        }
      }
    }
  }

  @inlinable
  func lookup(folder: Int32, name: UnsafeRawBufferPointer, hash: UInt64) -> Int32? {
    table.find(hash) { index in folderOf[Int(index)] == folder && names.equals(nameOf[Int(index)], name) }
  }

  /// A path's hash: of its name and its folder's `FolderTable.tag`, which its bytes give before
  /// the folder is interned (two folders with one tag only share slots: a slot's path is
  /// confirmed by its folder's number).
  @inlinable
  static func pathHash(folderTag: UInt32, name: UnsafeRawBufferPointer) -> UInt64 {
    let mixed = (Bytes.hash(name) ^ UInt64(folderTag)) &* 0x9E37_79B9_7F4A_7C15
    return mixed ^ (mixed >> 29)
  }

  // MARK: Folders below folders

  /// For every folder, the first of `candidates` (host folders, longest first) it lies below
  /// (whole components), or -1; a path's is its folder's. A path lies below a candidate exactly
  /// when the candidate plus "/" is its folder or one of that folder's ancestors, all of which
  /// the folder table holds: so it is settled per folder, parents before children, without
  /// rebuilding any path.
  public func firstFolder(containing candidates: [[UInt8]]) -> [Int16] {
    let candidateFolders = candidates.map { candidate in
      (candidate + [UInt8(ascii: "/")]).withUnsafeBytes { folders.find($0) }
    }
    var best = [Int16](repeating: -1, count: folders.count)
    for index in 0..<folders.count {
      // A parent is always interned before its children: its answer is known.
      var answer: Int16 = folders.parent(FolderID(index)).map { best[$0.index] } ?? -1
      if let number = candidateFolders.firstIndex(of: FolderID(index)), answer < 0 || Int16(number) < answer {
        answer = Int16(number)
      }
      best[index] = answer
    }
    return best
  }

  /// For each of `candidates` (host folders), the sum of `perFolder` over the folders at or
  /// below it (whole components). Children are interned after their parents, so one pass from
  /// the last folder to the first carries each folder's total into its parent's.
  public func totalsBelow(_ candidates: [[UInt8]], perFolder: [Int32]) -> [Int] {
    var totals = perFolder
    for index in stride(from: folders.count - 1, through: 0, by: -1) {
      if let parent = folders.parent(FolderID(index)) { totals[parent.index] += totals[index] }
    }
    return candidates.map { candidate in
      (candidate + [UInt8(ascii: "/")]).withUnsafeBytes { folders.find($0) }.map { Int(totals[$0.index]) } ?? 0
    }
  }
}
