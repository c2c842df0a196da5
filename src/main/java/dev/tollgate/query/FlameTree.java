package dev.tollgate.query;

import dev.tollgate.proto.pprof.Location;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The merged stacks as a tree from the roots down: one node per frame, that is per location and,
 * for inlined frames, per line of the location (outermost first); unsymbolized locations are one
 * node. Children of a node calling the same function are one node, whatever the address or line
 * within it (Parca's default grouping by function name: otherwise a hot function shows as dozens of
 * siblings, one per sampled instruction); unsymbolized children are one node per location. The
 * node keeps the first location seen as its representative. Values are cumulative; a diff keeps
 * the base in {@code base}.
 */
final class FlameTree {
  /** Marks a child key as a function id rather than a location (ids stay far below this bit). */
  private static final long FUNCTION_KEY = 1L << 62;

  static final class Node {
    final int location; // 0 for the root
    final int line; // index into the location's lines, -1 when it has none
    final Map<Long, Node> children = new LinkedHashMap<>();
    long cumulative;
    long base;

    Node(int location, int line) {
      this.location = location;
      this.line = line;
    }

    List<Node> childList() {
      return new ArrayList<>(children.values());
    }
  }

  final Node root = new Node(0, -1);
  int height;

  static FlameTree of(ProfileMerger.Merged m) {
    FlameTree t = new FlameTree();
    for (Map.Entry<ProfileMerger.StackKey, long[]> e : m.samples.entrySet()) {
      ProfileMerger.StackKey k = e.getKey();
      long v = e.getValue()[0];
      long base = m.columns == 2 ? e.getValue()[1] : 0;
      Node n = t.root;
      n.cumulative += v;
      n.base += base;
      int depth = 0;
      for (int i = k.depth() - 1; i >= 0; i--) {
        int loc = k.location(i);
        Location l = m.location(loc);
        int lines = l.getLineCount();
        for (int j = lines == 0 ? -1 : lines - 1; j >= (lines == 0 ? -1 : 0); j--) {
          long key = j < 0 ? ((long) loc << 16) | 0xffff : FUNCTION_KEY | l.getLine(j).getFunctionId();
          int line = j;
          n = n.children.computeIfAbsent(key, x -> new Node(loc, line));
          n.cumulative += v;
          n.base += base;
          depth++;
          if (lines == 0) {
            break;
          }
        }
      }
      t.height = Math.max(t.height, depth);
    }
    return t;
  }
}
