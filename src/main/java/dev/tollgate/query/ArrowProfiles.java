package dev.tollgate.query;

import dev.tollgate.ingest.ArrowRows;
import dev.tollgate.ingest.ArrowValues;
import dev.tollgate.profiles.BlobKind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.UUID;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Turns stored agent blobs ({@link BlobKind#ARROW}: a v2 {@code WriteArrow} buffer or a v1
 * samples record; {@link BlobKind#WRITE_V1}: a v1 samples record and its locations record) into
 * pprof: one profile per (label set, profile type), keyed exactly as the index keys the blob.
 *
 * <p>Each profile has the one sample type, the record's period type and period, its duration, the
 * earliest row's timestamp as time, and one sample per distinct stack with the values of its rows
 * added up. Locations keep the address and mapping (file, build id, start/limit/offset) the agent
 * sent, and the lines it sent (interpreted, kernel and agent-symbolized native frames). A native
 * frame the agent left unsymbolized (no lines, a build id) gets a line with the {@link
 * Symbolizer}'s name when it knows one, and stays a bare address otherwise. Rows carry no pprof
 * labels (the label set is the profile's); stacktrace ids are not kept. A v1 row whose stacktrace
 * id the locations record lacks, and the rows of a samples record stored without one, become
 * samples without locations.
 *
 * <p>Each Arrow stream is decoded in a child allocator of {@code allocator} bounded by {@code
 * maxDecodedBytes}; everything is closed before {@link #decode} returns. Thread-safe.
 */
public final class ArrowProfiles {
  private static final String VERSION_KEY = "parca_write_schema_version";

  private final BufferAllocator allocator;
  private final long maxDecodedBytes;
  private final Symbolizer symbolizer;

  /**
   * @param allocator the parent of each stream's allocator
   * @param maxDecodedBytes the most one Arrow stream may take decoded, in bytes (positive)
   * @param symbolizer names unsymbolized native frames; {@link Symbolizer#NONE} for none
   */
  public ArrowProfiles(BufferAllocator allocator, long maxDecodedBytes, Symbolizer symbolizer) {
    this.allocator = Objects.requireNonNull(allocator, "allocator");
    this.symbolizer = Objects.requireNonNull(symbolizer, "symbolizer");
    if (maxDecodedBytes <= 0) {
      throw new IllegalArgumentException("maxDecodedBytes must be positive, was " + maxDecodedBytes);
    }
    this.maxDecodedBytes = maxDecodedBytes;
  }

  /**
   * One pprof profile per (label set, profile type) in a stored ARROW or WRITE_V1 blob, in the
   * order they first appear. Throws IllegalArgumentException for undecodable bytes, a blob of
   * another kind, or a stream that decodes to more than {@code maxDecodedBytes}; and
   * IllegalStateException (worth a retry) when the parent allocator is too full with other streams
   * to decode this one.
   */
  public List<LabeledProfile> decode(UUID projectId, BlobKind kind, byte[] bytes) {
    Objects.requireNonNull(projectId, "projectId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(bytes, "bytes");
    Map<String, List<Frame>> stacks = null;
    byte[] samples = bytes;
    switch (kind) {
      case ARROW -> { }
      case WRITE_V1 -> {
        byte[][] parts = splitWriteV1(bytes);
        samples = parts[0];
        stacks = readLocations(parts[1]);
      }
      default -> throw new IllegalArgumentException("a " + kind + " blob is not an Arrow blob");
    }
    return readSamples(projectId, samples, stacks);
  }

  /** The two records of a WRITE_V1 blob: each after its length as a 4-byte big-endian integer. */
  private static byte[][] splitWriteV1(byte[] blob) {
    ByteBuffer b = ByteBuffer.wrap(blob);
    byte[][] out = new byte[2][];
    for (int i = 0; i < 2; i++) {
      String what = i == 0 ? "samples record" : "locations record";
      if (b.remaining() < 4) {
        throw new IllegalArgumentException("WRITE_V1 blob ends before the length of its " + what);
      }
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new IllegalArgumentException("WRITE_V1 blob's " + what + " length " + n + " exceeds the "
            + b.remaining() + " bytes left");
      }
      out[i] = new byte[n];
      b.get(out[i]);
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("WRITE_V1 blob has " + b.remaining() + " bytes after its locations record");
    }
    return out;
  }

  /** A stream's reader in its own bounded allocator, closed by {@code body}'s caller. */
  private interface StreamBody<T> {
    T read(ArrowStreamReader r) throws IOException;
  }

  private <T> T withStream(byte[] ipc, String what, StreamBody<T> body) {
    try (BufferAllocator memory = allocator.newChildAllocator("arrow-profiles", 0, maxDecodedBytes);
        ArrowStreamReader r = new ArrowStreamReader(new ByteArrayInputStream(ipc), memory,
            CommonsCompressionFactory.INSTANCE)) {
      return body.read(r);
    } catch (OutOfMemoryException e) {
      // the stream's allocator is closed by now: whatever the parent still holds is other streams'
      if (allocator.getLimit() - allocator.getAllocatedMemory() < maxDecodedBytes) {
        throw new IllegalStateException("too many Arrow streams are being decoded at once; retry", e);
      }
      throw new IllegalArgumentException(what + " decodes to more than " + maxDecodedBytes + " bytes", e);
    } catch (IllegalArgumentException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException(what + " is not a decodable Arrow IPC stream: " + e.getMessage(), e);
    }
  }

  /** v1 locations record: stacktrace id (hex) to its frames. */
  private Map<String, List<Frame>> readLocations(byte[] ipc) {
    return withStream(ipc, "locations record", r -> {
      Map<String, List<Frame>> out = new HashMap<>();
      VectorSchemaRoot root = r.getVectorSchemaRoot();
      requireColumns(root.getSchema(), "locations record", "stacktrace_id", "locations");
      while (r.loadNextBatch()) {
        ArrowFrames frames = new ArrowFrames(r);
        FieldVector ids = root.getVector("stacktrace_id");
        FieldVector locations = root.getVector("locations");
        for (int row = 0; row < root.getRowCount(); row++) {
          byte[] id = ArrowValues.bytes(ids, row, r);
          if (id != null) {
            out.put(HexFormat.of().formatHex(id), frames.stack(locations, row));
          }
        }
      }
      return out;
    });
  }

  private static void requireColumns(Schema schema, String what, String... columns) {
    for (String c : columns) {
      if (schema.getFields().stream().noneMatch(f -> f.getName().equals(c))) {
        throw new IllegalArgumentException(what + ": column " + c + " is missing");
      }
    }
  }

  private record Key(SortedMap<String, String> labels, String profileType) {}

  /** The samples record (v2, or v1 with {@code v1Stacks} from its locations record, or null when there is none). */
  private List<LabeledProfile> readSamples(UUID projectId, byte[] ipc, Map<String, List<Frame>> v1Stacks) {
    Map<Key, PprofBuilder> profiles = withStream(ipc, "samples record", r -> {
      VectorSchemaRoot root = r.getVectorSchemaRoot();
      Schema schema = root.getSchema();
      String version = schema.getCustomMetadata() == null ? null : schema.getCustomMetadata().get(VERSION_KEY);
      boolean v1 = "v1".equals(version);
      if (!v1 && !"v2".equals(version)) {
        throw new IllegalArgumentException("samples record: schema metadata " + VERSION_KEY + " is "
            + (version == null ? "missing" : "\"" + version + "\""));
      }
      requireColumns(schema, "samples record", "value", "producer", "sample_type", "sample_unit", "period_type",
          "period_unit", "temporality", "period", "duration", "timestamp", v1 ? "stacktrace_id" : "labels");
      Map<Key, PprofBuilder> out = new LinkedHashMap<>();
      Symbolized names = new Symbolized(projectId);
      while (r.loadNextBatch()) {
        ArrowFrames frames = new ArrowFrames(r);
        List<FieldVector> labelColumns = ArrowRows.labelColumns(root, v1);
        FieldVector stacktrace = v1 ? null : root.getVector("stacktrace");
        FieldVector ids = v1 ? root.getVector("stacktrace_id") : null;
        Map<Long, List<Frame>> batchStacks = new HashMap<>();
        for (int row = 0; row < root.getRowCount(); row++) {
          Key key = new Key(ArrowRows.labels(labelColumns, row, r, v1), ArrowRows.profileType(root, row, r));
          PprofBuilder p = out.get(key);
          if (p == null) {
            p = new PprofBuilder(ArrowRows.string(root, "sample_type", row, r),
                ArrowRows.string(root, "sample_unit", row, r), ArrowRows.string(root, "period_type", row, r),
                ArrowRows.string(root, "period_unit", row, r));
            out.put(key, p);
          }
          List<Frame> stack;
          if (v1) {
            byte[] id = ArrowValues.bytes(ids, row, r);
            stack = id == null || v1Stacks == null ? null : v1Stacks.get(HexFormat.of().formatHex(id));
          } else {
            stack = stacktrace == null ? null : v2Stack(frames, stacktrace, row, batchStacks);
          }
          p.add(names.of(stack == null ? List.of() : stack), number(root, "value", row, r),
              number(root, "period", row, r), number(root, "duration", row, r),
              ArrowValues.epochNanos(root.getVector("timestamp"), row, r));
        }
      }
      return out;
    });
    List<LabeledProfile> result = new ArrayList<>(profiles.size());
    profiles.forEach((k, p) -> result.add(new LabeledProfile(k.labels(), k.profileType(), p.build())));
    return result;
  }

  /** A v2 row's stack; rows sharing a list view's offset and size (the agent's dedup) are read once per batch. */
  private static List<Frame> v2Stack(ArrowFrames frames, FieldVector stacktrace, int row,
      Map<Long, List<Frame>> batchStacks) {
    ArrowFrames.Range range = frames.range(stacktrace, row);
    if (range == null) {
      return List.of();
    }
    long key = ((long) range.start() << 32) | (range.end() - range.start());
    List<Frame> known = batchStacks.get(key);
    if (known == null) {
      known = frames.stack(stacktrace, row);
      batchStacks.put(key, known);
    }
    return known;
  }

  private static long number(VectorSchemaRoot root, String column, int row, ArrowStreamReader r) {
    Long v = ArrowValues.epochNanos(root.getVector(column), row, r);
    return v == null ? 0 : v;
  }

  /**
   * Names unsymbolized native frames through the symbolizer, asking once per frame per decode, and
   * only for build ids it {@linkplain Symbolizer#knows knows} (asked once per build id per decode).
   */
  private final class Symbolized {
    private final UUID projectId;
    private final Map<String, Boolean> knownBuildIds = new HashMap<>();
    private final Map<Frame, Frame> named = new HashMap<>();
    private final Map<Frame, Frame> namedByIdentity = new java.util.IdentityHashMap<>();

    Symbolized(UUID projectId) {
      this.projectId = projectId;
    }

    List<Frame> of(List<Frame> stack) {
      List<Frame> out = null;
      for (int i = 0; i < stack.size(); i++) {
        Frame f = stack.get(i);
        if (!f.unsymbolized()) {
          continue;
        }
        Frame g = namedByIdentity.get(f);
        if (g == null) {
          g = named.computeIfAbsent(f, this::name);
          namedByIdentity.put(f, g);
        }
        if (g != f) {
          if (out == null) {
            out = new ArrayList<>(stack);
          }
          out.set(i, g);
        }
      }
      return out == null ? stack : out;
    }

    private Frame name(Frame f) {
      if (!knownBuildIds.computeIfAbsent(f.buildId(), b -> symbolizer.knows(projectId, b))) {
        return f;
      }
      String name = Optional.ofNullable(symbolizer.symbolize(projectId, f.buildId(), f.address(), f.mappingStart(),
          f.mappingLimit(), f.mappingOffset())).filter(n -> !n.isEmpty()).orElse(null);
      return name == null ? f : f.withLine(new Frame.Line(name, name, null, 0, 0));
    }
  }
}
