package dev.tollgate.ingest;

import dev.tollgate.debuginfo.DebuginfoException;
import dev.tollgate.profiles.StorageFailedException;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place where domain exceptions of the data plane become gRPC statuses. */
final class GrpcErrors {
  private static final Logger log = LoggerFactory.getLogger(GrpcErrors.class);

  private GrpcErrors() {}

  static StatusException toStatus(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    Status s = switch (t) {
      case InvalidProfileException e -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
      // The server's own limits: RESOURCE_EXHAUSTED, which Parca clients retry with backoff.
      case ServerCapacityException e -> Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage());
      case org.apache.arrow.memory.OutOfMemoryException e ->
          Status.RESOURCE_EXHAUSTED.withDescription("the server has no memory left to decode this call; retry");
      case OutOfMemoryError e -> {
        log.error("ingestion call ran out of heap; answering RESOURCE_EXHAUSTED so the client retries", e);
        yield Status.RESOURCE_EXHAUSTED.withDescription("the server is out of memory; retry");
      }
      case org.jdbi.v3.core.JdbiException e -> {
        log.error("ingestion call failed on the database", e);
        yield Status.UNAVAILABLE.withDescription("the database is unavailable; retry");
      }
      case DebuginfoException e -> switch (e.reason()) {
        case INVALID -> Status.INVALID_ARGUMENT.withDescription(e.getMessage());
        case NOT_FOUND -> Status.NOT_FOUND.withDescription(e.getMessage());
        case ALREADY_EXISTS -> Status.ALREADY_EXISTS.withDescription(e.getMessage());
        case PRECONDITION -> Status.FAILED_PRECONDITION.withDescription(e.getMessage());
      };
      case StatusRuntimeException e -> e.getStatus();
      case StatusException e -> e.getStatus();
      case RejectedExecutionException e -> Status.UNAVAILABLE.withDescription("server is shutting down");
      case java.io.UncheckedIOException e -> {
        log.error("ingestion call failed on storage", e);
        yield Status.UNAVAILABLE.withDescription("storage failed on the server; retry");
      }
      case dev.tollgate.objectstore.ObjectStoreException e -> {
        log.warn("ingestion call failed on object storage: {}", e.getMessage());
        yield Status.UNAVAILABLE.withDescription("object storage is unavailable; retry");
      }
      case StorageFailedException e -> {
        log.error("storing an ingestion call failed", e);
        // UNAVAILABLE: the batch was rolled back, so the client's retry loses and duplicates nothing.
        yield Status.UNAVAILABLE.withDescription("profiles could not be stored durably; nothing was kept, retry");
      }
      default -> {
        log.error("ingestion call failed", t);
        yield Status.INTERNAL.withDescription("internal error");
      }
    };
    return s.asException();
  }
}
