package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.ByteString;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.tollgate.api.TrustedProxies;
import dev.tollgate.proto.parca.profilestore.v1alpha1.Label;
import dev.tollgate.proto.parca.profilestore.v1alpha1.LabelSet;
import dev.tollgate.proto.parca.profilestore.v1alpha1.ProfileStoreServiceGrpc;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawProfileSeries;
import dev.tollgate.proto.parca.profilestore.v1alpha1.RawSample;
import dev.tollgate.proto.parca.profilestore.v1alpha1.WriteRawRequest;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.TestServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Agents behind a load balancer: a gRPC call's client address (shown with the project's refusals)
 * comes from {@code X-Forwarded-For} exactly when the peer is a trusted proxy, as on REST - the
 * right-most address that is not a trusted proxy - and is the peer's own address otherwise.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class GrpcClientAddressTest {
  @Parameter Backend backend;
  @TempDir Path dir;

  static final String FORWARDED = "198.51.100.9, 203.0.113.7";

  @Test
  void behindATrustedProxy_theForwardedClientIsRecorded() throws Exception {
    try (TestServer server = TestServer.start(backend, dir,
        c -> c.withTrustedProxies(TrustedProxies.parse(List.of("127.0.0.1", "::1"))))) {
      assertThat(refusedCallAddress(server)).isEqualTo("203.0.113.7");
    }
  }

  @Test
  void fromAnUntrustedPeer_theHeaderIsIgnored() throws Exception {
    try (TestServer server = TestServer.start(backend, dir)) {
      assertThat(refusedCallAddress(server)).isIn("127.0.0.1", "::1");
    }
  }

  /** One authorized WriteRaw refused for its data, sent with {@link #FORWARDED}; the address listed with the refusal. */
  private static String refusedCallAddress(TestServer server) {
    String project = server.defaultProjectId();
    String writer = server.mintToken("agent", "system:writer", project);
    var stub = GrpcClients.builder(server.url())
        .addHeader("authorization", "Bearer " + writer)
        .addHeader("projectid", project)
        .addHeader("x-forwarded-for", FORWARDED)
        .build(ProfileStoreServiceGrpc.ProfileStoreServiceBlockingStub.class);
    WriteRawRequest notAProfile = WriteRawRequest.newBuilder().addSeries(RawProfileSeries.newBuilder()
        .setLabels(LabelSet.newBuilder().addLabels(Label.newBuilder().setName("__name__").setValue("memory")))
        .addSamples(RawSample.newBuilder().setRawProfile(ByteString.copyFromUtf8("not a profile")))).build();
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, () -> stub.writeRaw(notAProfile));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);

    JsonNode refusals = server.owner().get("/v1/projects/" + project + "/ingest/stats").body().get("refusals");
    assertThat(refusals).hasSize(1);
    assertThat(refusals.get(0).get("status").asText()).isEqualTo("INVALID_ARGUMENT");
    return refusals.get(0).get("clientIp").asText();
  }
}
