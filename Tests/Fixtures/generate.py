#!/usr/bin/env python3
"""Writes the Immich database fixtures of the tests, one per schema generation.

Each file holds a hand-written schema of one Immich release (from research/immich-schema.md: the
tables and columns an auditor reads, with the names, types and enums of that release) and the
same logical data set, so the tests know every count on every generation. Run it after editing:
    python3 Tests/Fixtures/generate.py
"""
import hashlib
import os

HERE = os.path.dirname(os.path.abspath(__file__))

U1, U2, U3 = ("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222",
              "33333333-3333-4333-8333-333333333333")
L1, L2 = "aaaaaaaa-0000-4000-8000-000000000001", "aaaaaaaa-0000-4000-8000-000000000002"
def A(n): return "a0000000-0000-4000-8000-%012d" % n
def AL(n): return "b0000000-0000-4000-8000-%012d" % n
def P(n): return "c0000000-0000-4000-8000-%012d" % n
def F(n): return "d0000000-0000-4000-8000-%012d" % n
def T(n): return "e0000000-0000-4000-8000-%012d" % n
S1 = "f0000000-0000-4000-8000-000000000001"
M1 = "90000000-0000-4000-8000-000000000001"
def SL(n): return "80000000-0000-4000-8000-%012d" % n

GENERATIONS = {
    # release: features
    "v1.106": dict(plural=True, asset_files=False, status=False, face_deleted=False, visibility=False,
                   old_joins=True, sidecar_col=True, is_edited=False, encoded_col=True, checksum_alg=False,
                   album_owner_col=True, version=None, kysely=False, media_location=None, prefix="upload",
                   source_type=False),
    "v1.123": dict(plural=True, asset_files=True, status=True, face_deleted=False, visibility=False,
                   old_joins=True, sidecar_col=True, is_edited=False, encoded_col=True, checksum_alg=False,
                   album_owner_col=True, version="1.123.0", kysely=False, media_location=None, prefix="upload",
                   source_type=True),
    "v2.5": dict(plural=False, asset_files=True, status=True, face_deleted=True, visibility=True,
                 old_joins=False, sidecar_col=False, is_edited=True, encoded_col=True, checksum_alg=False,
                 album_owner_col=True, version="2.5.6", kysely=True, media_location="/usr/src/app/upload",
                 prefix="/usr/src/app/upload", source_type=True),
    "v3.1": dict(plural=False, asset_files=True, status=True, face_deleted=True, visibility=True,
                 old_joins=False, sidecar_col=False, is_edited=True, encoded_col=False, checksum_alg=True,
                 album_owner_col=False, version="3.1.0", kysely=True, media_location="/data", prefix="/data",
                 source_type=True),
}

PLURAL = {"asset": "assets", "asset_file": "asset_files", "asset_exif": "exif", "asset_face": "asset_faces",
          "stack": "asset_stack", "album": "albums", "album_asset": "albums_assets_assets",
          "album_user": "albums_shared_users_users", "library": "libraries", "user": "users", "tag": "tags",
          "memory": "memories", "memory_asset": "memories_assets_assets", "shared_link": "shared_links",
          "shared_link_asset": "shared_link__asset"}

