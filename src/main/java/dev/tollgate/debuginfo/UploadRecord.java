package dev.tollgate.debuginfo;

/** One row of {@code debuginfo_uploads}. */
record UploadRecord(
    String projectId, String buildId, int type, String state, String uploadId, String hash, long size,
    Long uploadedSize, long startedAt, Long finishedAt, String sourceId) {
  static final String UPLOADING = "UPLOADING";
  static final String UPLOADED = "UPLOADED";
}
