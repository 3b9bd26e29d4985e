// The SQL files of this folder, compiled into the binary by SwiftPM (`.embedInCode`).
// A test checks that every .sql file here is listed; add a new file to `files` and to
// `queryFiles` in Package.swift.

public enum QueryFiles {
  /// File name without `.sql` → the file's text.
  public static let all: [String: String] = files.mapValues { String(decoding: $0, as: UTF8.self) }

  private static let files: [String: [UInt8]] = [
    "at-risk": PackageResources.at_risk_sql,
    "at-risk.without-face-deletedAt": PackageResources.at_risk_without_face_deletedAt_sql,
    "counts-albums": PackageResources.counts_albums_sql,
    "counts-assets": PackageResources.counts_assets_sql,
    "counts-assets.without-visibility": PackageResources.counts_assets_without_visibility_sql,
    "counts-assets-overall": PackageResources.counts_assets_overall_sql,
    "counts-assets-overall.without-visibility": PackageResources.counts_assets_overall_without_visibility_sql,
    "counts-faces": PackageResources.counts_faces_sql,
    "counts-faces.without-face-deletedAt": PackageResources.counts_faces_without_face_deletedAt_sql,
    "counts-other": PackageResources.counts_other_sql,
    "counts-people": PackageResources.counts_people_sql,
    "immich-version": PackageResources.immich_version_sql,
    "libraries": PackageResources.libraries_sql,
    "media-location": PackageResources.media_location_sql,
    "newest-asset": PackageResources.newest_asset_sql,
    "newest-uploads": PackageResources.newest_uploads_sql,
    "path-prefixes": PackageResources.path_prefixes_sql,
    "paths-asset-columns": PackageResources.paths_asset_columns_sql,
    "paths-asset-files": PackageResources.paths_asset_files_sql,
    "paths-originals": PackageResources.paths_originals_sql,
    "paths-originals.without-checksumAlgorithm": PackageResources.paths_originals_without_checksumAlgorithm_sql,
    "paths-originals.without-checksumAlgorithm.without-status": PackageResources
      .paths_originals_without_checksumAlgorithm_without_status_sql,
    "paths-person-thumbnails": PackageResources.paths_person_thumbnails_sql,
    "paths-profile-images": PackageResources.paths_profile_images_sql,
    "paths-sizes": PackageResources.paths_sizes_sql,
    "role-privileges": PackageResources.role_privileges_sql,
    "sample-albums": PackageResources.sample_albums_sql,
    "sample-albums.without-album-owner-row": PackageResources.sample_albums_without_album_owner_row_sql,
    "sample-assets": PackageResources.sample_assets_sql,
    "sample-assets.without-face-deletedAt": PackageResources.sample_assets_without_face_deletedAt_sql,
    "sample-owner-counts": PackageResources.sample_owner_counts_sql,
    "sample-people": PackageResources.sample_people_sql,
    "sample-people.without-face-deletedAt": PackageResources.sample_people_without_face_deletedAt_sql,
    "sample-asset-files": PackageResources.sample_asset_files_sql,
    "sample-asset-path-columns": PackageResources.sample_asset_path_columns_sql,
    "sample-originals": PackageResources.sample_originals_sql,
    "sample-person-thumbnails": PackageResources.sample_person_thumbnails_sql,
    "sample-profile-images": PackageResources.sample_profile_images_sql,
    "schema-catalog": PackageResources.schema_catalog_sql,
    "system-flags": PackageResources.system_flags_sql,
    "users": PackageResources.users_sql,
  ]
}
