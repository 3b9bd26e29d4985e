import CompactStore
import Crypto
import FileScan
import Foundation
import Glibc
import Synchronization

/// `--verify`: how much content is read (DESIGN.md § Verification tiers).
public enum VerifyTier: Sendable, Equatable, CustomStringConvertible {
  /// Existence only.
  case none
  /// Sizes against `fileSizeInByte` (the default).
  case size
  /// SHA-1 of a random share of the content-hashed originals.
  case samplePercent(Double)
  /// SHA-1 of N random content-hashed originals.
  case sampleCount(Int)
  /// SHA-1 of every content-hashed original.
  case all

  public init?(_ text: String) {
    switch text {
    case "none": self = .none
    case "size": self = .size
    case "all": self = .all
    default:
      guard text.hasPrefix("sample:") else { return nil }
      let value = text.dropFirst("sample:".count)
      if value.hasSuffix("%"), let percent = Double(value.dropLast()), percent > 0, percent <= 100 {
        self = .samplePercent(percent)
      } else if let count = Int(value), count > 0 {
        self = .sampleCount(count)
      } else {
        return nil
      }
    }
  }

  public var description: String {
    switch self {
    case .none: return "none"
    case .size: return "size"
    case .samplePercent(let percent):
      return "sample:\(percent == percent.rounded() ? String(Int(percent)) : String(percent))%"
    case .sampleCount(let count): return "sample:\(count)"
    case .all: return "all"
    }
  }

  public var checksSizes: Bool { self != .none }
  public var hashesContent: Bool {
    switch self {
    case .none, .size: return false
    default: return true
    }
  }
}

/// What content verification did.
struct VerificationOutcome {
  var filesHashed = 0
  var bytesHashed: Int64 = 0
  /// Every selected file was hashed (the time budget did not run out, nothing timed out).
  var complete = true
  /// Referenced paths whose content SHA-1 differs from the asset's checksum.
  var mismatched: [PathID: [UInt8]] = [:]
  /// SHA-1 of the disk-found files that may be candidates for `likely-moved`, with their
  /// container and host paths.
  var candidateDigests: [(path: [UInt8], hostPath: [UInt8], digest: [UInt8])] = []
}

/// Hashes files with SHA-1: large reads into reused buffers, several files at a time,
/// `posix_fadvise(SEQUENTIAL)` before and `DONTNEED` after each so a long run leaves the page
/// cache as it was.
///
/// Files in flight: right after a restore no file is cached and a read waits for the disk or
/// the network; the thread governor adds threads (files read at once) while they raise the
/// reads completed per second, as it does for the walk, and stays at the cores where hashing
/// fills them. `WILLNEED` over each file's next 16 MB was tried and dropped: on the cold
/// virtual disk it made hashing 8-29% slower than readahead alone (BENCHMARKS.md, issue 17).
struct ContentHasher {
  static let bufferSize = 1 << 20
  /// The most files hashed at once when the count adapts.
  static let maxJobs = 32

  /// The SHA-1 of a file, nil if it cannot be read. `afterRead` is called after each read, so
  /// a watchdog sees a long file progress rather than hang, and the governor counts reads.
  static func sha1(_ path: [UInt8], buffer: UnsafeMutableRawBufferPointer, bytes: inout Int64, afterRead: () -> Void)
    -> [UInt8]?
  {
    let fd = PlainFile.openNoAtime(path)
    guard fd >= 0 else { return nil }
    defer {
      PlainFile.advise(fd, .dontNeed)
      PlainFile.close(fd)
    }
    PlainFile.advise(fd, .sequential)
    var hasher = Insecure.SHA1()
    while true {
      guard let count = try? PlainFile.readSome(fd, into: buffer) else { return nil }
      if count == 0 { break }
      hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
      bytes += Int64(count)
      afterRead()
    }
    return Array(hasher.finalize())
  }

