import AuditCore

/// `check`'s report formats, each rendered straight into its destination.
public enum CheckReportFormat: String, CaseIterable, Sendable {
  case text, json, ndjson, junit, markdown, csv

  /// The report in this format. `limit`: findings of each kind that text and Markdown show;
  /// `colour`: ANSI colour in text (a person at a terminal).
  public func render(_ report: AuditReport, policy: FailurePolicy, limit: Int, colour: Bool, tool: ToolIdentity)
    -> ReportOutputs.Render
  {
    switch self {
    case .text: return ReportOutputs.text(TextReport.render(report, policy: policy, limit: limit, colour: colour))
    case .markdown: return ReportOutputs.text(MarkdownReport.render(report, policy: policy, limit: limit))
    case .json: return Self.streamed { ReportJSON.write(report, tool: tool, to: $0) }
    case .ndjson: return Self.streamed { ReportJSON.ndjson(report, tool: tool, to: $0) }
    case .junit: return Self.streamed { JUnitReport.render(report, policy: policy, to: &$0) }
    case .csv: return Self.streamed { CSVReport.render(report, to: &$0) }
    }
  }

  /// A renderer that writes as it goes (never the whole report in memory).
  private static func streamed(_ body: @escaping (inout ReportSink) -> Void) -> ReportOutputs.Render {
    { sink in
      var out = sink
      body(&out)
    }
  }
}
