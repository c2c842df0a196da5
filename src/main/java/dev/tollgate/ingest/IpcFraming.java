package dev.tollgate.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.commons.compress.compressors.lz4.FramedLZ4CompressorInputStream;

/**
 * Checks the framing of an Arrow IPC stream before Arrow reads it: every message's metadata and
 * body lie within the bytes; the first message is a schema without a body and every later one a
 * record or dictionary batch; in a record or dictionary batch, every buffer lies within its body
 * and the row count and every node's length and null count are between 0 and INT_MAX, and the
 * variadic buffer counts of string-view columns are no more than the batch's buffers; the schema
 * is nested at most {@link #MAX_DEPTH} levels and every dictionary batch's id is one it defines. Arrow
 * Java reads a message's body into memory before it checks these; when one fails it throws
 * without freeing the body (ArrowFuzzTest findings). {@link ArrowMemory} frees what it leaves, but
 * refusing first costs less and names the problem. Pure: reads {@code ipc}, allocates no Arrow
 * memory.
 */
final class IpcFraming {
  private static final int CONTINUATION = 0xFFFFFFFF;
  /** Levels of nested fields a schema may have (the agent's deepest, a stack's function name, is 6). */
  static final int MAX_DEPTH = 32;
  /** Fields a schema may have in all, nested ones included (the agent's: one per label name plus about 30). */
  static final int MAX_FIELDS = 100_000;

  private IpcFraming() {}

  /** @throws InvalidProfileException naming the first message whose framing is wrong */
  static void check(byte[] ipc, String what) {
    ByteBuffer in = ByteBuffer.wrap(ipc).order(ByteOrder.LITTLE_ENDIAN);
    java.util.Set<Long> dictionaryIds = new java.util.HashSet<>();
    int pos = 0;
    for (int message = 0; ipc.length - pos >= 4; message++) {
      int len = in.getInt(pos);
      pos += 4;
      if (len == CONTINUATION) {
        if (ipc.length - pos < 4) {
          return; // Arrow refuses the truncated length itself
        }
        len = in.getInt(pos);
        pos += 4;
      }
      if (len == 0) {
        return; // end of stream
      }
      if (len < 0 || len > ipc.length - pos) {
        throw bad(what, message, "metadata of " + Integer.toUnsignedString(len) + " bytes is past the end");
      }
      long body;
      try {
        Message m = Message.getRootAsMessage(ByteBuffer.wrap(ipc, pos, len).slice().order(ByteOrder.LITTLE_ENDIAN));
        body = m.bodyLength();
        if (body < 0 || body > ipc.length - pos - len) {
          throw bad(what, message, "body of " + body + " bytes is past the end");
        }
        // Arrow Java reads a message's body before it looks at the header, and frees it only when
        // it turns the message into a batch: a first message other than a schema, a schema with a
        // body (even one it accepts) and a later message other than a record or dictionary batch
        // leave the body allocated (ArrowFuzzTest finding). Arrow refuses all but the schema with
        // a body anyway, so they are refused here, before it reads them.
        if (message == 0 && m.headerType() != MessageHeader.Schema) {
          throw bad(what, message, "is not a schema (header type " + m.headerType() + ")");
        }
        if (message == 0 && body != 0) {
          throw bad(what, message, "is a schema with a body of " + body + " bytes");
        }
        if (message == 0) {
          org.apache.arrow.flatbuf.Schema schema = (org.apache.arrow.flatbuf.Schema) m.header(
              new org.apache.arrow.flatbuf.Schema());
          int[] budget = {MAX_FIELDS};
          for (int i = 0; i < schema.fieldsLength(); i++) {
            collectDictionaryIds(schema.fields(i), 1, budget, dictionaryIds, what);
          }
        }
        if (m.headerType() == MessageHeader.DictionaryBatch) {
          long id = ((DictionaryBatch) m.header(new DictionaryBatch())).id();
          if (!dictionaryIds.contains(id)) {
            throw bad(what, message, "is a dictionary batch of id " + id + ", which the schema does not define");
          }
        }
        if (message > 0 && m.headerType() != MessageHeader.RecordBatch
            && m.headerType() != MessageHeader.DictionaryBatch) {
          throw bad(what, message, "is neither a record batch nor a dictionary batch (header type "
              + m.headerType() + ")");
        }
        RecordBatch batch = switch (m.headerType()) {
          case MessageHeader.RecordBatch -> (RecordBatch) m.header(new RecordBatch());
          case MessageHeader.DictionaryBatch -> ((DictionaryBatch) m.header(new DictionaryBatch())).data();
          default -> null;
        };
        if (batch != null) {
          if (batch.length() < 0 || batch.length() > Integer.MAX_VALUE) {
            throw bad(what, message, "has " + batch.length() + " rows");
          }
          FieldNode node = new FieldNode();
          for (int i = 0; i < batch.nodesLength(); i++) {
            batch.nodes(node, i);
            if (node.length() < 0 || node.length() > Integer.MAX_VALUE || node.nullCount() < 0
                || node.nullCount() > node.length()) {
              throw bad(what, message, "node " + i + " has length " + node.length() + " and null count "
                  + node.nullCount());
            }
          }
          // Arrow sizes a list by a string-view column's variadic buffer count before it checks
          // that there are so many buffers: a corrupt count took the heap (ArrowFuzzTest finding)
          long variadic = 0;
          for (int i = 0; i < batch.variadicBufferCountsLength(); i++) {
            long count = batch.variadicBufferCounts(i);
            variadic += count;
            if (count < 0 || variadic > batch.buffersLength()) {
              throw bad(what, message, "states " + count + " variadic buffers of a column; it has "
                  + batch.buffersLength() + " buffers in all");
            }
          }
          Buffer b = new Buffer();
          boolean compressedDictionary = m.headerType() == MessageHeader.DictionaryBatch
              && batch.compression() != null;
          boolean compressedRecords = m.headerType() == MessageHeader.RecordBatch && batch.compression() != null;
          for (int i = 0; i < batch.buffersLength(); i++) {
            batch.buffers(b, i);
            if (b.offset() < 0 || b.length() < 0 || b.offset() > body - b.length()) {
              throw bad(what, message, "buffer " + i + " is outside the body");
            }
            if (compressedDictionary && !decompresses(ipc, pos + len + (int) b.offset(), (int) b.length(),
                batch.compression().codec())) {
              throw bad(what, message, "buffer " + i + " does not decompress to its stated length");
            }
            // A record batch's buffers are decompressed by Arrow as it loads them; one that states
            // a negative length (other than -1, "stored as is") or one past INT_MAX makes Arrow
            // throw with the field's earlier buffers still allocated (ArrowFuzzTest finding).
            if (compressedRecords && !statesAUsableLength(ipc, pos + len + (int) b.offset(), (int) b.length())) {
              throw bad(what, message, "buffer " + i + " states no usable uncompressed length");
            }
          }
        }
      } catch (InvalidProfileException e) {
        throw e;
      } catch (RuntimeException e) {
        throw bad(what, message, "metadata does not decode");
      }
      pos += len;
      pos += (int) body;
    }
  }

