#!/usr/bin/env bash
# Builds the file tree of the sample Immich (samples/immich-sample.sql) as a restore drill
# might find it, with a few planted faults, under DIR:
#   DIR/media          the media location (/data in the container, UPLOAD_LOCATION on the host)
#   DIR/nas/photos     the "NAS Photos" external library (/mnt/nas/photos in the container)
#   DIR/archive        the deleted "Old archive" library's folder (/mnt/archive)
# Planted faults (what `immich-audit check` must report):
#   - IMG_0002.jpg was not restored                      -> missing-original (exit 1)
#   - cat.jpg came back truncated (450 of 900 bytes)     -> size-mismatch
#   - img5.jpg was moved into 2024/summer/ on the NAS    -> missing-original, unindexed-original, likely-moved
#   - IMG_9001.JPG is new on the NAS since the backup    -> unindexed-original
#   - one thumbnail was not restored                     -> missing-derivative
#   - a thumbnail of a long-deleted asset remains        -> orphaned-derivative
#   - the two newest uploads (after the file backup)     -> missing-original, restore-skew
#   - Bob's photo 9 under two spellings of one name      -> path-alias
#   - img14.jpg's folder is no import path of its library -> will-go-offline
#   - encoded-video/.immich was not restored             -> boot-blocker (Immich would not start)
#   - the newest database dump in backups/ was cut short -> corrupt-db-dump
# and near misses that must not be reported: Synology's @eaDir thumbnails (excluded by the
# library's patterns), a hidden .DS_Store, a notes.txt, an Immich database dump in backups/.
# Usage: samples/build-tree.sh DIR
set -euo pipefail
dir=${1:?usage: samples/build-tree.sh DIR}
U1=11111111-1111-4111-8111-111111111111
U2=22222222-2222-4222-8222-222222222222
A=a0000000-0000-4000-8000-0000000000

# file PATH SIZE: a file of SIZE bytes (content does not matter at --verify size).
file() {
  mkdir -p "$(dirname "$1")"
  head -c "$2" /dev/zero | tr '\0' 'x' > "$1"
}

m=$dir/media
for folder in upload library thumbs encoded-video profile backups; do
  mkdir -p "$m/$folder"
  [ "$folder" = encoded-video ] || echo 1732500000000 > "$m/$folder/.immich"
done
# Immich's dumps: one whole, and the newest cut short (copied while it was written).
dump_end='--\n-- PostgreSQL database cluster dump complete\n--\n'
printf "SELECT 1;\n$dump_end" | gzip -n > "$m/backups/immich-db-backup-20241123T020000-v3.1.0-pg14.19.sql.gz"
newest_dump="$m/backups/immich-db-backup-20241124T020000-v3.1.0-pg14.19.sql.gz"
for i in $(seq 2000); do echo "INSERT INTO asset VALUES ($i, 'row $i');"; done | gzip -n > "$newest_dump"
truncate -s 2000 "$newest_dump"

# Originals, at the sizes the database records (IMG_0002.jpg missing; cat.jpg truncated).
file "$m/upload/$U1/a0/00/${A}01.jpg" 2048
file "$m/upload/$U1/a0/00/${A}01.jpg.xmp" 10
file "$m/upload/$U1/a0/00/${A}03.mp4" 4096
file "$m/upload/$U1/a0/00/${A}04.jpg" 512
file "$m/encoded-video/$U1/a0/00/${A}07-MP.mp4" 300
file "$m/upload/$U2/a0/00/${A}08.jpg" 450
file "$m/upload/$U2/a0/00/${A}09.jpg" 333
file "$m/upload/$U2/a0/00/A0000000-0000-4000-8000-000000000009.JPG" 333
file "$dir/nas/old-photos/img14.jpg" 800
file "$dir/archive/old.jpg" 100

# The NAS library: img5.jpg moved into summer/ (its sidecar stayed), a new photo, near misses.
file "$dir/nas/photos/2024/summer/img5.jpg" 700
file "$dir/nas/photos/2024/img5.jpg.xmp" 10
file "$dir/nas/photos/2024/IMG_9001.JPG" 1234
file "$dir/nas/photos/2024/@eaDir/img5.jpg/SYNOPHOTO_THUMB_M.jpg" 20
file "$dir/nas/photos/2024/.DS_Store" 20
file "$dir/nas/photos/2024/notes.txt" 20
mkdir -p "$dir/nas/more photos"

# Derivatives: previews and thumbnails (asset 2's thumbnail missing), an edited preview, the
# encoded video, face thumbnails, the profile image, and one orphan.
for n in 01 02 03 04 05 06 07; do
  file "$m/thumbs/$U1/a0/00/${A}${n}_preview.jpeg" 10
  [ "$n" = 02 ] || file "$m/thumbs/$U1/a0/00/${A}${n}_thumbnail.webp" 10
done
file "$m/thumbs/$U2/a0/00/${A}08_preview.jpeg" 10
file "$m/thumbs/$U2/a0/00/${A}08_thumbnail.webp" 10
file "$m/thumbs/$U1/a0/00/${A}01_preview_edited.jpeg" 10
file "$m/encoded-video/$U1/a0/00/${A}03.mp4" 10
file "$m/thumbs/$U1/c0/00/c0000000-0000-4000-8000-000000000001.jpeg" 10
file "$m/thumbs/$U1/c0/00/c0000000-0000-4000-8000-000000000002.jpeg" 10
file "$m/profile/$U1/avatar-1.jpg" 10
file "$m/thumbs/$U1/ff/ff/ffffffff-0000-4000-8000-000000000000_preview.jpeg" 10
