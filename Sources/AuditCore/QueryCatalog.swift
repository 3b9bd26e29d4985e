import Foundation
import ImmichQueries

/// The SQL of `queries/`, chosen and renamed for one database.
///
/// Files are written with v3.1 names. For an older schema a variant file
/// (`NAME.without-FEATURE.sql`) replaces the main one when the database lacks that feature, then
/// table names and join-table columns are rewritten token by token (never inside string
/// literals or comments).
public struct QueryCatalog: Sendable {
  public let schema: ImmichSchema

  public init(schema: ImmichSchema) {
    self.schema = schema
  }

  /// The catalog probe, which runs before the schema is known (it reads only pg_catalog).
  static var catalogSQL: String { QueryFiles.all["schema-catalog"]! }

  /// Features a variant can be written for, and whether this database has each.
  var features: [String: Bool] {
    [
      "visibility": schema.hasVisibility, "face-deletedAt": schema.hasFaceDeletedAt, "status": schema.hasStatus,
      "checksumAlgorithm": schema.hasChecksumAlgorithm, "album-owner-row": schema.albumOwnerInAlbumUser,
    ]
  }

  /// The statement `name` as it runs on this database: the variant file named for exactly the
  /// features this database lacks (among those the file has variants for), else the main file.
  public func sql(_ name: String, substituting replacements: [String: String] = [:]) -> String {
    let variants = QueryFiles.all.keys.filter { $0.hasPrefix(name + ".without-") }
    let mentioned = Set(variants.flatMap { Self.missingFeatures(in: $0, of: name) })
    let missing = Set(mentioned.filter { features[$0] == false })
    let fileName =
      missing.isEmpty ? name : (variants.first { Set(Self.missingFeatures(in: $0, of: name)) == missing } ?? name)
    guard let text = QueryFiles.all[fileName] else {
      preconditionFailure("no query file queries/\(fileName).sql")
    }
    return SQLRenamer(schema: schema, extraIdentifiers: replacements).rewrite(text)
  }

  /// `counts-assets.without-visibility` → ["visibility"].
  static func missingFeatures(in fileName: String, of name: String) -> [String] {
    fileName.dropFirst(name.count + 1).components(separatedBy: ".").compactMap { part in
      part.hasPrefix("without-") ? String(part.dropFirst("without-".count)) : nil
    }
  }
}

/// Rewrites identifiers in SQL text: table names for plural-era databases, table-qualified join
/// columns (`album_asset."albumId"`) for databases before v2.3, plus any extra identifier
/// replacements (used to run one template per path column).
struct SQLRenamer {
  let schema: ImmichSchema
  let extraIdentifiers: [String: String]

  func rewrite(_ sql: String) -> String {
    let characters = Array(sql.unicodeScalars)
    var output = String.UnicodeScalarView()
    var index = 0
    // The last identifier's original (v3.1) spelling, if it was directly followed by a dot.
    var qualifier: String?
    var lastWasQualifierDot = false

    func emitIdentifier(_ name: String, quoted: Bool) {
      var replaced = name
      if lastWasQualifierDot, let qualifier {
        replaced = schema.columnName(name, ofTable: qualifier)
      } else if let table = renamedTable(name, quoted: quoted) {
        replaced = table
      }
      if let extra = extraIdentifiers[replaced] { replaced = extra }
      let needsQuotes = quoted || (replaced != name && replaced != replaced.lowercased())
      output.append(
        contentsOf: (needsQuotes ? "\"\(replaced.replacingOccurrences(of: "\"", with: "\"\""))\"" : replaced)
          .unicodeScalars)
    }

    while index < characters.count {
      let scalar = characters[index]
      switch scalar {
      case "'":
        // A string literal, copied as it is ('' is an escaped quote).
        var end = index + 1
        while end < characters.count {
          if characters[end] == "'" {
            if end + 1 < characters.count && characters[end + 1] == "'" {
              end += 2
              continue
            }
            break
          }
          end += 1
        }
        let slice = characters[index...min(end, characters.count - 1)]
        if let extra = extraIdentifiers[String(String.UnicodeScalarView(slice.dropFirst().dropLast()))] {
          output.append(contentsOf: "'\(extra)'".unicodeScalars)
        } else {
          output.append(contentsOf: slice)
        }
        index = end + 1
        qualifier = nil
        lastWasQualifierDot = false
      case "-" where index + 1 < characters.count && characters[index + 1] == "-":
        while index < characters.count && characters[index] != "\n" {
          output.append(characters[index])
          index += 1
        }
      case "\"":
        var end = index + 1
        var name = String.UnicodeScalarView()
        while end < characters.count {
          if characters[end] == "\"" {
            if end + 1 < characters.count && characters[end + 1] == "\"" {
              name.append("\"")
              end += 2
              continue
            }
            break
          }
          name.append(characters[end])
          end += 1
        }
        let identifier = String(name)
        emitIdentifier(identifier, quoted: true)
        index = end + 1
        (qualifier, lastWasQualifierDot) = (identifier, false)
      case _ where scalar == "_" || scalar.properties.isAlphabetic:
        var end = index
        var name = String.UnicodeScalarView()
        while end < characters.count,
          characters[end] == "_" || characters[end] == "$" || characters[end].properties.isAlphabetic
            || ("0"..."9").contains(characters[end])
        {
          name.append(characters[end])
          end += 1
        }
        let identifier = String(name)
        emitIdentifier(identifier, quoted: false)
        index = end
        (qualifier, lastWasQualifierDot) = (identifier, false)
      case ".":
        output.append(scalar)
        index += 1
        lastWasQualifierDot = qualifier != nil
      default:
        output.append(scalar)
        index += 1
        if !scalar.properties.isWhitespace {
          qualifier = nil
          lastWasQualifierDot = false
        }
      }
    }
    return String(output)
  }

  private func renamedTable(_ name: String, quoted: Bool) -> String? {
    guard schema.pluralNames, let plural = ImmichSchema.pluralTableNames[name] else { return nil }
    // A bare `user` would be the SQL keyword; queries always quote it.
    if name == "user" && !quoted { return nil }
    return plural
  }
}
