import Foundation
import Testing

@testable import AuditCore

@Suite("docker-compose volumes")
struct ComposeTests {
  @Test("Immich's compose file: .env interpolation, short and long syntax, :ro, relative paths")
  func immichCompose() throws {
    let folder = try TemporaryFolder()
    try folder.write(".env", "UPLOAD_LOCATION=./library\nNAS=/volume1\n")
    let file = try folder.write(
      "docker-compose.yml",
      """
      name: immich
      services:
        immich-server:
          container_name: immich_server
          image: ghcr.io/immich-app/immich-server:${IMMICH_VERSION:-release}
          volumes:
            # Do not edit the next line.
            - ${UPLOAD_LOCATION}:/data
            - /etc/localtime:/etc/localtime:ro
            - ${NAS}/photos:/mnt/nas/photos:ro
            - type: bind
              source: ${ARCHIVE:-/srv/archive}
              target: /mnt/archive
              read_only: true
            - model-cache:/cache
        database:
          image: ghcr.io/immich-app/postgres:14
          volumes:
            - ${DB_DATA_LOCATION:-./postgres}:/var/lib/postgresql/data
      volumes:
        model-cache:
      """)
    let compose = try ComposeVolumes(contentsOf: URL(fileURLWithPath: file), environment: [:])
    #expect(compose.service == "immich-server")
    let base = folder.url.standardizedFileURL.path
    #expect(
      compose.volumes == [
        .init(host: base + "/library", container: "/data", readOnly: false),
        .init(host: "/etc/localtime", container: "/etc/localtime", readOnly: true),
        .init(host: "/volume1/photos", container: "/mnt/nas/photos", readOnly: true),
        .init(host: "/srv/archive", container: "/mnt/archive", readOnly: true),
      ])
    #expect(compose.skipped == ["model-cache:/cache"])
    let mapper = PathMapper(compose.mappings)
    #expect(mapper.hostPath("/data/upload/u/a.jpg") == base + "/library/upload/u/a.jpg")
    #expect(mapper.hostPath("/mnt/nas/photos/2024/x.jpg") == "/volume1/photos/2024/x.jpg")
  }

  @Test("the shell's environment overrides the .env beside the compose file")
  func shellWins() throws {
    let folder = try TemporaryFolder()
    try folder.write(".env", "UPLOAD_LOCATION=./library\n")
    let file = try folder.write(
      "compose.yaml",
      "services:\n  server:\n    image: ghcr.io/immich-app/immich-server:v3.1.0\n    volumes: "
        + "['${UPLOAD_LOCATION}:/data']\n"
    )
    let compose = try ComposeVolumes(
      contentsOf: URL(fileURLWithPath: file), environment: ["UPLOAD_LOCATION": "/mnt/restore"])
    #expect(compose.service == "server")
    #expect(compose.volumes.first?.host == "/mnt/restore")
  }

  @Test(
    "files that are not Immich compose files are refused with a reason",
    arguments: [
      ("services: [", "not valid YAML"),
      ("version: '3'\n", "no services: section"),
      ("services:\n  web:\n    image: nginx\n", "no Immich server service"),
      (
        "services:\n  immich-server:\n    volumes: 42\n",
        "service immich-server: volumes: is the number 42, not a list of volumes"
      ),
      (
        "services:\n  immich-server:\n    volumes: /data\n",
        "service immich-server: volumes: is the string \"/data\", not a list"
      ),
    ])
  func refused(text: String, reason: String) throws {
    #expect { try ComposeVolumes(parsing: text, folder: URL(fileURLWithPath: "/tmp"), variables: [:]) } throws: {
      error in
      (error as? ComposeError)?.description.contains(reason) ?? false
    }
  }
}
