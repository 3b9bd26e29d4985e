import AuditCore
import Foundation
import PropertyBased
import Testing

/// Random input for the parsers and matchers written here rather than taken from a library:
/// they must never crash, and keep their stated laws.
@Suite("properties: parsers and matchers on random input")
struct PropertyTests {
  /// Text made mostly of the characters these formats give meaning to.
  static let awkward = Gen<Character?>.element(of: Array("abcXYZ_09=$'\"\\{}:-#\n\t /.*?[]!,~ü✓") as [Character])
    .map { $0! }.string(of: 0...80)

  @Test(".env parsing never crashes; an error names a line of the text, in one line of its own")
  func dotEnv() async {
    await propertyCheck(count: 500, input: Self.awkward) { text in
      do throws(DotEnvError) {
        let env = try DotEnv(parsing: text, environment: ["HOME": "/root"])
        for key in ["a", "DB_URL", "UPLOAD_LOCATION"] { _ = try? env.value(key) }
      } catch {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        #expect(error.line.map { (1...lines).contains($0) } ?? true, "\(error) for \(text.debugDescription)")
        #expect(!error.message.isEmpty && !error.description.contains("\n"))
      }
    }
  }

  @Test("compose parsing never crashes: mappings or an error")
  func compose() async {
    let lines = Gen<String?>.element(
      of: [
        "services:", "  immich-server:", "    image: ghcr.io/immich-app/immich-server:release", "    volumes:",
        "      - ${UPLOAD_LOCATION}:/data", "      - ./photos:/mnt/photos:ro", "      - type: bind",
        "        source: ./x",
        "        target: /mnt/x", "      - model-cache:/cache", "  database:", "- [", "{", "\t", "volumes: 3",
        "      - :",
      ] as [String]
    ).map { $0! }.array(of: 0...14)
    await propertyCheck(count: 300, input: lines) { lines in
      do throws(ComposeError) {
        let compose = try ComposeVolumes(
          parsing: lines.joined(separator: "\n"), folder: URL(fileURLWithPath: "/srv/immich"),
          variables: ["UPLOAD_LOCATION": "./library"])
        #expect(compose.mappings.allSatisfy { $0.host.hasPrefix("/") })
      } catch {
        // One line: it becomes the one error line of a run.
        #expect(!error.description.isEmpty && !error.description.contains("\n"), "\(error)")
      }
    }
  }

  @Test("a glob without special characters matches exactly itself, in any case")
  func literalGlob() async {
    let segment = Gen.letterOrNumber.string(of: 1...8)
    await propertyCheck(count: 300, input: segment.array(of: 1...4)) { parts in
      let path = "/" + parts.joined(separator: "/")
      let glob = GlobPattern(path)
      #expect(glob.matches(path))
      #expect(glob.matches(path.uppercased()))
      #expect(!glob.matches(path + "x"))
      #expect(GlobPattern("**/" + parts.last!).matches(path))
    }
  }

  @Test("globs of random text never crash")
  func randomGlob() async {
    await propertyCheck(count: 500, input: Self.awkward, Self.awkward) { pattern, path in
      _ = GlobPattern(pattern).matches(path)
    }
  }

  @Test("a mapped path keeps everything after the container prefix; a sibling prefix is not mapped")
  func mapping() async {
    let segment = Gen.letterOrNumber.string(of: 1...6)
    await propertyCheck(count: 300, input: segment.array(of: 1...3), segment.array(of: 1...3), segment.array(of: 0...3))
    { container, host, rest in
      let containerPath = "/" + container.joined(separator: "/")
      let hostPath = "/" + host.joined(separator: "/")
      let mapper = PathMapper([PathMapper.Mapping(container: containerPath, host: hostPath, source: .map)])
      let tail = rest.isEmpty ? "" : "/" + rest.joined(separator: "/")
      #expect(mapper.hostPath(containerPath + tail) == hostPath + tail)
      #expect(mapper.hostPath(containerPath + "x" + tail) == containerPath + "x" + tail)
    }
  }
}