# The logical data set. Asset fields: n, owner, library, type, external, deleted, offline, archived,
# favorite, status, hidden (motion part), exif (None = no exif row: description, lat, lon, size),
# created, file name.
ASSETS = [
    (1, U1, None, "IMAGE", False, False, False, False, True, "active", False, ("Beach", 52.1, 4.3, 2048), "2024-05-01 10:00:00+00", "IMG_0001.jpg"),
    (2, U1, None, "IMAGE", False, False, False, True, False, "active", False, ("", 10.0, None, 1024), "2024-05-01 10:01:00+00", "IMG_0002.jpg"),
    (3, U1, None, "VIDEO", False, False, False, False, False, "active", False, ("", None, None, 4096), "2024-05-01 10:02:00+00", "MOV_0003.mp4"),
    (4, U1, None, "IMAGE", False, True, False, False, False, "trashed", False, ("", None, None, 512), "2024-05-01 10:03:00+00", "IMG_0004.jpg"),
    (5, U1, L1, "IMAGE", True, False, False, False, False, "active", False, ("", None, None, 700), "2024-05-02 09:00:00+00", "img5.jpg"),
    (6, U1, L1, "IMAGE", True, True, True, False, False, "active", False, ("", None, None, 800), "2024-05-02 09:01:00+00", "img6.jpg"),
    (7, U1, L1, "VIDEO", False, False, False, False, False, "active", True, ("", None, None, 300), "2024-05-02 09:02:00+00", "img5-MP.mp4"),
    (8, U2, None, "IMAGE", False, False, False, False, True, "active", False, ("Cat", -33.9, 18.4, 900), "2024-05-03 08:00:00+00", "cat.jpg"),
    (9, U2, None, "IMAGE", False, False, False, False, False, "active", False, None, "2024-05-03 08:01:00+00", "dog.jpg"),
    (10, U2, L2, "IMAGE", True, True, False, False, False, "trashed", False, ("", None, None, 100), "2024-06-01 10:10:00.123456+00", "old.jpg"),
]

def q(value):
    if value is None: return "NULL"
    if value is True: return "true"
    if value is False: return "false"
    if isinstance(value, (int, float)): return repr(value)
    return "'" + str(value).replace("'", "''") + "'"

