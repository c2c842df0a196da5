package dev.tollgate.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes one segment consistent with the index on start. Writes are fsynced before they are indexed,
 * so the index can only lag: rows past the file's end are dropped, frames after the last indexed
 * one are checked and indexed again, and the first bad frame and everything after it is cut off.
 */
final class SegmentRecovery {
  private static final Logger log = LoggerFactory.getLogger(SegmentRecovery.class);

  private SegmentRecovery() {}

  /** Result of one segment's recovery. */
  record Outcome(long validLength, int reindexed, long truncatedBytes, int droppedRows) {}

  static Outcome recover(ProfileIndex index, String projectId, Path file) throws IOException {
    String segment = file.getFileName().toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long fileLength = ch.size();
      index.claim(projectId, segment);
      int dropped = index.deleteBeyond(projectId, segment, fileLength);
      long pos = index.indexedEnd(projectId, segment);
      List<IndexRow> rows = new ArrayList<>();
      ByteBuffer prefix = ByteBuffer.allocate(Frames.PREFIX);
      while (pos < fileLength) {
        prefix.clear();
        if (!readFully(ch, prefix, pos)) {
          break;
        }
        prefix.flip();
        int len = Frames.payloadLength(prefix);
        if (len < 0 || pos + Frames.PREFIX + len > fileLength) {
          break;
        }
        ByteBuffer payload = ByteBuffer.allocate(len);
        if (!readFully(ch, payload, pos + Frames.PREFIX) || !Frames.checksumMatches(prefix, payload.array())) {
          break;
        }
        FrameHeader h;
        try {
          h = Frames.header(payload.array());
        } catch (IOException e) {
          break;
        }
        long frameLength = Frames.PREFIX + len;
        long size = len - 4 - ByteBuffer.wrap(payload.array()).getInt();
        for (FrameHeader.Entry e : h.entries()) {
          rows.add(IndexRow.of(projectId, h, e, segment, pos, frameLength, size, index.nodeId()));
        }
        pos += frameLength;
      }
      index.insert(rows);
      long cut = fileLength - pos;
      if (cut > 0) {
        dropped += index.deleteBeyond(projectId, segment, pos);
        ch.truncate(pos);
        ch.force(true);
        log.warn("segment {}/{}: cut {} bytes of torn or invalid data at offset {}", projectId, segment, cut, pos);
      }
      if (!rows.isEmpty()) {
        log.info("segment {}/{}: indexed {} rows that were stored but not yet indexed", projectId, segment, rows.size());
      }
      return new Outcome(pos, rows.size(), cut, dropped);
    }
  }

  private static boolean readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
    while (buf.hasRemaining()) {
      int n = ch.read(buf, pos + buf.position());
      if (n < 0) {
        return false;
      }
    }
    return true;
  }
}
