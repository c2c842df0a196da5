package dev.tollgate.query;

import io.grpc.StatusRuntimeException;

/** "CODE: description" of a call's refusal, or "OK". */
final class QueryServiceTestCodes {
  private QueryServiceTestCodes() {}

  static String code(Runnable call) {
    try {
      call.run();
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    }
    return "OK";
  }
}
