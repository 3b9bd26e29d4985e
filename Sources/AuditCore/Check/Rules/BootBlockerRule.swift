import FileScan

/// `boot-blocker` (DESIGN.md § Finding kinds): Immich will refuse to start on these files. From
/// v1.115, at every start Immich reads the `.immich` marker of each media folder whose mount
/// check `system-flags` records (its storage service's bootstrap) and stops at the first one it
/// cannot read, unless `IMMICH_IGNORE_MOUNT_CHECK_ERRORS` is true (then it logs the error and
/// starts: the finding is `info`). Every blocked folder is listed, not only the first, and a
/// folder that is itself offline is listed too: the marker concerns the folder.
enum BootBlockerRule {
  /// The folders Immich checks: the five media folders and, where the generation checks it
  /// (its flag is recorded only by one that does), the database dumps' `backups` folder.
  static let checkedFolders = AuditRoot.Kind.mediaFolders.map(\.rawValue) + ["backups"]

  /// `mountChecks`: the folders whose check is recorded; `backupsMarker`: whether the backups
  /// folder's marker is readable (nil: no answer in time), looked at only when it is checked.
  static func findings(
    _ facts: AuditFacts, mountChecks: Set<String>, backups: (container: String, host: [UInt8], marker: Bool?)?,
    ignoreErrors: Bool
  ) -> [Finding] {
    var findings: [Finding] = []
    for folder in checkedFolders where mountChecks.contains(folder) {
      let container: String
      let host: [UInt8]
      let problem: String
      if folder == "backups" {
        guard let backups, backups.marker != true else { continue }
        (container, host) = (backups.container, backups.host)
        problem = backups.marker == nil ? "did not answer in time" : "is missing or cannot be read"
      } else {
        guard let number = facts.roots.firstIndex(where: { $0.kind.rawValue == folder }) else { continue }
        let root = facts.roots[number]
        guard !root.marker else { continue }
        (container, host) = (root.container, root.host)
        switch root.status {
        case .missing: problem = "is missing: the folder itself is not there"
        case .timedOut: problem = "did not answer in time"
        case .notADirectory: problem = "is missing: the folder is not a directory"
        case .unreadable: problem = "cannot be read: neither can the folder"
        case .ok, .empty: problem = "is missing or cannot be read"
        }
      }
      let consequence =
        ignoreErrors
        ? "Immich would refuse to start, but the .env sets IMMICH_IGNORE_MOUNT_CHECK_ERRORS=true: it starts and logs "
          + "the error"
        : "Immich refuses to start"
      let detail =
        "\(folder)/.immich \(problem) while system-flags records this folder's mount check: \(consequence). Restore "
        + "the folder from the backup (the marker comes with it); create the marker by hand only once the folder is "
        + "mounted and holds its files: the marker is how Immich tells a mounted folder from an empty mount point"
      findings.append(
        Finding(
          kind: .bootBlocker, severity: ignoreErrors ? .info : .error, path: Array((container + "/.immich").utf8),
          hostPath: host + Array("/.immich".utf8), detail: detail))
    }
    return findings
  }
}
