import CompactStore

/// Every finding of one check: the roots' (`RootRules`), then one pass over the index's
/// references in which each rule family about referenced files looks at each reference, then
/// `LikelyMovedRule`, which pairs missing originals with the files nothing references
/// (`DiskFindings`, which the caller adds to the report as they are).
enum ReferenceRules {
  /// `disk`: the files nothing references; `verification`: what content hashing found.
  static func findings(_ facts: AuditFacts, disk: DiskFindings, verification: VerificationOutcome) -> (
    findings: [Finding], regeneration: [RegenerationStep]
  ) {
    var findings = RootRules.findings(facts)
    var missing = MissingFileRule()
    let sizes = SizeAndChecksumRule(mismatched: verification.mismatched)
    let willGoOffline = WillGoOfflineRule(facts.libraries)
    var aliases = PathAliasRule()
    var regeneration = RegenerationRule()
    for (position, reference) in facts.index.references.enumerated() {
      let path = reference.path
      // Under an offline root the root's finding covers it; its derivatives are all to rebuild.
      if facts.isOffline(path) {
        regeneration.note(reference)
        continue
      }
      // What Immich will do with the rows, whatever the files: the database side alone.
      willGoOffline.check(reference, facts, into: &findings)
      aliases.note(reference, at: position, facts)
      // Inside an unreadable folder the folder's finding covers the file.
      if facts.covered[path] != nil { continue }
      let state = facts.states[path]
      // A row queued for Immich's delete job whose file is still there gives nothing.
      if reference.flags.contains(.deletedStatus) && state != .missing { continue }
      sizes.check(reference, state, facts, into: &findings)
      missing.check(reference, state, facts, into: &findings)
      DerivativeRule.check(reference, state, facts, into: &findings)
      if state == .missing || state == .unseen { regeneration.note(reference) }
    }
    findings += aliases.findings(facts)
    findings += LikelyMovedRule.findings(facts, candidates: disk, digests: verification.candidateDigests)
    return (findings, regeneration.plan)
  }
}
