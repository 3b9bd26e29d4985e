import AuditCore
import FileScan

/// `explain`'s text: the preflight a person reads before a long audit.
public enum ExplainText {
  public static func render(_ report: ExplainReport) -> String {
    var output = ""
    let d = report.database
    output += "Database:   \(DisplayText.escaped(d.target.isEmpty ? "(libpq defaults)" : d.target))\n"
    output += "PostgreSQL: \(d.serverVersion)\n"
    output +=
      "Immich:     "
      + "\(d.immichVersion.map(DisplayText.escaped) ?? "unknown (no version_history: Immich before v1.117)") (newest "
      + "version_history row)\n"
    output +=
      "Schema:     \(d.schema) (\(report.schema.pluralNames ? "plural" : "singular") table names), decided by these "
      + "catalog probes:\n"
    var probes = TextTable(header: ["RELEASE", "PROBE", "FOUND"])
    for probe in report.schema.probes {
      probes.rows.append([probe.release, probe.question, probe.answer ? "yes" : "no"])
    }
    output += probes.rendered(indent: "  ")
    let overview = report.overview
    let location =
      overview.mediaLocation.map(DisplayText.escaped) ?? "not set (Immich before v1.136, or never booted since)"
    output += "\nMedia location (system_metadata MediaLocation): \(location)\n"
    output += "Original paths begin with:\n"
    var prefixes = TextTable(header: ["PREFIX", "ASSETS", "KIND"], rightAligned: [1])
    for prefix in overview.pathPrefixes {
      prefixes.rows.append([
        prefix.prefix, String(prefix.assets), prefix.external ? "external library" : "upload/library",
      ])
    }
    output += overview.pathPrefixes.isEmpty ? "  (no assets)\n" : prefixes.rendered(indent: "  ")
    output += "\nLibraries:\n"
    if overview.libraries.isEmpty { output += "  (no external libraries)\n" }
    for library in overview.libraries {
      output += "  \(DisplayText.escaped(library.name)) (\(library.id))\(library.deleted ? " [deleted]" : "")\n"
      func list(_ items: [String]) -> String {
        items.isEmpty ? "(none)" : items.map(DisplayText.escaped).joined(separator: ", ")
      }
      output += "    import paths:       \(list(library.importPaths))\n"
      output += "    exclusion patterns: \(list(library.exclusionPatterns))\n"
    }
    output += "\nPath mappings (longest container prefix wins):\n"
    var mappings = TextTable(header: ["CONTAINER", "HOST", "SOURCE"])
    for m in report.mappings { mappings.rows.append([m.container, m.host, m.source.rawValue]) }
    // The identity rows are the roots used as they are, as check's report lists them.
    if report.unmapped {
      output += "  (none: paths are used as they are; give --media-root, --map, --compose or --immich-env)\n"
    }
    if !report.mappings.isEmpty { output += mappings.rendered(indent: "  ") }
    output += "\nRoots (the folders check walks; status at a glance, without walking them):\n"
    var roots = TextTable(header: ["KIND", "CONTAINER", "HOST", "STATUS", "MARKER"])
    for root in report.roots {
      roots.rows.append([
        root.kind.rawValue, root.container, root.hostString, root.status.rawValue,
        root.kind == .importPath ? "-" : (root.marker ? "yes" : "no"),
      ])
    }
    output += roots.rendered(indent: "  ")
    for advice in report.advice { output += "  " + DisplayText.escaped(advice) + "\n" }
    output += "\nSample paths (database path, then host path and whether it exists here):\n"
    for sample in report.samples {
      let word: String
      switch sample.status {
      case .exists: word = "exists"
      case .missing: word = "MISSING"
      case .timedOut: word = "TIMED OUT"
      case .unreadable(let code): word = "UNREADABLE: \(SystemError.sentence(code))"
      }
      output +=
        "  \(sample.kind) \(sample.id)\n    \(DisplayText.escaped(sample.path))\n    -> "
        + "\(DisplayText.escaped(bytes: sample.hostPath))  [\(word)]\n"
    }
    if report.samples.isEmpty { output += "  (none)\n" }
    if let advice = report.samplesAdvice { output += "\n\(advice)\n" }
    if let sql = report.sql {
      output += "\nSQL as run (inside BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY):\n"
      for (name, text) in sql {
        output += "\n-- queries/\(name)\n\(text.hasSuffix("\n") ? text : text + "\n")"
      }
    }
    return output
  }
}
