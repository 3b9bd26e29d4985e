import Foundation

/// `--tolerance KEY=N` or `KEY=N%`; `KEY` may be `*` or end in `*` (`assets.*`).
public struct Tolerance: Sendable, Equatable {
  public enum Amount: Sendable, Equatable {
    case absolute(Int)
    case percent(Double)
  }

  public let pattern: String
  public let amount: Amount

  public init(pattern: String, amount: Amount) {
    self.pattern = pattern
    self.amount = amount
  }

  /// Parses `KEY=N` / `KEY=N%`. Judged before any I/O, so errors are usage errors.
  public init(parsing text: String) throws(ToleranceError) {
    guard let equals = text.lastIndex(of: "=") else {
      throw ToleranceError(text, "expected KEY=N or KEY=N% (e.g. assets.active=5, *=1%)")
    }
    let key = String(text[..<equals]).trimmingCharacters(in: .whitespaces)
    var value = String(text[text.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
    guard !key.isEmpty else { throw ToleranceError(text, "the key is empty (use * for every key)") }
    if key != "*" {
      let stem = key.hasSuffix("*") ? String(key.dropLast()) : key
      guard CountKey.all.contains(where: { key.hasSuffix("*") ? $0.hasPrefix(stem) : $0 == stem }) else {
        throw ToleranceError(text, "unknown count key \(key) (keys: \(CountKey.all.joined(separator: ", ")))")
      }
    }
    if value.hasSuffix("%") {
      value.removeLast()
      guard let percent = Double(value), percent >= 0, percent.isFinite else {
        throw ToleranceError(text, "\(value)% is not a non-negative percentage")
      }
      self.init(pattern: key, amount: .percent(percent))
    } else {
      guard let number = Int(value), number >= 0 else {
        throw ToleranceError(text, "\(value) is not a non-negative whole number")
      }
      self.init(pattern: key, amount: .absolute(number))
    }
  }

  func matches(_ key: String) -> Bool {
    if pattern == "*" { return true }
    if pattern.hasSuffix("*") { return key.hasPrefix(String(pattern.dropLast())) }
    return key == pattern
  }

  /// Whether a change of `delta` from `baseline` stays within this tolerance.
  func allows(delta: Int, baseline: Int) -> Bool {
    switch amount {
    case .absolute(let limit): return abs(delta) <= limit
    case .percent(let percent):
      if baseline == 0 { return delta == 0 }
      return Double(abs(delta)) * 100 <= percent * Double(baseline) + 1e-9
    }
  }
}

public struct ToleranceError: Error, CustomStringConvertible, Sendable {
  /// What is wrong with the value, without naming the option (ArgumentParser names it).
  public let reason: String
  public let description: String
  init(_ text: String, _ reason: String) {
    self.reason = reason
    description = "--tolerance \(text): \(reason)"
  }
}

/// Two manifests side by side (DESIGN.md § Compare).
public struct ManifestComparison: Sendable {
  public enum Status: String, Sendable {
    case same, decrease, increase, tolerated
    /// A key only one side has in a scope both have, or one this immich-audit does not know
    /// (a manifest from a newer or older version): told, never a decrease.
    case notCompared = "not-compared"
  }

  public struct Entry: Sendable {
    /// `overall`, `owner` or `library`.
    public let scope: String
    /// The owner or library id (nil overall).
    public let id: String?
    /// The owner's email or the library's name, where known.
    public let label: String?
    public let key: String
    public let baseline: Int?
    public let current: Int?
    public let status: Status
    /// Why an entry was not compared.
    public let note: String?

    public var delta: Int { (current ?? 0) - (baseline ?? 0) }

    /// Change relative to the baseline, in percent; nil when the baseline is 0 or absent.
    public var percent: Double? {
      guard let baseline, baseline != 0 else { return nil }
      return Double(delta) * 100 / Double(baseline)
    }
  }

  public let baseline: CountsManifest
  public let current: CountsManifest
  public let entries: [Entry]

  public var decreases: [Entry] { entries.filter { $0.status == .decrease } }
  public var increases: [Entry] { entries.filter { $0.status == .increase } }
  public var tolerated: [Entry] { entries.filter { $0.status == .tolerated } }
  public var notCompared: [Entry] { entries.filter { $0.status == .notCompared } }

  /// Whether the two sides share no user and no library id (uploads aside) while both have
  /// some: then the baseline is another instance's manifest and every number would be a change.
  public var sharesNoIdentity: Bool {
    let baselineIds = Set(baseline.byOwner.map(\.id)).union(baseline.byLibrary.map(\.id).filter { $0 != "upload" })
    let currentIds = Set(current.byOwner.map(\.id)).union(current.byLibrary.map(\.id).filter { $0 != "upload" })
    return !baselineIds.isEmpty && !currentIds.isEmpty && baselineIds.isDisjoint(with: currentIds)
  }

  /// Seconds by which the baseline's newest asset is newer than the current one's (positive:
  /// the baseline went on after the current restore point), when both are known.
  public var newestGapSeconds: Double? {
    guard let b = baseline.newestAssetCreatedAt.flatMap(Timestamp.parse),
      let c = current.newestAssetCreatedAt.flatMap(Timestamp.parse)
    else { return nil }
    return b.timeIntervalSince(c)
  }

  public init(baseline: CountsManifest, current: CountsManifest, tolerances: [Tolerance]) {
    self.baseline = baseline
    self.current = current
    var entries: [Entry] = []
    func compare(scope: String, id: String?, label: String?, _ base: Counts?, _ now: Counts?) {
      var keys = CountKey.all.filter { base?[$0] != nil || now?[$0] != nil }
      for key in (base?.keys ?? []) + (now?.keys ?? []) where !keys.contains(key) { keys.append(key) }
      for key in keys {
        let b = base?[key]
        let c = now?[key]
        let delta = (c ?? 0) - (b ?? 0)
        var status: Status = delta == 0 ? .same : (delta < 0 ? .decrease : .increase)
        var note: String?
        if !CountKey.all.contains(key) {
          status = .notCompared
          note = "a key this immich-audit does not know"
        } else if base != nil && now != nil && (b == nil || c == nil) {
          status = .notCompared
          note = b == nil ? "only the current side has it" : "only the baseline has it"
        }
        // The last tolerance naming a key wins, like repeated flags in most tools.
        if status == .decrease || status == .increase, let tolerance = tolerances.last(where: { $0.matches(key) }),
          tolerance.allows(delta: delta, baseline: b ?? 0)
        {
          status = .tolerated
        }
        entries.append(
          Entry(scope: scope, id: id, label: label, key: key, baseline: b, current: c, status: status, note: note))
      }
    }
    compare(scope: "overall", id: nil, label: nil, baseline.counts, current.counts)
    var ownerIds = baseline.byOwner.map(\.id)
    for owner in current.byOwner where !ownerIds.contains(owner.id) { ownerIds.append(owner.id) }
    for id in ownerIds {
      let b = baseline.byOwner.first { $0.id == id }
      let c = current.byOwner.first { $0.id == id }
      compare(scope: "owner", id: id, label: b?.email ?? c?.email, b?.counts, c?.counts)
    }
    var libraryIds = baseline.byLibrary.map(\.id)
    for library in current.byLibrary where !libraryIds.contains(library.id) { libraryIds.append(library.id) }
    for id in libraryIds {
      let b = baseline.byLibrary.first { $0.id == id }
      let c = current.byLibrary.first { $0.id == id }
      compare(
        scope: "library", id: id, label: b?.name ?? c?.name ?? (id == "upload" ? "uploads" : nil), b?.counts, c?.counts)
    }
    self.entries = entries
  }

  /// Exit code of a comparison: 1 when any count decreased beyond tolerance.
  public var failed: Bool { !decreases.isEmpty }

  /// A sentence on how far apart the two restore points are.
  public var gapSentence: String {
    let b = baseline.newestAssetCreatedAt ?? "unknown"
    let c = current.newestAssetCreatedAt ?? "unknown"
    guard let gap = newestGapSeconds else {
      return "Newest asset created: baseline \(b), current \(c)."
    }
    if abs(gap) < 1 {
      return "Newest asset created: baseline \(b), current \(c): the same restore point."
    }
    if gap > 0 {
      return
        "Newest asset created: baseline \(b), current \(c): the baseline is \(Self.duration(gap)) newer, so it saw "
        + "uploads or imports that the restored database does not have (production moved on after the backup, or the "
        + "restore is older)."
    }
    return
      "Newest asset created: baseline \(b), current \(c): the current database is \(Self.duration(-gap)) newer than "
      + "the baseline (the baseline was taken before the dump, or assets were added since the restore)."
  }

  static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s) s" }
    if s < 3600 { return "\(s / 60) min \(s % 60) s" }
    if s < 86400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
    return "\(s / 86400) d \(s % 86400 / 3600) h"
  }
}
