package dev.tollgate.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/**
 * ArrowFuzzTest's findings: a locations record whose batch names a buffer past the batch's body
 * made Arrow throw after reading the body, which then stayed allocated in the shared allocator
 * (256 bytes per call, for good), and so did a node length past INT_MAX and a message after the
 * schema that is neither a record nor a dictionary batch (as does a schema with a body, which
 * Arrow even accepts). The framing check refuses them before Arrow allocates anything.
 */
class IpcFramingTest {
  /** A stored input of ArrowFuzzTest (its findings are kept there as regression inputs). */
  private byte[] fuzzInput(String name) throws java.io.IOException {
    try (InputStream in = getClass().getResourceAsStream(
        "ArrowFuzzTestInputs/anyIpcStream_isReadOrRefused_neverAnotherException/" + name)) {
      return in.readAllBytes();
    }
  }

  @Test
  void bufferPastItsBody_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc = fuzzInput("buffer-past-body");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc)).isInstanceOf(InvalidProfileException.class)
          .hasMessage("locations record is not a valid Arrow IPC stream: message 1 buffer 5 is outside the body");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void nodeLengthPastIntMax_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc = fuzzInput("node-length-past-int-max");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readSamples(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessageStartingWith("ipc_buffer is not a valid Arrow IPC stream: message ");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void messageAfterTheSchemaThatIsNoBatch_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc = fuzzInput("non-batch-message-after-schema-leaks-256-bytes");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc)).isInstanceOf(InvalidProfileException.class)
          .hasMessage("locations record is not a valid Arrow IPC stream: message 1 is neither a record batch"
              + " nor a dictionary batch (header type 0)");
      assertThatThrownBy(() -> records.readSamples(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessage("ipc_buffer is not a valid Arrow IPC stream: message 1 is neither a record batch"
              + " nor a dictionary batch (header type 0)");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  /** A compressed record batch's buffer stating a negative length (not -1) leaked the batch in VectorLoader. */
  @Test
  void recordBatchBufferStatingANegativeLength_isInvalid_andLeavesNoArrowMemoryAllocated() throws Exception {
    byte[] ipc = fuzzInput("record-batch-negative-uncompressed-length-leaks-1024-bytes");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc)).isInstanceOf(InvalidProfileException.class);
      assertThatThrownBy(() -> records.readSamples(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessageContaining("states no usable uncompressed length");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  /** A string-view column's variadic buffer count changed by one byte made Arrow size a list by it: heap gone. */
  @Test
  void variadicBufferCountPastTheBuffers_isInvalid_andTakesNoMemory() throws Exception {
    byte[] ipc = fuzzInput("variadic-count-takes-the-heap");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readSamples(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessageContaining("variadic buffers of a column");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  /** A schema whose fields nest without end (a flatbuffer child pointing back) overflowed Arrow's stack. */
  @Test
  void schemaNestedPastTheLimit_isInvalid_beforeArrowRecursesIntoIt() throws Exception {
    byte[] ipc = fuzzInput("schema-nesting-overflows-the-stack");
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc)).isInstanceOf(InvalidProfileException.class)
          .hasMessageContaining("is a schema nested deeper than 32 levels or with more than 100000 fields");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void dictionaryBatchOfAnIdTheSchemaLacks_isInvalid() {
    try (RootAllocator a = new RootAllocator();
        VarCharVector names = new VarCharVector("names", a);
        IntVector x = new IntVector("x", a)) {
      ArrowFixtures.setStrings(names, "a");
      x.allocateNew(1);
      x.set(0, 7);
      x.setValueCount(1);
      var root = new org.apache.arrow.vector.VectorSchemaRoot(List.of(x));
      var stray = new Dictionary(names, new DictionaryEncoding(99, false, null));
      byte[] ipc = ArrowFixtures.writeStream(List.of(new ArrowFixtures.Part(root, Map.of(99L, stray))), a);
      assertThatThrownBy(() -> IpcFraming.check(ipc, "ipc_buffer")).isInstanceOf(InvalidProfileException.class)
          .hasMessage("ipc_buffer is not a valid Arrow IPC stream: message 1 is a dictionary batch of id 99,"
              + " which the schema does not define");
    }
  }

  /** Arrow Java accepts a schema message with a body and never frees the body. */
  @Test
  void schemaWithABody_isInvalid_andLeavesNoArrowMemoryAllocated() {
    Schema schema = new Schema(List.of(new Field("x", FieldType.nullable(new ArrowType.Int(32, true)), null)));
    FlatBufferBuilder b = new FlatBufferBuilder();
    b.finish(Message.createMessage(b, MetadataVersion.V5, MessageHeader.Schema, schema.getSchema(b), 8, 0));
    byte[] metadata = b.sizedByteArray();
    int padded = (metadata.length + 7) / 8 * 8;
    ByteBuffer ipc = ByteBuffer.allocate(8 + padded + 8 + 8).order(ByteOrder.LITTLE_ENDIAN);
    ipc.putInt(-1).putInt(padded).put(metadata).position(8 + padded);
    ipc.putLong(0).putInt(-1).putInt(0); // the 8-byte body, then end of stream
    try (ArrowMemory memory = new ArrowMemory(64L << 20)) {
      ArrowRecords records = new ArrowRecords(memory, 16L << 20);
      assertThatThrownBy(() -> records.readV1Locations(ipc.array())).isInstanceOf(InvalidProfileException.class)
          .hasMessage("locations record is not a valid Arrow IPC stream: message 0 is a schema with a body of 8 bytes");
      assertThat(memory.root().getAllocatedMemory()).isZero();
    }
  }

  @Test
  void fixtureStreams_passTheFramingCheck() {
    try (RootAllocator a = new RootAllocator()) {
      IpcFraming.check(ArrowFixtures.v2(a), "ipc_buffer");
      IpcFraming.check(ArrowFixtures.v1Samples(a), "samples record");
      IpcFraming.check(ArrowFixtures.v1Locations(a), "locations record");
      IpcFraming.check(ArrowFixtures.v2Threads(a, "n1", 600, 4), "ipc_buffer");
      List<AgentArrowFixtures.Row> rows = AgentArrowFixtures.scenario(0x401000, "f00dfeed");
      IpcFraming.check(AgentArrowFixtures.v2(a, rows), "ipc_buffer");
      IpcFraming.check(AgentArrowFixtures.v1Samples(a, rows), "samples record");
      IpcFraming.check(AgentArrowFixtures.v1Locations(a, rows), "locations record");
    }
  }
}
