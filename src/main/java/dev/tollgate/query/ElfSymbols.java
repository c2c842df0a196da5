package dev.tollgate.query;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * The function symbols of one little-endian ELF64 file ({@code .symtab} and {@code .dynsym}),
 * sorted by address, and its loadable segments. Other ELF classes and byte orders are refused
 * with an IllegalArgumentException; so is a file whose headers point outside it.
 */
final class ElfSymbols {
  private static final int PT_LOAD = 1;
  private static final int SHT_SYMTAB = 2;
  private static final int SHT_DYNSYM = 11;
  private static final int STT_FUNC = 2;
  private static final int SHN_UNDEF = 0;
  /** A symbol table larger than this (in bytes) is not read: about 10 M symbols. */
  private static final long MAX_TABLE_BYTES = 256L << 20;

  /** A loadable segment: {@code [fileOffset, fileOffset + fileSize)} of the file is at {@code vaddr}. */
  record Segment(long fileOffset, long vaddr, long fileSize) {}

  private final long[] starts;
  private final long[] sizes;
  private final String[] names;
  private final List<Segment> segments;

  private ElfSymbols(long[] starts, long[] sizes, String[] names, List<Segment> segments) {
    this.starts = starts;
    this.sizes = sizes;
    this.names = names;
    this.segments = segments;
  }

  int size() {
    return names.length;
  }

  List<Segment> segments() {
    return segments;
  }

  /** The function whose {@code [value, value + size)} holds {@code vaddr} (a size-0 symbol only at its value), or null. */
  String at(long vaddr) {
    int i = Arrays.binarySearch(starts, vaddr);
    if (i < 0) {
      i = -i - 2; // the last symbol starting before vaddr
    } else {
      while (i + 1 < starts.length && starts[i + 1] == vaddr) {
        i++; // among equal starts the last is the one with a size, see read()
      }
    }
    for (; i >= 0; i--) {
      long end = starts[i] + Math.max(sizes[i], 1);
      if (Long.compareUnsigned(vaddr, end) < 0) {
        return names[i];
      }
      if (sizes[i] > 0) {
        return null; // nested symbols do not reach past a sized one before them
      }
    }
    return null;
  }

  /**
   * The ELF virtual address of a file offset, through the loadable segment holding it (Parca's
   * and pprof's normalization); the offset itself when no segment holds it.
   */
  long vaddrOfFileOffset(long fileOffset) {
    for (Segment s : segments) {
      if (fileOffset >= s.fileOffset() && fileOffset < s.fileOffset() + s.fileSize()) {
        return fileOffset - s.fileOffset() + s.vaddr();
      }
    }
    return fileOffset;
  }

  static ElfSymbols read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long length = ch.size();
      ByteBuffer h = read(ch, 0, 64, length, "ELF header");
      if (h.getInt(0) != 0x464c457f) { // "\x7fELF" read little-endian
        throw new IllegalArgumentException("not an ELF file");
      }
      if (h.get(4) != 2) {
        throw new IllegalArgumentException("ELF class " + h.get(4) + " is not supported (only 64-bit)");
      }
      if (h.get(5) != 1) {
        throw new IllegalArgumentException("ELF data encoding " + h.get(5) + " is not supported (only little-endian)");
      }
      long phoff = h.getLong(0x20);
      long shoff = h.getLong(0x28);
      int phentsize = Short.toUnsignedInt(h.getShort(0x36));
      int phnum = Short.toUnsignedInt(h.getShort(0x38));
      int shentsize = Short.toUnsignedInt(h.getShort(0x3A));
      int shnum = Short.toUnsignedInt(h.getShort(0x3C));

      List<Segment> segments = new ArrayList<>();
      if (phnum > 0) {
        if (phentsize < 56) {
          throw new IllegalArgumentException("program header entry size " + phentsize + " is too small");
        }
        ByteBuffer ph = read(ch, phoff, (long) phentsize * phnum, length, "program headers");
        for (int i = 0; i < phnum; i++) {
          int at = i * phentsize;
          if (ph.getInt(at) == PT_LOAD) {
            segments.add(new Segment(ph.getLong(at + 8), ph.getLong(at + 0x10), ph.getLong(at + 0x20)));
          }
        }
      }

