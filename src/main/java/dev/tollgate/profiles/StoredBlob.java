package dev.tollgate.profiles;

/** Stored bytes, exactly as received, and what they are. */
public record StoredBlob(BlobKind kind, byte[] bytes) {}
