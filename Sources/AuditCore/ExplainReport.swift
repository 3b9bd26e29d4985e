import FileScan

/// What `explain` shows: how the tool reads this database and where its paths point, gathered
/// once (a quick look at each root and each sample path, under the I/O timeout) and rendered by
/// AuditReports' `ExplainText`.
public struct ExplainReport: Sendable {
  /// A sample path of the database, where it is here, and whether it is there.
  public struct Sample: Sendable {
    public enum Status: Sendable, Equatable {
      case exists, missing, timedOut
      case unreadable(errno: Int32)
    }

    public let kind: String
    public let id: String
    public let path: String
    public let hostPath: [UInt8]
    public let status: Status
  }

  public let database: DatabaseDescription
  public let schema: ImmichSchema
  public let overview: DatabaseOverview
  /// Every mapping in force, with the roots used as they are (`identity`).
  public let mappings: [PathMapper.Mapping]
  /// Whether no mapping was given at all (paths are used as they are).
  public let unmapped: Bool
  /// The roots check walks, probed without walking them.
  public let roots: [AuditRoot]
  /// What to do about missing roots (`RunMappings.advice`).
  public let advice: [String]
  public let samples: [Sample]
  /// When most samples are not here: what to give (nil when most are).
  public let samplesAdvice: String?
  /// The SQL as run (`--sql`), nil when not asked for.
  public let sql: [(name: String, sql: String)]?

  /// Gathers the report from a prepared run (`RunSetup.prepare`), after its queries ran.
  public init(_ prepared: RunSetup.Prepared, ioTimeout: Double, includeSQL: Bool) {
    let run = prepared.mappings
    let mapper = run.mapper
    database = prepared.database.description
    schema = prepared.database.schema
    overview = prepared.overview
    mappings = run.mappings
    unmapped = mapper.mappings.isEmpty
    var options = FilesystemAudit.Options()
    options.ioTimeout = ioTimeout
    roots = FilesystemAudit(mapper: mapper, mediaLocation: run.style, libraries: overview.libraries, options: options)
      .probedRoots()
    advice = run.advice(for: roots, libraries: overview.libraries)
    // Under the I/O timeout: a sample on a dead mount says so instead of hanging explain.
    let hosts = overview.samples.map { mapper.hostPath(Array($0.path.utf8)).path }
    let statuses = FileStatus.of(hosts, threads: 4, timeout: ioTimeout)
    samples = zip(overview.samples, zip(hosts, statuses)).map { sample, found in
      let status: Sample.Status
      switch found.1 {
      case .missing: status = .missing
      case nil: status = .timedOut
      case .failed(let code): status = .unreadable(errno: code)
      default: status = .exists
      }
      return Sample(kind: sample.kind, id: sample.id, path: sample.path, hostPath: found.0, status: status)
    }
    let missing = samples.filter { $0.status != .exists }.count
    if !samples.isEmpty && missing * 2 > samples.count {
      var sentence = "\(missing) of \(samples.count) sample paths do not exist on this machine. "
      if mapper.hostPath(Array(run.style.utf8)).mapping == nil {
        sentence +=
          "The media location is \(DisplayText.escaped(run.style)) in the container: give its host folder (Immich's "
          + "UPLOAD_LOCATION) with --media-root DIR, or --map \(DisplayText.escaped(run.style))=DIR."
      } else {
        sentence +=
          "Check the host folders above; an external library's import path needs --map CONTAINER=HOST (or --compose "
          + "with Immich's docker-compose.yml)."
      }
      samplesAdvice = sentence
    } else {
      samplesAdvice = nil
    }
    sql = includeSQL ? prepared.database.executed : nil
  }
}
