import CompactStore
import FileScan

/// The mount guard (DESIGN.md § Roots and the mount guard): a root that is missing, unreadable,
/// timed out, empty, or holds none of the files the database expects under it is offline, and
/// then it alone is reported, not each of its files. Also the folders a walk could not read,
/// one finding each with the number of paths they hide.
enum RootRules {
  /// Root statuses, figures and the guard's verdict, into `facts.roots`.
  static func decide(_ facts: AuditFacts) {
    let index = facts.index
    // Counted per folder, then summed below each root's folder: a root's figures hold every
    // path under it, also those a root inside it walks (two libraries on one share each
    // expect the files there).
    var expectedIn = [Int32](repeating: 0, count: index.folderCount)
    var presentIn = [Int32](repeating: 0, count: index.folderCount)
    for path in (0..<index.pathCount).lazy.map(PathID.init) {
      let folder = index.paths.folder(of: path)
      let root = Int(facts.rootOf.folder(folder))
      guard root >= 0 else { continue }
      expectedIn[folder.index] += 1
      // A timed-out root's stuck thread may still write its paths: not read.
      if facts.walks[root].status == .timedOut { continue }
      switch facts.states[path] {
      case .file, .directory, .other, .unreadable: presentIn[folder.index] += 1
      case .unseen: if facts.covered[path] != nil { presentIn[folder.index] += 1 }
      case .missing: break
      }
    }
    let hosts = facts.roots.map(\.host)
    let expected = index.paths.totalsBelow(hosts, perFolder: expectedIn)
    let present = index.paths.totalsBelow(hosts, perFolder: presentIn)
    for root in facts.roots.indices {
      let walk = facts.walks[root]
      facts.roots[root].status = walk.status
      facts.roots[root].marker = walk.marker
      facts.roots[root].expectedFiles = expected[root]
      facts.roots[root].presentFiles = present[root]
      switch walk.status {
      case .missing, .notADirectory, .unreadable, .timedOut: facts.roots[root].offline = true
      case .ok, .empty: facts.roots[root].offline = expected[root] > 0 && present[root] == 0
      }
    }
  }

  /// `root-offline` for each offline root, and `unreadable` for each folder (or file) a walk
  /// of an online root could not read.
  static func findings(_ facts: AuditFacts) -> [Finding] {
    var findings: [Finding] = []
    for root in facts.roots where root.offline {
      findings.append(
        Finding(
          kind: .rootOffline, severity: root.offlineSeverity, path: Array(root.container.utf8),
          hostPath: root.host,
          libraryId: root.libraryId, detail: offlineDetail(root)))
    }
    var hidden: [Int: [Int: Int]] = [:]
    for (path, problem) in facts.covered { hidden[facts.root(of: path) ?? -1, default: [:]][problem, default: 0] += 1 }
    for (root, walk) in facts.walks.enumerated() where !facts.roots[root].offline {
      for (number, problem) in walk.problems.enumerated() {
        let count = hidden[root]?[number] ?? 0
        let (path, hostPath) = facts.paths(root: root, problem.relativePath)
        findings.append(
          Finding(
            kind: .unreadable, path: path, hostPath: hostPath, libraryId: facts.roots[root].libraryId,
            detail:
              "\(SystemError.sentence(problem.errno)); \(count) database path\(count == 1 ? "" : "s") below it not "
              + "checked"
          ))
      }
    }
    return findings
  }

  static func offlineDetail(_ root: AuditRoot) -> String {
    let figures =
      "the database expects \(root.expectedFiles) file\(root.expectedFiles == 1 ? "" : "s") under it, "
      + "\(root.presentFiles) present"
    let what: String
    switch root.status {
    case .missing: what = "folder missing (not mounted, or mapped to the wrong host path?)"
    case .notADirectory: what = "not a directory"
    case .unreadable: what = "folder cannot be read"
    case .timedOut: what = "folder did not answer in time"
    case .empty: what = "folder is empty (not mounted?)"
    case .ok: what = "none of the expected files is there (mapped to the wrong host path?)"
    }
    return "\(what); \(figures)"
  }
}
