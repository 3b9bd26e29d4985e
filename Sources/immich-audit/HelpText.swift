/// Pieces of `--help` that every command shares. Lines stay under 80 columns: ArgumentParser
/// wraps longer ones at the terminal's width and breaks the table.
enum HelpText {
  static let exitCodes = """
    Exit codes:
      0    clean
      1    findings over a failing threshold (compare: a count decreased)
      2    could not audit: connection, authentication, unsupported schema,
           database error, unreadable input, an output that cannot be written
      3    a root holding originals is offline or mis-mapped
      64   usage error (unknown option, malformed argument or connection string)
      130  interrupted (Ctrl-C; 143 for SIGTERM)
    """

  static let checkExamples = """
    Examples:
      immich-audit check --immich-env /opt/immich/.env \\
          --compose /opt/immich/docker-compose.yml
      immich-audit check --db 'host=127.0.0.1 dbname=immich user=immich_audit' \\
          --media-root /srv/restore/library --map /mnt/nas=/volume1/photos
      immich-audit check ... --report junit:junit.xml \\
          --report markdown:"$GITHUB_STEP_SUMMARY" --verify sample:1%
    """

  static let explainExamples = """
    Examples:
      immich-audit explain --immich-env /opt/immich/.env \\
          --compose /opt/immich/docker-compose.yml
      immich-audit explain --db postgresql://immich_audit@127.0.0.1/immich --sql
    """

  static let sampleExamples = """
    Examples:
      immich-audit sample -n 20 --format markdown --output spot-check.md
      immich-audit sample --seed 42 --db 'host=127.0.0.1 dbname=immich user=immich_audit' --media-root /srv/immich/library
    """

  static let countsExamples = """
    Examples:
      immich-audit counts --format json --output prod-counts.json
      immich-audit counts --db 'host=127.0.0.1 dbname=immich user=immich_audit'
    """

  static let compareExamples = """
    Examples:
      immich-audit compare prod-counts.json --immich-env /opt/immich/.env
      immich-audit compare --baseline-db 'host=prod.lan dbname=immich' \\
          --db 'host=127.0.0.1 dbname=immich' --tolerance 'assets.*=0.1%'
      immich-audit compare prod-counts.json --current restored.json \\
          --format markdown
    """
}