def generate(release, g):
    def t(name):
        n = PLURAL.get(name, name) if g["plural"] else name
        return '"user"' if n == "user" else n
    def jc(table, col):
        if not g["old_joins"]: return col
        return {"album_asset": {"albumId": "albumsId", "assetId": "assetsId"},
                "album_user": {"albumId": "albumsId", "userId": "usersId"},
                "memory_asset": {"assetId": "assetsId"},
                "shared_link_asset": {"assetId": "assetsId", "sharedLinkId": "sharedLinksId"},
                "tag_asset": {"assetId": "assetsId", "tagId": "tagsId"}}[table].get(col, col)
    pre = g["prefix"]
    def media(folder, *rest): return "/".join([pre, folder] + list(rest))
    out = []
    w = out.append
    w(f"-- Immich {release} fixture for immich-audit's tests (generated by Tests/Fixtures/generate.py).")
    w("-- Hand-written schema of that release's tables as an auditor reads them, and a known data set.")
    w("SET client_min_messages = warning;")
    if g["status"]: w("CREATE TYPE assets_status_enum AS ENUM ('active', 'trashed', 'deleted');")
    if g["visibility"]: w("CREATE TYPE asset_visibility_enum AS ENUM ('archive', 'timeline', 'hidden', 'locked');")
    if g["checksum_alg"]: w("CREATE TYPE asset_checksum_algorithm_enum AS ENUM ('sha1', 'sha1-path');")
    if g["source_type"]: w("CREATE TYPE sourcetype AS ENUM ('machine-learning', 'exif', 'manual');")
    if not g["album_owner_col"]: w("CREATE TYPE album_user_role_enum AS ENUM ('owner', 'editor', 'viewer');")
    # bookkeeping
    if g["plural"] or release in ("v1.106", "v1.123"):
        w('CREATE TABLE migrations (id serial PRIMARY KEY, "timestamp" bigint NOT NULL, name varchar NOT NULL);')
        last = {"v1.106": ("1716312279245", "UserMetadata1716312279245"), "v1.123": ("1733339482860", "RenameMachineLearningUrlToUrls1733339482860")}[release]
        w(f"INSERT INTO migrations (\"timestamp\", name) VALUES ({last[0]}, '{last[1]}');")
    if g["kysely"]:
        w('CREATE TABLE kysely_migrations (name varchar(255) PRIMARY KEY, "timestamp" varchar(255) NOT NULL);')
        w('CREATE TABLE kysely_migrations_lock (id varchar(255) PRIMARY KEY, is_locked integer NOT NULL DEFAULT 0);')
        last = {"v2.5": "1769441657564-AddIsProgressiveColumn", "v3.1": "1784836013770-MinFacePreferenceMigration"}[release]
        w(f"INSERT INTO kysely_migrations VALUES ('1744910873969-InitialMigration', '2025-04-23T00:00:00.000Z'), ('{last}', '2026-07-27T00:00:00.000Z');")
    w('CREATE TABLE system_metadata (key varchar PRIMARY KEY, value jsonb NOT NULL);')
    if g["media_location"]:
        w(f"INSERT INTO system_metadata VALUES ('MediaLocation', '{{\"location\": \"{g['media_location']}\"}}');")
    w("INSERT INTO system_metadata VALUES ('system-flags', '{\"mountChecks\": {\"upload\": true, \"library\": true, \"thumbs\": true, \"encoded-video\": true, \"profile\": true, \"backups\": true}}');")
    if g["version"]:
        w('CREATE TABLE version_history (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "createdAt" timestamptz NOT NULL DEFAULT now(), version varchar NOT NULL);')
        older = {"1.123.0": "1.122.3", "2.5.6": "2.4.1", "3.1.0": "3.0.3"}[g["version"]]
        w(f"INSERT INTO version_history (\"createdAt\", version) VALUES ('2024-01-01 00:00:00+00', '{older}'), ('2024-07-01 00:00:00+00', '{g['version']}');")
    # users
    w(f"""CREATE TABLE {t('user')} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), email varchar NOT NULL UNIQUE, password varchar NOT NULL DEFAULT '',
  name varchar NOT NULL DEFAULT '', "isAdmin" boolean NOT NULL DEFAULT false, "storageLabel" varchar UNIQUE,
  "profileImagePath" varchar NOT NULL DEFAULT '', "shouldChangePassword" boolean NOT NULL DEFAULT true,
  "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now(),
  "deletedAt" timestamptz, "oauthId" varchar NOT NULL DEFAULT '', status varchar NOT NULL DEFAULT 'active',
  "quotaSizeInBytes" bigint, "quotaUsageInBytes" bigint NOT NULL DEFAULT 0);""")
    w(f"INSERT INTO {t('user')} (id, email, name, \"isAdmin\", \"storageLabel\", \"profileImagePath\", \"deletedAt\") VALUES")
    w(f"  ('{U1}', 'admin@example.com', 'Admin', true, 'admin', '{media('profile', U1, 'avatar-1.jpg')}', NULL),")
    w(f"  ('{U2}', 'bob@example.com', 'Bob', false, NULL, '', NULL),")
    w(f"  ('{U3}', 'gone@example.com', 'Gone', false, NULL, '', '2024-04-01 00:00:00+00');")
    # libraries
    w(f"""CREATE TABLE {t('library')} (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), name varchar NOT NULL, "ownerId" uuid NOT NULL REFERENCES {t('user')}(id) ON DELETE CASCADE,
  "importPaths" text[] NOT NULL, "exclusionPatterns" text[] NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now(),
  "updatedAt" timestamptz NOT NULL DEFAULT now(), "deletedAt" timestamptz, "refreshedAt" timestamptz);""")
    w(f"INSERT INTO {t('library')} (id, name, \"ownerId\", \"importPaths\", \"exclusionPatterns\", \"deletedAt\") VALUES")
    w(f"  ('{L1}', 'NAS Photos', '{U1}', ARRAY['/mnt/nas/photos', '/mnt/nas/more photos'], ARRAY['**/@eaDir/**', '**/._*'], NULL),")
    w(f"  ('{L2}', 'Old archive', '{U2}', ARRAY['/mnt/archive'], ARRAY[]::text[], '2024-06-02 00:00:00+00');")
    # stacks (created before assets reference them)
    stack_cols = '"primaryAssetId" uuid NOT NULL, "ownerId" uuid NOT NULL'
    w(f"CREATE TABLE {t('stack')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), {stack_cols});")
    # assets
    cols = ['id uuid PRIMARY KEY DEFAULT gen_random_uuid()',
            f'"ownerId" uuid NOT NULL REFERENCES {t("user")}(id) ON DELETE CASCADE',
            f'"libraryId" uuid REFERENCES {t("library")}(id) ON DELETE CASCADE']
    if release != "v3.1": cols += ['"deviceAssetId" varchar NOT NULL DEFAULT \'\'', '"deviceId" varchar NOT NULL DEFAULT \'\'']
    cols += ['type varchar NOT NULL', '"originalPath" varchar NOT NULL']
    if not g["asset_files"]: cols += ['"previewPath" varchar', '"thumbnailPath" varchar DEFAULT \'\'']
    cols += ['"fileCreatedAt" timestamptz NOT NULL', '"fileModifiedAt" timestamptz NOT NULL', '"localDateTime" timestamptz NOT NULL',
             '"isFavorite" boolean NOT NULL DEFAULT false', '"createdAt" timestamptz NOT NULL DEFAULT now()',
             '"updatedAt" timestamptz NOT NULL DEFAULT now()']
    if g["encoded_col"]: cols.append('"encodedVideoPath" varchar DEFAULT \'\'')
    cols += ['checksum bytea NOT NULL']
    if g["checksum_alg"]: cols.append('"checksumAlgorithm" asset_checksum_algorithm_enum NOT NULL')
    if g["visibility"]: cols.append("visibility asset_visibility_enum NOT NULL DEFAULT 'timeline'")
    else: cols += ['"isVisible" boolean NOT NULL DEFAULT true', '"isArchived" boolean NOT NULL DEFAULT false']
    cols += ['"livePhotoVideoId" uuid', '"originalFileName" varchar NOT NULL']
    if g["sidecar_col"]: cols.append('"sidecarPath" varchar')
    cols += ['"isExternal" boolean NOT NULL DEFAULT false', '"isOffline" boolean NOT NULL DEFAULT false',
             '"deletedAt" timestamptz', f'"stackId" uuid REFERENCES {t("stack")}(id) ON DELETE SET NULL', '"duplicateId" uuid',
             'thumbhash bytea']
    if g["status"]: cols.append("status assets_status_enum NOT NULL DEFAULT 'active'")
    if g["is_edited"]: cols += ['width integer', 'height integer', '"isEdited" boolean NOT NULL DEFAULT false']
    w(f"CREATE TABLE {t('asset')} (\n  " + ",\n  ".join(cols) + ");")
    for (n, owner, lib, typ, ext, deleted, offline, archived, fav, status, hidden, exif, created, fname) in ASSETS:
        aid = A(n)
        if ext:
            base = "/mnt/nas/photos/2024" if lib == L1 else "/mnt/archive"
            path = f"{base}/{fname}"
        elif n == 7:
            path = media("encoded-video", owner, "a0", "00", f"{aid}-MP.mp4")
        else:
            path = media("upload", owner, aid[0:2], aid[2:4], f"{aid}.{fname.rsplit('.', 1)[1]}")
        row = {"id": aid, '"ownerId"': owner, '"libraryId"': lib, "type": typ, '"originalPath"': path,
               '"fileCreatedAt"': created, '"fileModifiedAt"': created, '"localDateTime"': created,
               '"isFavorite"': fav, '"createdAt"': created, '"originalFileName"': fname,
               '"isExternal"': ext, '"isOffline"': offline,
               '"deletedAt"': ("2024-06-05 00:00:00+00" if deleted else None)}
        # External: sha1("path:" + path); uploads: SHA-1 of the content (here a stand-in string).
        digest = hashlib.sha1((("path:" + path) if ext else ("content-" + aid)).encode()).hexdigest()
        row["checksum"] = "'\\x%s'::bytea" % digest
        if g["checksum_alg"]: row['"checksumAlgorithm"'] = "sha1-path" if ext else "sha1"
        if g["visibility"]: row["visibility"] = "hidden" if hidden else ("archive" if archived else "timeline")
        else: row['"isVisible"'] = not hidden; row['"isArchived"'] = archived
        if g["status"]: row["status"] = status
        if not g["asset_files"] and not ext:
            row['"previewPath"'] = media("thumbs", owner, aid[0:2], aid[2:4], f"{aid}-preview.jpeg")
            row['"thumbnailPath"'] = media("thumbs", owner, aid[0:2], aid[2:4], f"{aid}-thumbnail.webp")
        if g["sidecar_col"] and n in (1, 5):
            row['"sidecarPath"'] = (path + ".xmp")
        if g["encoded_col"] and typ == "VIDEO" and n == 3:
            row['"encodedVideoPath"'] = media("encoded-video", owner, aid[0:2], aid[2:4], f"{aid}.mp4")
        if release != "v3.1" and not ext: row['"deviceId"'] = "phone"; row['"deviceAssetId"'] = fname
        if release != "v3.1" and ext: row['"deviceId"'] = "Library Import"; row['"deviceAssetId"'] = fname
        keys = list(row.keys())
        vals = [row[k] if k == "checksum" else q(row[k]) for k in keys]
        w(f"INSERT INTO {t('asset')} ({', '.join(keys)}) VALUES ({', '.join(vals)});")
    w(f"UPDATE {t('asset')} SET \"livePhotoVideoId\" = '{A(7)}' WHERE id = '{A(5)}';")
    w(f"INSERT INTO {t('stack')} (id, \"primaryAssetId\", \"ownerId\") VALUES ('{S1}', '{A(1)}', '{U1}');")
    w(f"UPDATE {t('asset')} SET \"stackId\" = '{S1}' WHERE id IN ('{A(1)}', '{A(2)}');")
    # exif
    w(f"""CREATE TABLE {t('asset_exif')} (
  "assetId" uuid PRIMARY KEY REFERENCES {t('asset')}(id) ON DELETE CASCADE, make varchar, model varchar,
  "exifImageWidth" integer, "exifImageHeight" integer, "fileSizeInByte" bigint, orientation varchar,
  "dateTimeOriginal" timestamptz, "modifyDate" timestamptz, latitude double precision, longitude double precision,
  city varchar, state varchar, country varchar, description text NOT NULL DEFAULT '', "timeZone" varchar, rating integer);""")
    for (n, owner, lib, typ, ext, deleted, offline, archived, fav, status, hidden, exif, created, fname) in ASSETS:
        if exif is None: continue
        desc, lat, lon, size = exif
        w(f"INSERT INTO {t('asset_exif')} (\"assetId\", description, latitude, longitude, \"fileSizeInByte\") VALUES ('{A(n)}', {q(desc)}, {q(lat)}, {q(lon)}, {size});")
    # asset files
    if g["asset_files"]:
        fcols = ['id uuid PRIMARY KEY DEFAULT gen_random_uuid()', f'"assetId" uuid NOT NULL REFERENCES {t("asset")}(id) ON DELETE CASCADE',
                 '"createdAt" timestamptz NOT NULL DEFAULT now()', '"updatedAt" timestamptz NOT NULL DEFAULT now()',
                 'type varchar NOT NULL', 'path varchar NOT NULL']
        if g["is_edited"]: fcols += ['"isEdited" boolean NOT NULL DEFAULT false', '"isProgressive" boolean NOT NULL DEFAULT false']
        w(f"CREATE TABLE {t('asset_file')} (\n  " + ",\n  ".join(fcols) + ");")
        for (n, owner, lib, typ, ext, deleted, offline, archived, fav, status, hidden, exif, created, fname) in ASSETS:
            if n in (9, 10): continue  # no derivatives generated yet
            aid = A(n)
            sep = "_" if release in ("v2.5", "v3.1") else "-"
            for kind, ext2 in (("preview", "jpeg"), ("thumbnail", "webp")):
                w(f"INSERT INTO {t('asset_file')} (\"assetId\", type, path) VALUES ('{aid}', '{kind}', {q(media('thumbs', owner, aid[0:2], aid[2:4], f'{aid}{sep}{kind}.{ext2}'))});")
        if not g["sidecar_col"]:
            for n in (1, 5):
                src = [a for a in ASSETS if a[0] == n][0]
                path = ("/mnt/nas/photos/2024/" + src[13]) if src[4] else media("upload", src[1], A(n)[0:2], A(n)[2:4], f"{A(n)}.jpg")
                w(f"INSERT INTO {t('asset_file')} (\"assetId\", type, path) VALUES ('{A(n)}', 'sidecar', {q(path + '.xmp')});")
        if not g["encoded_col"]:
            w(f"INSERT INTO {t('asset_file')} (\"assetId\", type, path) VALUES ('{A(3)}', 'encoded_video', {q(media('encoded-video', U1, 'a0', '00', A(3) + '.mp4'))});")
        if g["is_edited"]:
            w(f"INSERT INTO {t('asset_file')} (\"assetId\", type, path, \"isEdited\") VALUES ('{A(1)}', 'preview', {q(media('thumbs', U1, 'a0', '00', A(1) + '_preview_edited.jpeg'))}, true);")
    # albums
    acols = ['id uuid PRIMARY KEY DEFAULT gen_random_uuid()']
    if g["album_owner_col"]: acols.append(f'"ownerId" uuid NOT NULL REFERENCES {t("user")}(id) ON DELETE CASCADE')
    acols += ['"albumName" varchar NOT NULL DEFAULT \'Untitled Album\'', 'description text NOT NULL DEFAULT \'\'',
              '"createdAt" timestamptz NOT NULL DEFAULT now()', '"updatedAt" timestamptz NOT NULL DEFAULT now()',
              f'"albumThumbnailAssetId" uuid REFERENCES {t("asset")}(id) ON DELETE SET NULL', '"deletedAt" timestamptz',
              '"isActivityEnabled" boolean NOT NULL DEFAULT true', "\"order\" varchar NOT NULL DEFAULT 'desc'"]
    w(f"CREATE TABLE {t('album')} (\n  " + ",\n  ".join(acols) + ");")
    albums = [(1, U1, "Holidays", None), (2, U1, "Private", None), (3, U2, "Deleted album", "2024-06-03 00:00:00+00")]
    for n, owner, name, deleted in albums:
        if g["album_owner_col"]:
            w(f"INSERT INTO {t('album')} (id, \"ownerId\", \"albumName\", \"deletedAt\") VALUES ('{AL(n)}', '{owner}', {q(name)}, {q(deleted)});")
        else:
            w(f"INSERT INTO {t('album')} (id, \"albumName\", \"deletedAt\") VALUES ('{AL(n)}', {q(name)}, {q(deleted)});")
    w(f"CREATE TABLE {t('album_asset')} (\"{jc('album_asset','albumId')}\" uuid NOT NULL REFERENCES {t('album')}(id) ON DELETE CASCADE, \"{jc('album_asset','assetId')}\" uuid NOT NULL REFERENCES {t('asset')}(id) ON DELETE CASCADE, \"createdAt\" timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (\"{jc('album_asset','albumId')}\", \"{jc('album_asset','assetId')}\"));")
    for al, a in ((1, 1), (1, 2), (1, 3), (2, 1), (3, 8)):
        w(f"INSERT INTO {t('album_asset')} VALUES ('{AL(al)}', '{A(a)}');")
    role_type = "album_user_role_enum" if not g["album_owner_col"] else "varchar"
    w(f"CREATE TABLE {t('album_user')} (\"{jc('album_user','albumId')}\" uuid NOT NULL REFERENCES {t('album')}(id) ON DELETE CASCADE, \"{jc('album_user','userId')}\" uuid NOT NULL REFERENCES {t('user')}(id) ON DELETE CASCADE, role {role_type} NOT NULL DEFAULT 'editor', PRIMARY KEY (\"{jc('album_user','albumId')}\", \"{jc('album_user','userId')}\"));")
    members = [(1, U2, "editor"), (3, U1, "viewer")]
    if not g["album_owner_col"]:
        members += [(1, U1, "owner"), (2, U1, "owner"), (3, U2, "owner")]
    for al, user, role in members:
        w(f"INSERT INTO {t('album_user')} VALUES ('{AL(al)}', '{user}', '{role}');")
    # people and faces
    w(f"""CREATE TABLE person (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "createdAt" timestamptz NOT NULL DEFAULT now(), "updatedAt" timestamptz NOT NULL DEFAULT now(),
  "ownerId" uuid NOT NULL REFERENCES {t('user')}(id) ON DELETE CASCADE, name varchar NOT NULL DEFAULT '',
  "thumbnailPath" varchar NOT NULL DEFAULT '', "isHidden" boolean NOT NULL DEFAULT false, "birthDate" date, "faceAssetId" uuid);""")
    for n, owner, name, hidden, thumb in ((1, U1, "Alice", False, True), (2, U1, "", True, True), (3, U2, "Bob", False, False)):
        path = media("thumbs", owner, P(n)[0:2], P(n)[2:4], f"{P(n)}.jpeg") if thumb else ""
        w(f"INSERT INTO person (id, \"ownerId\", name, \"isHidden\", \"thumbnailPath\") VALUES ('{P(n)}', '{owner}', {q(name)}, {q(hidden)}, {q(path)});")
    fcols = ['id uuid PRIMARY KEY DEFAULT gen_random_uuid()', f'"assetId" uuid NOT NULL REFERENCES {t("asset")}(id) ON DELETE CASCADE',
             '"personId" uuid REFERENCES person(id) ON DELETE SET NULL', '"imageWidth" integer NOT NULL DEFAULT 0',
             '"imageHeight" integer NOT NULL DEFAULT 0', '"boundingBoxX1" integer NOT NULL DEFAULT 0',
             '"boundingBoxY1" integer NOT NULL DEFAULT 0', '"boundingBoxX2" integer NOT NULL DEFAULT 0', '"boundingBoxY2" integer NOT NULL DEFAULT 0']
    if g["source_type"]: fcols.append("\"sourceType\" sourcetype NOT NULL DEFAULT 'machine-learning'")
    if g["face_deleted"]: fcols += ['"deletedAt" timestamptz', '"isVisible" boolean NOT NULL DEFAULT true']
    w(f"CREATE TABLE {t('asset_face')} (\n  " + ",\n  ".join(fcols) + ");")
    faces = [(1, 1, P(1), None), (2, 2, P(1), None), (3, 1, None, None), (4, 8, P(3), None), (5, 3, P(2), "2024-06-04 00:00:00+00")]
    for n, a, person, deleted in faces:
        if g["face_deleted"]:
            # Face 6 is invisible but not deleted: isVisible is ignored by the count.
            w(f"INSERT INTO {t('asset_face')} (id, \"assetId\", \"personId\", \"deletedAt\") VALUES ('{F(n)}', '{A(a)}', {q(person)}, {q(deleted)});")
        else:
            w(f"INSERT INTO {t('asset_face')} (id, \"assetId\", \"personId\") VALUES ('{F(n)}', '{A(a)}', {q(person)});")
    if g["face_deleted"]:
        w(f"INSERT INTO {t('asset_face')} (id, \"assetId\", \"personId\", \"isVisible\") VALUES ('{F(6)}', '{A(8)}', NULL, false);")
    else:
        w(f"INSERT INTO {t('asset_face')} (id, \"assetId\", \"personId\") VALUES ('{F(6)}', '{A(8)}', NULL);")
    w(f"UPDATE person SET \"faceAssetId\" = '{F(1)}' WHERE id = '{P(1)}';")
    # tags
    if release == "v1.106":
        w(f"CREATE TABLE {t('tag')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), type varchar NOT NULL, name varchar NOT NULL, \"userId\" uuid NOT NULL, \"renameTagId\" uuid);")
        w(f"INSERT INTO {t('tag')} (id, type, name, \"userId\") VALUES ('{T(1)}', 'CUSTOM', 'Family', '{U1}'), ('{T(2)}', 'CUSTOM', 'Trips', '{U1}');")
    else:
        w(f"CREATE TABLE {t('tag')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), \"userId\" uuid NOT NULL, value varchar NOT NULL, color varchar, \"parentId\" uuid, \"createdAt\" timestamptz NOT NULL DEFAULT now(), \"updatedAt\" timestamptz NOT NULL DEFAULT now());")
        w(f"INSERT INTO {t('tag')} (id, \"userId\", value) VALUES ('{T(1)}', '{U1}', 'Family'), ('{T(2)}', '{U1}', 'Family/Trips');")
    w(f"CREATE TABLE tag_asset (\"{jc('tag_asset','assetId')}\" uuid NOT NULL, \"{jc('tag_asset','tagId')}\" uuid NOT NULL, PRIMARY KEY (\"{jc('tag_asset','assetId')}\", \"{jc('tag_asset','tagId')}\"));")
    w(f"INSERT INTO tag_asset VALUES ('{A(1)}', '{T(1)}'), ('{A(2)}', '{T(1)}'), ('{A(1)}', '{T(2)}');")
    # memories
    w(f"CREATE TABLE {t('memory')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), \"createdAt\" timestamptz NOT NULL DEFAULT now(), \"updatedAt\" timestamptz NOT NULL DEFAULT now(), \"deletedAt\" timestamptz, \"ownerId\" uuid NOT NULL, type varchar NOT NULL, data jsonb NOT NULL, \"isSaved\" boolean NOT NULL DEFAULT false, \"memoryAt\" timestamptz NOT NULL, \"seenAt\" timestamptz);")
    w(f"INSERT INTO {t('memory')} (id, \"ownerId\", type, data, \"memoryAt\", \"deletedAt\") VALUES ('{M1}', '{U1}', 'on_this_day', '{{\"year\": 2023}}', '2024-05-01 00:00:00+00', '2024-06-01 00:00:00+00');")
    w(f"CREATE TABLE {t('memory_asset')} (\"memoriesId\" uuid NOT NULL, \"{jc('memory_asset','assetId')}\" uuid NOT NULL, PRIMARY KEY (\"memoriesId\", \"{jc('memory_asset','assetId')}\"));")
    w(f"INSERT INTO {t('memory_asset')} VALUES ('{M1}', '{A(1)}');")
    # shared links
    w(f"CREATE TABLE {t('shared_link')} (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), description varchar, \"userId\" uuid NOT NULL, key bytea NOT NULL UNIQUE, type varchar NOT NULL, \"createdAt\" timestamptz NOT NULL DEFAULT now(), \"expiresAt\" timestamptz, \"allowUpload\" boolean NOT NULL DEFAULT false, \"albumId\" uuid, \"allowDownload\" boolean NOT NULL DEFAULT true, \"showExif\" boolean NOT NULL DEFAULT true, password varchar);")
    w(f"INSERT INTO {t('shared_link')} (id, \"userId\", key, type, \"albumId\") VALUES ('{SL(1)}', '{U1}', '\\x01', 'ALBUM', '{AL(2)}'), ('{SL(2)}', '{U2}', '\\x02', 'INDIVIDUAL', NULL);")
    w(f"CREATE TABLE {t('shared_link_asset')} (\"{jc('shared_link_asset','assetId')}\" uuid NOT NULL, \"{jc('shared_link_asset','sharedLinkId')}\" uuid NOT NULL, PRIMARY KEY (\"{jc('shared_link_asset','assetId')}\", \"{jc('shared_link_asset','sharedLinkId')}\"));")
    w(f"INSERT INTO {t('shared_link_asset')} VALUES ('{A(8)}', '{SL(2)}');")
    # leftovers an auditor ignores
    w('CREATE TABLE move_history (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), "entityId" uuid NOT NULL, "pathType" varchar NOT NULL, "oldPath" varchar NOT NULL, "newPath" varchar NOT NULL);')
    if release == "v3.1":
        w('CREATE TABLE integrity_report (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), type varchar NOT NULL, path varchar NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now(), "assetId" uuid, "fileAssetId" uuid);')
    return "\n".join(out) + "\n"

if __name__ == "__main__":
    for release, features in GENERATIONS.items():
        with open(os.path.join(HERE, f"immich-{release}.sql"), "w") as f:
            f.write(generate(release, features))
    # The bundled sample (README's first command) is the newest generation's data set.
    sample = generate("v3.1", GENERATIONS["v3.1"]).replace(
        "-- Immich v3.1 fixture for immich-audit's tests (generated by Tests/Fixtures/generate.py).",
        "-- A small Immich v3.1 database for trying immich-audit (generated by Tests/Fixtures/generate.py).", 1)
    with open(os.path.join(HERE, "..", "..", "samples", "immich-sample.sql"), "w") as f:
        f.write(sample)
    print("wrote", ", ".join(f"immich-{r}.sql" for r in GENERATIONS), "and samples/immich-sample.sql")
