package dev.tollgate.ingest;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;

/** Runs a unary call's work off the event loop and answers it: the result, or the error's status. */
final class UnaryCalls {
  private UnaryCalls() {}

  static <R> void answerOn(Executor work, StreamObserver<R> response, Callable<R> call) {
    work.execute(() -> {
      R result;
      try {
        result = call.call();
      } catch (Throwable t) {
        response.onError(GrpcErrors.toStatus(t));
        return;
      }
      response.onNext(result);
      response.onCompleted();
    });
  }
}
