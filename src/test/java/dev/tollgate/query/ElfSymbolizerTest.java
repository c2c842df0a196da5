package dev.tollgate.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.google.protobuf.ByteString;
import dev.tollgate.debuginfo.DebuginfoStore;
import dev.tollgate.ingest.AgentArrowFixtures;
import dev.tollgate.ingest.AgentArrowFixtures.Row;
import dev.tollgate.ingest.IngestSettings;
import dev.tollgate.profiles.BlobKind;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.DebuginfoServiceGrpc;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.InitiateUploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.MarkUploadFinishedRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadInfo;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadRequest;
import dev.tollgate.proto.parca.debuginfo.v1alpha1.UploadResponse;
import dev.tollgate.proto.pprof.Profile;
import dev.tollgate.testing.Backend;
import dev.tollgate.testing.Elves;
import dev.tollgate.testing.FakeClock;
import dev.tollgate.testing.GoPprof;
import dev.tollgate.testing.GrpcTestClients;
import dev.tollgate.testing.IngestTestServer;
import dev.tollgate.testing.StreamRecorder;
import dev.tollgate.testing.TestData;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real ELF files from gcc, uploaded through the real DebuginfoService, symbolized by
 * {@link ElfSymbolizer}; what it answers is cross-checked against {@code readelf -sW}.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class ElfSymbolizerTest {
  private static final String SOURCE = """
      #include <stdio.h>
      __attribute__((noinline)) long tollgate_leaf(long n) {
        long s = 0;
        for (long i = 0; i < n; i++) s += i * i;
        return s;
      }
      __attribute__((noinline)) long tollgate_middle(long n) { return tollgate_leaf(n) + 1; }
      int main(int argc, char **argv) { printf("%ld\\n", tollgate_middle(argc)); return 0; }
      """;
  private static Elves.Elf pie;
  private static Elves.Elf noPie;

  @Parameter Backend backend;
  @TempDir Path dir;

  private final UUID project = UUID.randomUUID();
  private final FakeClock clock = new FakeClock(Instant.parse("2025-03-01T10:00:00Z"));
  private final BufferAllocator allocator = new RootAllocator();
  private IngestTestServer server;
  private ElfSymbolizer symbolizer;

  @BeforeAll
  static void compile() throws Exception {
    Path out = TestData.basedir().resolve("target/symbolizer-fixture");
    pie = Elves.compile(out, "app-pie", SOURCE, "-pie", "-fPIE");
    noPie = Elves.compile(out, "app-nopie", SOURCE, "-no-pie", "-fno-pie");
  }

  @BeforeEach
  void start() {
    server = new IngestTestServer(backend.newDatabaseUrl(dir), dir.resolve("data"),
        IngestSettings.defaults().withDebuginfoMaxSize(10_000_000), clock);
    symbolizer = new ElfSymbolizer(new DebuginfoStore(server.db, dir.resolve("data/debuginfo"), clock, 10_000_000),
        1_000_000);
  }

  @AfterEach
  void stop() {
    server.close();
    allocator.close();
  }

  /** Initiate, upload in chunks and mark finished, as an agent does. */
  private void upload(String buildId, byte[] data) throws Exception {
    var blocking = GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        DebuginfoServiceGrpc.DebuginfoServiceBlockingStub.class);
    String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    String uploadId = blocking.initiateUpload(InitiateUploadRequest.newBuilder().setBuildId(buildId).setHash(hash)
        .setSize(data.length).build()).getUploadInstructions().getUploadId();
    StreamRecorder<UploadResponse> answer = new StreamRecorder<>();
    CompletableFuture<UploadResponse> done = answer.first();
    StreamObserver<UploadRequest> req = GrpcTestClients.stub(server.baseUrl(), "good-" + project, project.toString(),
        DebuginfoServiceGrpc.DebuginfoServiceStub.class).upload(answer);
    req.onNext(UploadRequest.newBuilder().setInfo(UploadInfo.newBuilder().setBuildId(buildId).setUploadId(uploadId))
        .build());
    for (int off = 0; off < data.length; off += 8192) {
      req.onNext(UploadRequest.newBuilder().setChunkData(ByteString.copyFrom(data, off,
          Math.min(8192, data.length - off))).build());
    }
    req.onCompleted();
    assertThat(done.join().getSize()).isEqualTo(data.length);
    blocking.markUploadFinished(MarkUploadFinishedRequest.newBuilder().setBuildId(buildId).setUploadId(uploadId)
        .build());
  }

  @Test
  void everyFunctionReadelfLists_isNamedAtItsFirstAndLastByte_andAddressesPastItAreNot() throws Exception {
    upload(pie.buildId(), Files.readAllBytes(pie.path()));

    assertThat(pie.functions()).containsKeys("tollgate_leaf", "tollgate_middle", "main");
    for (Map.Entry<String, long[]> f : pie.functions().entrySet()) {
      long start = f.getValue()[0];
      long size = f.getValue()[1];
      if (size == 0) {
        continue;
      }
      assertThat(symbolizer.symbolize(project, pie.buildId(), start)).as(f.getKey()).isEqualTo(f.getKey());
      assertThat(symbolizer.symbolize(project, pie.buildId(), start + size - 1)).as(f.getKey()).isEqualTo(f.getKey());
      assertThat(symbolizer.symbolize(project, pie.buildId(), start + size)).as(f.getKey()).isNotEqualTo(f.getKey());
    }
    assertThat(symbolizer.symbolize(project, pie.buildId(), 0x10)).isNull(); // the ELF header: no function
    assertThat(symbolizer.symbolize(UUID.randomUUID(), pie.buildId(), pie.functions().get("main")[0]))
        .as("another project's upload").isNull();
  }

  @Test
  void buildIdNotUploadedYet_isUnknown_untilItsUploadFinishes() throws Exception {
    long main = pie.functions().get("main")[0];
    assertThat(symbolizer.symbolize(project, pie.buildId(), main)).isNull();
    upload(pie.buildId(), Files.readAllBytes(pie.path()));
    assertThat(symbolizer.symbolize(project, pie.buildId(), main)).isEqualTo("main");
  }

  @Test
  void processAddressInAMapping_isNormalizedThroughTheLoadSegment_asParcaDoes() throws Exception {
    upload(noPie.buildId(), Files.readAllBytes(noPie.path()));
    // the executable segment, as readelf -lW shows it: file offset and virtual address differ (non-PIE)
    Process readelf = new ProcessBuilder("readelf", "-lW", noPie.path().toString()).redirectErrorStream(true).start();
    String headers = new String(readelf.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    readelf.waitFor();
    Matcher m = Pattern.compile("LOAD\\s+0x([0-9a-f]+)\\s+0x([0-9a-f]+)\\s+\\S+\\s+0x([0-9a-f]+)\\s+\\S+\\s+R E")
        .matcher(headers);
    assertThat(m.find()).as(headers).isTrue();
    long offset = Long.parseLong(m.group(1), 16);
    long vaddr = Long.parseLong(m.group(2), 16);
    long fileSize = Long.parseLong(m.group(3), 16);
    assertThat(vaddr).isNotEqualTo(offset);
    long leaf = noPie.functions().get("tollgate_leaf")[0] + 3;

    // /proc/<pid>/maps of the process: the segment mapped at its page, from its page's file offset
    long mapStart = vaddr & ~0xfffL;
    long mapOffset = offset & ~0xfffL;
    assertThat(symbolizer.symbolize(project, noPie.buildId(), leaf, mapStart, mapStart + fileSize, mapOffset))
        .isEqualTo("tollgate_leaf");
    // an agent that already normalized sends the ELF address with an all-zero mapping
    assertThat(symbolizer.symbolize(project, noPie.buildId(), leaf, 0, 0, 0)).isEqualTo("tollgate_leaf");
    // the interface's default (file offset as the address) would miss here, which is why ElfSymbolizer maps segments
    assertThat(symbolizer.symbolize(project, noPie.buildId(), leaf - mapStart + mapOffset)).isNotEqualTo("tollgate_leaf");
  }

  @Test
  void notElf64LittleEndian_isRefusedCleanly_andTheFrameStaysAnAddress() throws Exception {
    byte[] elf32 = Files.readAllBytes(pie.path());
    elf32[4] = 1; // EI_CLASS: ELFCLASS32
    upload("32bit0000000000000000000000000000000000", elf32);
    byte[] bigEndian = Files.readAllBytes(pie.path());
    bigEndian[5] = 2; // EI_DATA: ELFDATA2MSB
    upload("be000000000000000000000000000000000000", bigEndian);
    upload("garbage00000000000000000000000000000000", "not an ELF file at all".getBytes(StandardCharsets.UTF_8));
    // headers pointing past the end: the first 4 KB of the ELF only
    upload("truncated000000000000000000000000000000", java.util.Arrays.copyOf(Files.readAllBytes(pie.path()), 4096));
    long main = pie.functions().get("main")[0];
    assertThat(symbolizer.symbolize(project, "32bit0000000000000000000000000000000000", main)).isNull();
    assertThat(symbolizer.symbolize(project, "be000000000000000000000000000000000000", main)).isNull();
    assertThat(symbolizer.symbolize(project, "garbage00000000000000000000000000000000", main)).isNull();
    assertThat(symbolizer.symbolize(project, "truncated000000000000000000000000000000", main)).isNull();
    // and ArrowProfiles keeps such frames as bare addresses
    List<Row> rows = AgentArrowFixtures.scenario(main, "be000000000000000000000000000000000000");
    Profile app = new ArrowProfiles(allocator, 16 << 20, symbolizer)
        .decode(project, BlobKind.ARROW, AgentArrowFixtures.v2(allocator, rows)).stream()
        .filter(p -> p.labels().get("comm").equals("app")).findFirst().orElseThrow().profile();
    assertThat(Pprofs.stacks(app)).containsEntry("0x" + Long.toHexString(main) + "@be000000000000000000000000000000000000;main",
        2L);
  }

  @Test
  void agentProfileWithUnsymbolizedNativeFrames_decodesWithTheUploadedElfsNames_asGoPprofShows() throws Exception {
    upload(pie.buildId(), Files.readAllBytes(pie.path()));
    long leaf = pie.functions().get("tollgate_leaf")[0] + 5;
    List<Row> rows = AgentArrowFixtures.scenario(leaf, pie.buildId());
    ArrowProfiles arrow = new ArrowProfiles(allocator, 16 << 20, symbolizer);
    for (List<LabeledProfile> profiles : List.of(
        arrow.decode(project, BlobKind.ARROW, AgentArrowFixtures.v2(allocator, rows)),
        arrow.decode(project, BlobKind.WRITE_V1, AgentArrowFixtures.writeV1Blob(
            AgentArrowFixtures.v1Samples(allocator, rows), AgentArrowFixtures.v1Locations(allocator, rows))))) {
      Profile app = profiles.stream().filter(p -> p.labels().get("comm").equals("app")).findFirst().orElseThrow()
          .profile();
      assertThat(Pprofs.stacks(app)).containsOnly(entry("tollgate_leaf;main", 2L), entry("do_syscall_64;main", 1L));
      // the named frame keeps the address and mapping the agent sent
      assertThat(app.getLocationList()).anySatisfy(l -> {
        assertThat(l.getAddress()).isEqualTo(leaf);
        assertThat(Pprofs.frame(app, l)).isEqualTo("tollgate_leaf");
        assertThat(Pprofs.string(app, Pprofs.mapping(app, l.getMappingId()).getBuildId())).isEqualTo(pie.buildId());
      });
      Path file = dir.resolve("app-" + profiles.hashCode() + ".pb");
      Files.write(file, app.toByteArray());
      assertThat(GoPprof.flat(file)).containsOnly(entry("tollgate_leaf", 2L), entry("do_syscall_64", 1L),
          entry("main", 0L));
    }
  }
}
