import FileScan
import Foundation
import Yams

/// The bind mounts of Immich's server service in a docker-compose file, as Docker would mount
/// them: `${VAR}` interpolated from the `.env` beside the file (then the environment), short
/// (`HOST:CONTAINER[:ro]`) and long (`type: bind`, `source`, `target`) syntax, relative host
/// paths resolved against the compose file's folder. Named volumes are not host paths and are
/// reported as skipped.
public struct ComposeVolumes: Sendable {
  public struct Volume: Sendable, Equatable {
    public let host: String
    public let container: String
    public let readOnly: Bool
  }

  public let service: String
  public let volumes: [Volume]
  /// Volumes that give no host path (named volumes, tmpfs), for a warning.
  public let skipped: [String]
  /// The server service's `env_file`s, resolved against the compose file's folder, in order:
  /// where Immich itself reads `DB_*` and `UPLOAD_LOCATION` (Immich's file: `.env`).
  public let envFiles: [URL]

  public init(contentsOf url: URL, environment: [String: String]) throws(ComposeError) {
    let text: String
    do {
      text = String(decoding: try PlainFile.read(url.path), as: UTF8.self)
    } catch {
      throw ComposeError("\(url.path): cannot read it (\(error))")
    }
    let folder = url.deletingLastPathComponent()
    var variables = environment
    let envFile = folder.appendingPathComponent(".env")
    if FileManager.default.fileExists(atPath: envFile.path) {
      do {
        // Values from the shell override the .env file, as in Docker Compose.
        for (key, value) in try DotEnv(contentsOf: envFile, environment: environment).values
        where environment[key] == nil {
          variables[key] = value
        }
      } catch {
        throw ComposeError("\(url.path): its .env: \(error.description)")
      }
    }
    do {
      try self.init(parsing: text, folder: folder, variables: variables)
    } catch {
      throw ComposeError("\(url.path): \(error.description)")
    }
  }

  public init(parsing text: String, folder: URL, variables: [String: String]) throws(ComposeError) {
    let document: Any?
    do {
      document = try Yams.load(yaml: text)
    } catch {
      throw ComposeError("not valid YAML (\(String(describing: error).split(separator: "\n").first ?? ""))")
    }
    guard let root = document as? [String: Any], let services = root["services"] as? [String: Any] else {
      throw ComposeError("no services: section; is this Immich's docker-compose.yml?")
    }
    // Immich's file names the service immich-server; otherwise find it by its image.
    let name =
      services["immich-server"] != nil
      ? "immich-server"
      : services.keys.sorted().first { key in
        ((services[key] as? [String: Any])?["image"] as? String)?.contains("immich-server") ?? false
      }
    guard let name, let service = services[name] as? [String: Any] else {
      throw ComposeError(
        "no Immich server service (named immich-server, or with an immich-server image) among "
          + "\(services.keys.sorted().joined(separator: ", "))"
      )
    }
    func expand(_ value: String) throws(ComposeError) -> String {
      do {
        return try DotEnv.interpolate(value, known: [:], environment: variables, line: 0)
      } catch {
        throw ComposeError("service \(name): \(error.message) in \(value)")
      }
    }
    func resolve(_ host: String) -> String {
      if host.hasPrefix("/") { return host }
      if host.hasPrefix("~/"), let home = variables["HOME"] { return home + host.dropFirst(1) }
      return folder.appendingPathComponent(host).standardizedFileURL.path
    }
    var volumes: [Volume] = []
    var skipped: [String] = []
    // A volumes: that is not a list (a number, a string, a mapping) would mount nothing in
    // Docker either: say so rather than audit without the mappings.
    var entries: [Any] = []
    if let value = service["volumes"], !(value is NSNull) {
      guard let list = value as? [Any] else {
        throw ComposeError(
          "service \(name): volumes: is \(Self.describe(value)), not a list of volumes (- HOST:CONTAINER)")
      }
      entries = list
    }
    for entry in entries {
      if let short = entry as? String {
        let parts = try expand(short).split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else {
          skipped.append(short)
          continue
        }
        let host = parts[0]
        guard host.hasPrefix("/") || host.hasPrefix(".") || host.hasPrefix("~") else {
          skipped.append(short)
          continue
        }
        let options = parts.count > 2 ? parts[2].split(separator: ",").map(String.init) : []
        volumes.append(Volume(host: resolve(host), container: parts[1], readOnly: options.contains("ro")))
      } else if let long = entry as? [String: Any] {
        let type = long["type"] as? String ?? "volume"
        guard type == "bind", let source = long["source"] as? String, let target = long["target"] as? String else {
          skipped.append("\(long["source"] ?? long["target"] ?? type)")
          continue
        }
        volumes.append(
          Volume(
            host: resolve(try expand(source)), container: try expand(target),
            readOnly: long["read_only"] as? Bool ?? false))
      }
    }
    // env_file: a path, a list of paths, or (Compose 2.24+) a list of {path, required}.
    var envFiles: [URL] = []
    let envEntries: [Any] = (service["env_file"] as? [Any]) ?? (service["env_file"].map { [$0] } ?? [])
    for entry in envEntries {
      let path = (entry as? String) ?? ((entry as? [String: Any])?["path"] as? String)
      if let path, !path.isEmpty { envFiles.append(URL(fileURLWithPath: resolve(try expand(path)))) }
    }
    self.service = name
    self.volumes = volumes
    self.skipped = skipped
    self.envFiles = envFiles
  }

  static func describe(_ value: Any) -> String {
    switch value {
    case let text as String: return "the string \"\(text)\""
    case is [String: Any]: return "a mapping"
    case let number as Int: return "the number \(number)"
    case let number as Double: return "the number \(number)"
    case let flag as Bool: return "\(flag)"
    default: return "\(value)"
    }
  }

  /// The volumes as path mappings (`--compose`).
  public var mappings: [PathMapper.Mapping] {
    volumes.map { PathMapper.Mapping(container: $0.container, host: $0.host, source: .compose) }
  }
}

public struct ComposeError: Error, CustomStringConvertible, Sendable {
  public let description: String
  init(_ description: String) { self.description = description }
}