  /**
   * Adds the dictionary ids of {@code field} and its children, {@code depth} levels down; refuses
   * a schema nested deeper than {@link #MAX_DEPTH} or with more than {@link #MAX_FIELDS} fields in
   * all. Arrow Java converts a schema's fields recursively: a flatbuffer whose children point back
   * at their parent overflowed the stack (ArrowFuzzTest finding), and one whose children share
   * subtrees would take exponential time.
   */
  private static void collectDictionaryIds(org.apache.arrow.flatbuf.Field field, int depth, int[] budget,
      java.util.Set<Long> ids, String what) {
    if (depth > MAX_DEPTH || --budget[0] < 0) {
      throw bad(what, 0, "is a schema nested deeper than " + MAX_DEPTH + " levels or with more than "
          + MAX_FIELDS + " fields");
    }
    if (field.dictionary() != null) {
      ids.add(field.dictionary().id());
    }
    for (int i = 0; i < field.childrenLength(); i++) {
      collectDictionaryIds(field.children(i), depth + 1, budget, ids, what);
    }
  }

  /**
   * Whether a compressed buffer (its uncompressed length as int64, -1 for "stored as is", then the
   * codec's frame) decodes to exactly that length. Checked for dictionary batches before Arrow
   * reads them: Arrow Java leaks the dictionary's buffers when their decompression fails
   * (ArrowFuzzTest finding). Streamed into a discard buffer, so it costs time, not memory.
   */
  private static boolean decompresses(byte[] ipc, int offset, int length, byte codec) {
    if (length == 0) {
      return true; // an absent buffer
    }
    if (length < 8) {
      return false;
    }
    long stated = ByteBuffer.wrap(ipc, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (stated == -1) {
      return true;
    }
    if (stated < 0 || codec != CompressionType.LZ4_FRAME) {
      return codec == CompressionType.ZSTD && stated >= 0; // ZSTD: Arrow's own checks (agents send LZ4)
    }
    try (InputStream in = new FramedLZ4CompressorInputStream(
        new ByteArrayInputStream(ipc, offset + 8, length - 8), true)) {
      byte[] sink = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(sink)) > 0; ) {
        total += n;
        if (total > stated) {
          return false;
        }
      }
      return total == stated;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** An absent buffer, or one whose 8-byte uncompressed length is -1 or 0..INT_MAX. */
  private static boolean statesAUsableLength(byte[] ipc, int offset, int length) {
    if (length == 0) {
      return true;
    }
    if (length < 8) {
      return false;
    }
    long stated = ByteBuffer.wrap(ipc, offset, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
    return stated == -1 || (stated >= 0 && stated <= Integer.MAX_VALUE);
  }

  private static InvalidProfileException bad(String what, int message, String problem) {
    return new InvalidProfileException(what + " is not a valid Arrow IPC stream: message " + message + " " + problem);
  }
}
