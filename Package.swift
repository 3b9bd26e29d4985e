// swift-tools-version: 6.2
import PackageDescription

// Every queries/*.sql file, compiled into the binary (no resource bundle beside it). Listed
// here, not read from the folder, because SwiftPM caches manifests; a test checks the list.
let queryFiles = [
  "at-risk.sql",
  "at-risk.without-face-deletedAt.sql",
  "counts-albums.sql",
  "counts-assets.sql",
  "counts-assets.without-visibility.sql",
  "counts-assets-overall.sql",
  "counts-assets-overall.without-visibility.sql",
  "counts-faces.sql",
  "counts-faces.without-face-deletedAt.sql",
  "counts-other.sql",
  "counts-people.sql",
  "immich-version.sql",
  "libraries.sql",
  "media-location.sql",
  "newest-asset.sql",
  "newest-uploads.sql",
  "path-prefixes.sql",
  "paths-asset-columns.sql",
  "paths-asset-files.sql",
  "paths-originals.sql",
  "paths-originals.without-checksumAlgorithm.sql",
  "paths-originals.without-checksumAlgorithm.without-status.sql",
  "paths-person-thumbnails.sql",
  "paths-profile-images.sql",
  "paths-sizes.sql",
  "role-privileges.sql",
  "sample-albums.sql",
  "sample-albums.without-album-owner-row.sql",
  "sample-assets.sql",
  "sample-assets.without-face-deletedAt.sql",
  "sample-owner-counts.sql",
  "sample-people.sql",
  "sample-people.without-face-deletedAt.sql",
  "sample-asset-files.sql",
  "sample-asset-path-columns.sql",
  "sample-originals.sql",
  "sample-person-thumbnails.sql",
  "sample-profile-images.sql",
  "schema-catalog.sql",
  "system-flags.sql",
  "users.sql",
]

// CI treats warnings as errors (an unused value is a mistake to fix, not to scroll past); a
// developer's build only shows them.
let swiftSettings: [SwiftSetting] =
  [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
  ] + (Context.environment["CI"] != nil ? [.treatAllWarnings(as: .error)] : [])

let package = Package(
  name: "immich-audit",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "immich-audit", targets: ["immich-audit"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
  ],
  targets: [
    // libpq, found through pkg-config; Debian: libpq-dev.
    .systemLibrary(
      name: "CLibPQ",
      pkgConfig: "libpq",
      providers: [.apt(["libpq-dev"])]
    ),
    // zlib, found through pkg-config; Debian: zlib1g-dev (its library, zlib1g, is on every
    // Debian and Ubuntu: dpkg needs it).
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    // Whether a gzip-compressed SQL dump is whole (its stream, its closing comment), read as a
    // stream in constant memory.
    .target(
      name: "DumpCheck",
      dependencies: ["CZlib", "FileScan"],
      swiftSettings: swiftSettings
    ),
    // The 36-character spelling of a UUID and its two 64-bit halves: one codec for the
    // database client and the index.
    .target(name: "UUIDText", swiftSettings: swiftSettings),
    // A small libpq wrapper: connections, conninfo parsing and redaction, streaming rows.
    // Knows nothing about Immich.
    .target(
      name: "PostgresClient",
      dependencies: ["CLibPQ", "UUIDText"],
      swiftSettings: swiftSettings
    ),
    // The SQL the tool runs, one file per question, compiled into the binary.
    .target(
      name: "ImmichQueries",
      path: "queries",
      exclude: ["README.md"],
      resources: queryFiles.map { .embedInCode($0) },
      swiftSettings: swiftSettings
    ),
    // statfs(2) and getdents64(2), which Swift's Glibc module does not export: network
    // filesystems told apart, folders listed without a DIR per folder; and a prefetch hint.
    .target(name: "CLinuxCalls"),
    // Walking folders and stat-ing files; knows nothing of databases or Immich.
    .target(
      name: "FileScan",
      dependencies: ["CLinuxCalls"],
      swiftSettings: swiftSettings
    ),
    // Compact in-memory tables for millions of paths: columns, hash slots, folders, names,
    // ids, the path table and the walk's per-path states. Knows nothing of Immich; with
    // FileScan, the only target that touches raw memory.
    .target(
      name: "CompactStore",
      dependencies: ["CLinuxCalls", "UUIDText"],
      swiftSettings: swiftSettings
    ),
    // Immich knowledge: schema generations, counts, manifests, comparison, configuration files,
    // and the audit itself (roots, matching, findings).
    .target(
      name: "AuditCore",
      dependencies: [
        "PostgresClient", "ImmichQueries", "FileScan", "CompactStore", "DumpCheck",
        .product(name: "Yams", package: "Yams"), .product(name: "Crypto", package: "swift-crypto"),
      ],
      swiftSettings: swiftSettings
    ),
    // The report formats of `check` (JSON, NDJSON, text, Markdown, JUnit, CSV, Prometheus).
    .target(
      name: "AuditReports",
      dependencies: ["AuditCore", "FileScan"],
      swiftSettings: swiftSettings
    ),
    // Thin executable: arguments, rendering, exit codes.
    .executableTarget(
      name: "immich-audit",
      dependencies: [
        "AuditCore",
        "AuditReports",
        "FileScan",
        "PostgresClient",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swiftSettings
    ),
    // The store's own tests: no database, no files.
    .testTarget(
      name: "CompactStoreTests",
      dependencies: ["CompactStore", "UUIDText"],
      path: "Tests/CompactStoreTests",
      swiftSettings: swiftSettings
    ),
    // Tests run against a real PostgreSQL server that the test setup starts (scripts/pg-throwaway)
    // and the built executable; fixtures live in Tests/Fixtures.
    .testTarget(
      name: "ImmichAuditTests",
      dependencies: [
        "AuditCore", "AuditReports", "PostgresClient", "ImmichQueries", "FileScan", "CompactStore", "UUIDText",
        "immich-audit",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "PropertyBased", package: "swift-property-based"),
        .product(name: "Yams", package: "Yams"),
      ],
      path: "Tests/ImmichAuditTests",
      swiftSettings: swiftSettings
    ),
  ]
)
