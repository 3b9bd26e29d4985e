import AuditCore

/// A plain aligned table for terminals: text columns left-aligned, numbers right-aligned. Every
/// cell is shown through `DisplayText` (a database string with a newline cannot forge a row).
public struct TextTable {
  public var header: [String]
  public var rows: [[String]] = []
  /// Columns to right-align (numbers).
  public var rightAligned: Set<Int> = []

  public init(header: [String], rows: [[String]] = [], rightAligned: Set<Int> = []) {
    self.header = header
    self.rows = rows
    self.rightAligned = rightAligned
  }

  public func rendered(indent: String = "") -> String {
    let all = ([header] + rows).map { $0.map(DisplayText.escaped) }
    let widths = header.indices.map { column in
      all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
    }
    var output = ""
    for row in all {
      var cells: [String] = []
      for (column, width) in widths.enumerated() {
        let cell = row.indices.contains(column) ? row[column] : ""
        let padding = String(repeating: " ", count: max(0, width - cell.count))
        cells.append(rightAligned.contains(column) ? padding + cell : cell + padding)
      }
      var line = indent + cells.joined(separator: "  ")
      while line.hasSuffix(" ") { line.removeLast() }
      output += line + "\n"
    }
    return output
  }
}
