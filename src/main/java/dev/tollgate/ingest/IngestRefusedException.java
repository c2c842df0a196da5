package dev.tollgate.ingest;

import static java.util.Objects.requireNonNull;

import io.grpc.Status;
import java.util.UUID;

/**
 * Thrown by a {@link CallAuthorizer} to refuse a call. The status goes to the client as is, so its
 * description must never contain the token.
 */
public final class IngestRefusedException extends RuntimeException {
  private final transient Status status;
  private final UUID projectId;
  private final String sourceId;
  private final UUID claimedProjectId;

  /**
   * @param status UNAUTHENTICATED, INVALID_ARGUMENT or PERMISSION_DENIED with a description
   * @param projectId the project the call named, when it exists (for per-project refusal stats), or null
   * @param sourceId the token id when the token was recognized, or null
   */
  public IngestRefusedException(Status status, UUID projectId, String sourceId) {
    this(status, projectId, sourceId, null);
  }

  private IngestRefusedException(Status status, UUID projectId, String sourceId, UUID claimedProjectId) {
    super(requireNonNull(status, "status").getCode() + ": " + status.getDescription(), null, false, false);
    if (status.isOk()) {
      throw new IllegalArgumentException("status must not be OK");
    }
    this.status = status;
    this.projectId = projectId;
    this.sourceId = sourceId;
    this.claimedProjectId = claimedProjectId;
  }

  /**
   * A refusal of a caller that did not authenticate (no, malformed or unknown token) whose
   * {@code projectid} header names an existing project: anyone can claim a project, so the refusal
   * is not the project's ({@link #projectId()} is null) and is counted apart, under the claim.
   */
  public static IngestRefusedException unauthenticated(String description, UUID claimedProjectId) {
    return new IngestRefusedException(Status.UNAUTHENTICATED.withDescription(description), null, null,
        claimedProjectId);
  }

  /** The existing project an unauthenticated caller named; null when it authenticated or named none. */
  public UUID claimedProjectId() {
    return claimedProjectId;
  }

  /** A refusal that knows neither project nor source. */
  public IngestRefusedException(Status status) {
    this(status, null, null);
  }

  public Status status() {
    return status;
  }

  /** The project named by the {@code projectid} header when it is a real project; null otherwise. */
  public UUID projectId() {
    return projectId;
  }

  /** The id of the recognized token, or null. */
  public String sourceId() {
    return sourceId;
  }
}
