import DumpCheck
import FileScan
import Foundation
import Synchronization

/// Immich's database dumps in the media `backups/` folder (DESIGN.md § What hangs on a
/// finding, Dumps): the newest one for the restore point, and `corrupt-db-dump` for a dump
/// whose gzip stream is broken or cut short, or whose SQL stops before pg_dump's closing
/// comment. In `--verify size` only the newest dump is read, in `sample:…` and `all` every one,
/// in `none` none. Nothing else under `backups/` is a finding.
struct DumpRule {
  /// A `*.sql.gz` file below the folder, with the time its name carries (Immich's names).
  struct Dump {
    let relative: [UInt8]
    let time: Date?
  }

  let container: String
  let host: [UInt8]
  /// The dumps, oldest first (by the time in their names; names without one first, bytewise);
  /// nil when the folder did not answer within the I/O timeout.
  let dumps: [Dump]?

  /// Lists the folder (under `timeout`, so a dead mount cannot hang the audit).
  init(container: String, host: [UInt8], timeout: Double?) {
    self.container = container
    self.host = host
    let listing = ParallelWalker.collect(host, threads: 1, sizes: false, timeout: timeout)
    guard !listing.timedOut else {
      dumps = nil
      return
    }
    dumps = listing.entries.filter { $0.kind == .file && Self.isDump($0.relativePath) }.map {
      Dump(
        relative: $0.relativePath,
        time: Self.dumpTime(String(decoding: LikelyMovedRule.fileName($0.relativePath[...]), as: UTF8.self)))
    }.sorted { a, b in
      switch (a.time, b.time) {
      case (let x?, let y?) where x != y: return x < y
      case (nil, _?): return true
      case (_?, nil): return false
      default: return compareBytes(a.relative, b.relative) < 0
      }
    }
  }

  /// The file name of the newest dump Immich named (nil: none).
  var newestDump: String? {
    guard let newest = dumps?.last(where: { $0.time != nil }) else { return nil }
    return String(decoding: LikelyMovedRule.fileName(newest.relative[...]), as: UTF8.self)
  }

  /// Reads the dumps the tier asks for (each under the I/O timeout per read) and reports the
  /// broken ones; a dump that cannot be read is `unreadable`.
  func findings(tier: VerifyTier, timeout: Double?) -> [Finding] {
    guard let dumps, !dumps.isEmpty, tier != .none else { return [] }
    let selected = tier == .size ? [dumps.last!] : dumps
    let outcomes = Mutex<[GzipSQLDump.Outcome?]>(Array(repeating: nil, count: selected.count))
    let pool = WorkPool(groups: selected.count, threads: min(selected.count, 2), timeout: timeout)
    for (number, dump) in selected.enumerated() {
      let path = host + [UInt8(ascii: "/")] + dump.relative
      pool.submit(group: number) {
        let outcome = GzipSQLDump.check(path, heartbeat: WorkPool.heartbeat)
        outcomes.withLock { $0[number] = outcome }
      }
    }
    let timedOut = pool.wait()
    let results = outcomes.withLock { $0 }
    var findings: [Finding] = []
    for (number, dump) in selected.enumerated() {
      let path = Array((container + "/").utf8) + dump.relative
      let hostPath = host + [UInt8(ascii: "/")] + dump.relative
      guard !timedOut[number], let outcome = results[number] else {
        findings.append(
          Finding(kind: .unreadable, path: path, hostPath: hostPath, detail: "the dump did not answer in time"))
        continue
      }
      let megabytes = String(format: "%.1f MB", Double(outcome.compressedBytes) / 1_000_000)
      let detail: String
      switch outcome.verdict {
      case .complete: continue
      case .unreadable(let code):
        findings.append(Finding(kind: .unreadable, path: path, hostPath: hostPath, detail: SystemError.sentence(code)))
        continue
      case .truncated:
        detail =
          "the gzip stream ends early, after \(megabytes): the dump was cut short (a full disk, or copied while it "
          + "was written); restore from another dump"
      case .broken(let reason):
        detail = "the gzip stream is broken (\(reason)) after \(megabytes) read; restore from another dump"
      case .unfinished:
        detail =
          "the SQL stops before pg_dump's closing comment (\"-- PostgreSQL database cluster dump complete\"): the "
          + "dump did not finish; restore from another dump"
      }
      findings.append(Finding(kind: .corruptDbDump, path: path, hostPath: hostPath, detail: detail))
    }
    return findings
  }

  static func isDump(_ relative: [UInt8]) -> Bool {
    relative.count > 7 && relative.suffix(7).elementsEqual(".sql.gz".utf8)
  }

  /// The time a dump's file name carries, if it is one of Immich's dump names:
  /// `immich-db-backup-<yyyymmdd>T<hhmmss>-v<version>-pg<version>.sql.gz`, or
  /// `immich-db-backup-<epoch milliseconds>.sql.gz` from older releases.
  static func dumpTime(_ name: String) -> Date? {
    let prefix = "immich-db-backup-"
    let suffix = ".sql.gz"
    guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
    let body = name.dropFirst(prefix.count).dropLast(suffix.count)
    if body.allSatisfy(\.isASCIIDigit), let milliseconds = Double(body) {
      return Date(timeIntervalSince1970: milliseconds / 1000)
    }
    // yyyymmddThhmmss-v<version>-pg<version>
    let parts = body.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[1].hasPrefix("v"), parts[2].hasPrefix("pg") else { return nil }
    let stamp = Array(parts[0])
    guard stamp.count == 15, stamp[8] == "T",
      stamp.enumerated().allSatisfy({ $0.offset == 8 || $0.element.isASCIIDigit })
    else { return nil }
    var components = DateComponents()
    components.timeZone = TimeZone(identifier: "UTC")
    func number(_ range: Range<Int>) -> Int { Int(String(stamp[range]))! }
    (components.year, components.month, components.day) = (number(0..<4), number(4..<6), number(6..<8))
    (components.hour, components.minute, components.second) = (number(9..<11), number(11..<13), number(13..<15))
    return Calendar(identifier: .gregorian).date(from: components)
  }
}

extension Character {
  fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
