package dev.tollgate.ingest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;

/**
 * Checks the framing of an Arrow IPC stream before Arrow reads it: every message's metadata and
 * body lie within the bytes; in a record or dictionary batch, every buffer lies within its body
 * and the row count and every node's length and null count are between 0 and INT_MAX. Arrow
 * Java reads a batch's body into memory before it checks these; when one fails it throws
 * without freeing the body, which leaks it from the shared allocator for good (two findings of
 * ArrowFuzzTest). Pure: reads {@code ipc}, allocates nothing.
 */
final class IpcFraming {
  private static final int CONTINUATION = 0xFFFFFFFF;

  private IpcFraming() {}

  /** @throws InvalidProfileException naming the first message whose framing is wrong */
  static void check(byte[] ipc, String what) {
    ByteBuffer in = ByteBuffer.wrap(ipc).order(ByteOrder.LITTLE_ENDIAN);
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
          Buffer b = new Buffer();
          for (int i = 0; i < batch.buffersLength(); i++) {
            batch.buffers(b, i);
            if (b.offset() < 0 || b.length() < 0 || b.offset() > body - b.length()) {
              throw bad(what, message, "buffer " + i + " is outside the body");
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

  private static InvalidProfileException bad(String what, int message, String problem) {
    return new InvalidProfileException(what + " is not a valid Arrow IPC stream: message " + message + " " + problem);
  }
}