      List<Object[]> symbols = new ArrayList<>();
      if (shnum > 0) {
        if (shentsize < 64) {
          throw new IllegalArgumentException("section header entry size " + shentsize + " is too small");
        }
        ByteBuffer sh = read(ch, shoff, (long) shentsize * shnum, length, "section headers");
        for (int i = 0; i < shnum; i++) {
          int at = i * shentsize;
          int type = sh.getInt(at + 4);
          if (type != SHT_SYMTAB && type != SHT_DYNSYM) {
            continue;
          }
          long offset = sh.getLong(at + 0x18);
          long size = sh.getLong(at + 0x20);
          int link = sh.getInt(at + 0x28);
          long entsize = sh.getLong(at + 0x38);
          if (entsize < 24 || link < 0 || link >= shnum) {
            throw new IllegalArgumentException("symbol table section " + i + " has entry size " + entsize
                + " or string table " + link + " out of range");
          }
          if (size > MAX_TABLE_BYTES) {
            throw new IllegalArgumentException("symbol table section " + i + " has " + size + " bytes, over "
                + MAX_TABLE_BYTES);
          }
          int strAt = link * shentsize;
          long strOffset = sh.getLong(strAt + 0x18);
          long strSize = sh.getLong(strAt + 0x20);
          if (strSize > MAX_TABLE_BYTES) {
            throw new IllegalArgumentException("string table section " + link + " has " + strSize + " bytes, over "
                + MAX_TABLE_BYTES);
          }
          ByteBuffer table = read(ch, offset, size, length, "symbol table section " + i);
          ByteBuffer strings = read(ch, strOffset, strSize, length, "string table section " + link);
          for (long e = 0; e + 24 <= size; e += entsize) {
            int p = (int) e;
            int name = table.getInt(p);
            int info = table.get(p + 4);
            int shndx = Short.toUnsignedInt(table.getShort(p + 6));
            long value = table.getLong(p + 8);
            long symSize = table.getLong(p + 16);
            if ((info & 0xf) != STT_FUNC || shndx == SHN_UNDEF || value == 0) {
              continue;
            }
            String n = string(strings, name);
            if (!n.isEmpty()) {
              symbols.add(new Object[] {value, symSize, n});
            }
          }
        }
      }
      // by address, then size: among symbols at one address the sized one comes last and wins
      symbols.sort(Comparator.<Object[]>comparingLong(s -> (long) s[0]).thenComparingLong(s -> (long) s[1]));
      long[] starts = new long[symbols.size()];
      long[] sizes = new long[symbols.size()];
      String[] names = new String[symbols.size()];
      for (int i = 0; i < symbols.size(); i++) {
        starts[i] = (long) symbols.get(i)[0];
        sizes[i] = (long) symbols.get(i)[1];
        names[i] = (String) symbols.get(i)[2];
      }
      return new ElfSymbols(starts, sizes, names, List.copyOf(segments));
    }
  }

  private static ByteBuffer read(FileChannel ch, long offset, long size, long length, String what) throws IOException {
    if (offset < 0 || size < 0 || size > Integer.MAX_VALUE || offset > length || size > length - offset) {
      throw new IllegalArgumentException(what + " at " + offset + " (" + size + " bytes) lies outside the file of "
          + length + " bytes");
    }
    ByteBuffer b = ByteBuffer.allocate((int) size).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (ch.read(b, offset + b.position()) < 0) {
        throw new IllegalArgumentException(what + " ends early");
      }
    }
    return b.flip();
  }

  private static String string(ByteBuffer strings, int at) {
    if (at < 0 || at >= strings.limit()) {
      return "";
    }
    int end = at;
    while (end < strings.limit() && strings.get(end) != 0) {
      end++;
    }
    byte[] b = new byte[end - at];
    strings.get(at, b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
