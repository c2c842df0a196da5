package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteArrowRequest;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.GrpcChannels;
import dev.tollgate.testing.IngestTestServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Refusals caused by the server's own limits are RESOURCE_EXHAUSTED, which parca-agent retries
 * (10 tries, exponential backoff): through the real server, a plain grpc-java client, and the
 * real decode memory of the server (16 MiB here, so one stream may use 8 MiB).
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RetryableRefusalsTest {
  static final long DECODE_MEMORY = 16L << 20;

  @Parameter Backend backend;
  @TempDir Path dir;

  final UUID project = UUID.randomUUID();
  final BufferAllocator fixtures = new RootAllocator();
  IngestTestServer server;
  ManagedChannel channel;

  @BeforeEach
  void start() {
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"),
        IngestSettings.defaults().withDecodeMemoryBytes(DECODE_MEMORY), InstantSource.system());
    channel = GrpcChannels.plaintext(server.port());
  }

  @AfterEach
  void stop() throws Exception {
    GrpcChannels.close(channel);
    server.close();
    fixtures.close();
  }

  Status writeArrow(byte[] ipc) {
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channel)
          .withInterceptors(GrpcChannels.headers("Bearer good-" + project, project.toString()))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .writeArrow(WriteArrowRequest.newBuilder().setIpcBuffer(ByteString.copyFrom(ipc)).build());
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  @Test
  void writeArrow_whileOtherCallsHoldTheDecodeMemory_isResourceExhausted_andTheRetryIsAccepted() {
    byte[] ipc = ArrowFixtures.v2(fixtures);
    // other calls' decoded streams: all of the server's decode memory but 1 MiB
    try (BufferAllocator others = server.ingestion.decodeMemory().newChildAllocator("other calls", 0, DECODE_MEMORY)) {
      ArrowBuf held = others.buffer(DECODE_MEMORY - (1 << 20));
      Status refused = writeArrow(ipc);
      assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(refused.getDescription()).contains("retry");
      held.close();
    }
    // the agent's retry, once the others are done
    assertThat(writeArrow(ipc).getCode()).isEqualTo(Status.Code.OK);
  }

  /**
   * Arrow Java leaves memory allocated when it throws on a malformed stream; were it kept, every
   * such call would shrink the decode memory until good calls were refused. After 400 one-byte
   * changes of an agent's stream sent through the server, nothing of it is allocated.
   */
  @Test
  void malformedArrowStreams_leaveNothingOfTheDecodeMemoryAllocated() {
    byte[] stream = AgentArrowFixtures.v2(fixtures, AgentArrowFixtures.scenario(0x401000, "f00dfeed"));
    java.util.Map<Status.Code, Integer> codes = new java.util.TreeMap<>();
    for (int i = 0; i < 400; i++) {
      byte[] ipc = stream.clone();
      ipc[(int) ((long) i * stream.length / 400)] ^= (byte) 0xFF;
      codes.merge(writeArrow(ipc).getCode(), 1, Integer::sum);
    }
    // RESOURCE_EXHAUSTED: a change that makes a buffer state more than this small server's memory
    // allows one stream (the limit is the memory's here, so it is retryable)
    assertThat(codes.keySet()).as(codes.toString())
        .containsOnly(Status.Code.OK, Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(codes.get(Status.Code.INVALID_ARGUMENT)).isGreaterThan(200);
    assertThat(server.ingestion.decodeMemory().getAllocatedMemory()).isZero();
    assertThat(writeArrow(stream).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void writeArrow_decodingToMoreThanTheServersMemoryAllowsForOneStream_isResourceExhausted_notInvalid() {
    // 2 Mi zero values: a small message that decodes to 16 MiB, twice what one stream may use here
    byte[] big = ArrowFixtures.v2ZerosBomb(fixtures, 2 << 20);
    assertThat(big.length).isLessThan(1 << 20);
    Status refused = writeArrow(big);
    assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getDescription()).contains("memory");
    // and the memory is free again for what fits
    assertThat(writeArrow(ArrowFixtures.v2(fixtures)).getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void writeRaw_decompressingToMoreThanTheHeapAllowsForOneProfile_isResourceExhausted_notInvalid() throws Exception {
    // the heap bounds one profile at an eighth of it (here below the configured 512 MiB): a profile
    // over that is the server's limit, not bad data
    long heapLimit = DecompressionBudget.ofHeap().profileLimit(IngestSettings.defaults().maxDecompressedProfileBytes());
    // true with the tests' -Xmx2g (256 MiB); a JVM of 4 GiB or more has no heap-bound limit to test
    org.junit.jupiter.api.Assumptions.assumeTrue(heapLimit < IngestSettings.defaults().maxDecompressedProfileBytes());
    java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gz)) {
      byte[] zeros = new byte[1 << 20];
      for (long written = 0; written <= heapLimit; written += zeros.length) {
        out.write(zeros);
      }
    }
    Status refused;
    try {
      ProfileStoreServiceGrpc.newBlockingStub(channel)
          .withInterceptors(GrpcChannels.headers("Bearer good-" + project, project.toString()))
          .withDeadlineAfter(60, TimeUnit.SECONDS)
          .writeRaw(ParcaClientsTodayTest.writeRaw(java.util.Map.of("__name__", "big"), gz.toByteArray()));
      refused = Status.OK;
    } catch (StatusRuntimeException e) {
      refused = e.getStatus();
    }
    assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getDescription()).contains("decompresses to more than " + heapLimit).contains("heap");
  }
}
