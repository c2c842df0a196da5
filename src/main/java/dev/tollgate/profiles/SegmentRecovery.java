package dev.tollgate.profiles;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  /** A frame found past the indexed end, with the rows it would index. */
  private record Frame(FrameHeader header, List<IndexRow> rows) {}

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
      List<Frame> frames = new ArrayList<>();
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
        List<IndexRow> frameRows = new ArrayList<>();
        for (FrameHeader.Entry e : h.entries()) {
          frameRows.add(IndexRow.of(projectId, h, e, segment, pos, frameLength, size, index.nodeId()));
        }
        frames.add(new Frame(h, frameRows));
        pos += frameLength;
      }
      // A frame stored but not indexed was never acknowledged: its client may have retried it
      // meanwhile, here or on another server. Then the retry is what stays indexed.
      // Any age: such a frame was never answered, so any blob of its content is its retry.
      Map<String, List<String>> stored = index.storedDigests(projectId,
          frames.stream().map(f -> f.header().digest()).filter(java.util.Objects::nonNull).toList(), 0);
      List<ProfileIndex.DigestRow> digests = new ArrayList<>();
      int retried = 0;
      for (Frame f : frames) {
        String digest = f.header().digest();
        if (digest != null && stored.containsKey(digest)) {
          retried++;
          continue;
        }
        if (digest != null) {
          List<String> ids = f.header().entries().stream().map(FrameHeader.Entry::id).toList();
          stored.put(digest, ids);
          digests.add(new ProfileIndex.DigestRow(projectId, digest, ids, f.header().receivedAt()));
        }
        rows.addAll(f.rows());
      }
      index.insert(rows, h -> ProfileIndex.insertDigests(h, digests, 0));
      if (retried > 0) {
        log.info("segment {}/{}: {} stored but unindexed records were retried and stored since; left unindexed",
            projectId, segment, retried);
      }
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