  /// Hashes `paths` on `threads` threads (with `adapt`, more while more complete more reads,
  /// up to `maxJobs`) until `deadline` (monotonic seconds, nil: none); returns each digest
  /// (nil: unread, not reached or timed out), files and bytes hashed, and whether every path
  /// was reached.
  static func hash(_ paths: [[UInt8]], threads: Int, adapt: Bool, timeout: Double?, deadline: Double?) -> (
    digests: [[UInt8]?], files: Int, bytes: Int64, complete: Bool
  ) {
    guard !paths.isEmpty else { return ([], 0, 0, true) }
    let results = Mutex<(digests: [[UInt8]?], files: Int, bytes: Int64, skipped: Bool)>(
      (Array(repeating: nil, count: paths.count), 0, 0, false))
    let next = Atomic<Int>(0)
    let buffers = ReadBufferShelf(byteCount: bufferSize)
    let ceiling = adapt ? max(threads, maxJobs) : threads
    let pool = WorkPool(groups: 1, threads: threads, timeout: timeout, growUpTo: adapt ? ceiling : nil)
    /// One file, the next not yet taken; it queues its successor first, so as many tasks stay
    /// queued as were seeded (the governor adds threads only where tasks wait for them).
    @Sendable func hashNext() {
      let position = next.add(1, ordering: .relaxed).oldValue
      guard position < paths.count else { return }
      if let deadline, WorkPool.now() > deadline {
        results.withLock { $0.skipped = true }
        return
      }
      pool.submit(group: 0) { hashNext() }
      var bytes: Int64 = 0
      let digest = buffers.with { buffer in
        sha1(paths[position], buffer: buffer, bytes: &bytes) {
          pool.countCalls(1)
          WorkPool.heartbeat()
        }
      }
      results.withLock { state in
        state.digests[position] = digest
        if digest != nil {
          state.files += 1
          state.bytes += bytes
        }
      }
    }
    for _ in 0..<min(paths.count, ceiling) { pool.submit(group: 0) { hashNext() } }
    let timedOut = pool.wait()[0]
    return results.withLock { ($0.digests, $0.files, $0.bytes, !$0.skipped && !timedOut) }
  }
}

/// A small seedable generator (SplitMix64), so `--seed` reproduces a sample.
struct SeededGenerator: RandomNumberGenerator {
  var state: UInt64

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

extension VerifyTier {
  /// Which of `count` candidates to hash, in the order to hash them.
  func select(count: Int, seed: UInt64) -> [Int] {
    var order = Array(0..<count)
    switch self {
    case .none, .size: return []
    case .all: return order
    case .samplePercent(let percent):
      var generator = SeededGenerator(state: seed)
      order.shuffle(using: &generator)
      return Array(order.prefix(Int((Double(count) * percent / 100).rounded(.up))))
    case .sampleCount(let wanted):
      var generator = SeededGenerator(state: seed)
      order.shuffle(using: &generator)
      return Array(order.prefix(wanted))
    }
  }
}

/// `--verify` tiers that hash content, on the facts of a check.
extension FilesystemAudit {
  /// Content SHA-1s: the tier's selection of present, right-sized, content-hashed originals
  /// (a size mismatch is not hashed: one finding per fact), then, if some content-hashed
  /// original is missing, the disk-found files that could be it (same SHA-1: renamed, not only
  /// moved).
  func verify(_ facts: AuditFacts, disk: DiskFindings) -> VerificationOutcome {
    let index = facts.index
    let states = facts.states
    var outcome = VerificationOutcome()
    var eligible: [PathID] = []
    var seen = Set<PathID>()
    var missingContentHashed = false
    for reference in index.references where reference.kind == .original && reference.checksum >= 0 {
      let path = reference.path
      if facts.isOffline(path) || reference.flags.contains(.deletedStatus) || reference.flags.contains(.offline) {
        continue
      }
      if states[path] == .missing { missingContentHashed = true }
      guard states[path] == .file, reference.expectedSize < 0 || states.size(path) == reference.expectedSize else {
        continue
      }
      if seen.insert(path).inserted { eligible.append(path) }
    }
    let selected = options.verify.select(count: eligible.count, seed: options.seed).map { eligible[$0] }
    let deadline = options.verifyTime.map { WorkPool.now() + $0 }
    let threads = options.jobs ?? FilesystemAudit.Options.localJobs
    let adapt = options.jobs == nil
    let hashed = ContentHasher.hash(
      selected.map { index.hostPath($0) }, threads: threads, adapt: adapt, timeout: options.ioTimeout,
      deadline: deadline)
    outcome.filesHashed = hashed.files
    outcome.bytesHashed = hashed.bytes
    outcome.complete = hashed.complete
    var digestOf: [PathID: [UInt8]] = [:]
    for (path, digest) in zip(selected, hashed.digests) { if let digest { digestOf[path] = digest } }
    for reference in index.references where reference.kind == .original && reference.checksum >= 0 {
      if let digest = digestOf[reference.path], !index.checksum(reference.checksum).elementsEqual(digest) {
        outcome.mismatched[reference.path] = digest
      }
    }
    // Held whole only here: when a content-hashed original is missing and content is hashed.
    let candidates = missingContentHashed ? LikelyMovedRule.candidates(disk) : []
    if !candidates.isEmpty {
      let more = ContentHasher.hash(
        candidates.map(\.hostPath), threads: threads, adapt: adapt, timeout: options.ioTimeout,
        deadline: deadline)
      outcome.filesHashed += more.files
      outcome.bytesHashed += more.bytes
      for (candidate, digest) in zip(candidates, more.digests) {
        if let digest { outcome.candidateDigests.append((candidate.path, candidate.hostPath, digest)) }
      }
    }
    return outcome
  }
}
